"""A Trainer stand-in that drives callbacks the way Hugging Face's does, without transformers.

Mirrors transformers 5.18 (Trainer._inner_training_loop / _run_epoch / _maybe_log_save_evaluate
/ log, trainer_callback.CallbackHandler and DefaultFlowCallback) and, with
tokens_before_step_begin=True, 4.x, which counted a micro-batch's tokens before on_step_begin:
  on_train_begin
  per epoch: on_epoch_begin
    per optimizer step, per micro-batch i:
      i == 0: on_step_begin (the handler first clears control.should_log/evaluate/save)
      training_step; state.num_input_tokens_seen += tokens(micro-batch)
      last micro-batch: on_pre_optimizer_step, on_optimizer_step, global_step += 1,
        state.epoch = epoch + (micro-batches done) / per epoch, on_step_end (DefaultFlowCallback,
        first in the list, sets control.should_log), then if should_log: logs = {loss (mean
        since the last log), grad_norm, learning_rate} + epoch (+ num_input_tokens_seen) -> on_log
      else: on_substep_end
    on_epoch_end (logging_strategy="epoch" sets should_log), the same log step again
  summary log {train_runtime, ..., train_loss} -> on_log; on_train_end
Every event gets (args, state, control) positionally and the handler's keyword arguments.
"""
import math
import time


class Args:
    """The TrainingArguments fields the loop and the callbacks read."""

    def __init__(self, logging_steps=500, logging_strategy="steps", logging_first_step=False,
                 gradient_accumulation_steps=1, include_num_input_tokens_seen="no",
                 logging_nan_inf_filter=True, max_steps=8):
        self.logging_steps = logging_steps
        self.logging_strategy = logging_strategy
        self.logging_first_step = logging_first_step
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.include_num_input_tokens_seen = include_num_input_tokens_seen
        self.logging_nan_inf_filter = logging_nan_inf_filter
        self.max_steps = max_steps


class State:
    """TrainerState's fields; old=True drops those that older versions lack."""

    def __init__(self, old=False):
        self.epoch = None
        self.global_step = 0
        self.max_steps = 0
        self.log_history = []
        self.is_local_process_zero = True
        self.is_world_process_zero = True
        if not old:
            self.num_input_tokens_seen = 0
            self.logging_steps = 500

    def compute_steps(self, args, max_steps):
        n = args.logging_steps
        if n is not None and hasattr(self, "logging_steps"):
            self.logging_steps = math.ceil(max_steps * n) if n < 1 else n


class Control:
    def __init__(self):
        self.should_training_stop = False
        self.should_epoch_stop = False
        self.should_save = False
        self.should_evaluate = False
        self.should_log = False


class DefaultFlow:
    """DefaultFlowCallback's logging decisions."""

    def __getattr__(self, name):
        if name.startswith("on_"):
            return lambda *a, **k: None
        raise AttributeError(name)

    def on_step_end(self, args, state, control, **kwargs):
        every = getattr(state, "logging_steps", args.logging_steps)
        if state.global_step == 1 and args.logging_first_step:
            control.should_log = True
        if args.logging_strategy == "steps" and state.global_step % every == 0:
            control.should_log = True
        if state.global_step >= state.max_steps:
            control.should_training_stop = True
        return control

    def on_epoch_end(self, args, state, control, **kwargs):
        if args.logging_strategy == "epoch":
            control.should_log = True
        return control


class Spy:
    """Records each event with time.time() at its call, and can peek at the steps file."""

    def __init__(self, peek=None):
        self.events = []
        self.peek = peek  # called at on_step_end: what the file holds at that moment

    def __getattr__(self, name):
        if not name.startswith("on_"):
            raise AttributeError(name)

        def record(args, state, control, **kwargs):
            self.events.append((name, time.time(), state.global_step, dict(kwargs.get("logs") or {}),
                                sorted(kwargs), self.peek() if self.peek and name == "on_step_end" else None))
        return record


HANDLER_KWARGS = ("model", "processing_class", "optimizer", "lr_scheduler", "train_dataloader", "eval_dataloader")


class Trainer:
    """train() runs `steps_per_epoch * epochs` micro-batches of `work_s` seconds each."""

    def __init__(self, args, callbacks, losses, tokens_per_batch=128, steps_per_epoch=4, epochs=2,
                 work_s=0.01, old_state=False, tokens_before_step_begin=False, grad_norm=1.5):
        self.args, self.losses, self.tokens_per_batch = args, list(losses), tokens_per_batch
        self.steps_per_epoch, self.epochs, self.work_s = steps_per_epoch, epochs, work_s
        self.tokens_before = tokens_before_step_begin
        self.grad_norm = grad_norm
        self.callbacks = [DefaultFlow()] + list(callbacks)  # HF puts its defaults first
        self.state = State(old=old_state)
        self.control = Control()

    def _event(self, name, **kwargs):
        if name == "on_step_begin":
            self.control.should_log = self.control.should_evaluate = self.control.should_save = False
        if name == "on_log":
            self.control.should_log = False
        for cb in self.callbacks:
            result = getattr(cb, name)(self.args, self.state, self.control, model=object(), processing_class=None,
                                       optimizer=object(), lr_scheduler=object(), train_dataloader=object(),
                                       eval_dataloader=None, **kwargs)
            if result is not None:
                self.control = result

    def _count_tokens(self):
        if self.args.include_num_input_tokens_seen != "no" and hasattr(self.state, "num_input_tokens_seen"):
            self.state.num_input_tokens_seen += self.tokens_per_batch

    def log(self, logs):
        if self.state.epoch is not None:
            logs["epoch"] = self.state.epoch
        if self.args.include_num_input_tokens_seen != "no" and hasattr(self.state, "num_input_tokens_seen"):
            logs["num_input_tokens_seen"] = self.state.num_input_tokens_seen
        self.state.log_history.append(dict(logs, step=self.state.global_step))
        self._event("on_log", logs=logs)

    def _maybe_log(self, lr):
        if self.control.should_log and self.state.global_step > self._last_logged:
            n = self.state.global_step - self._last_logged
            self.log({"loss": self._tr_loss / n, "grad_norm": self.grad_norm, "learning_rate": lr})
            self._tr_loss = 0.0
            self._last_logged = self.state.global_step

    def train(self):
        accum = self.args.gradient_accumulation_steps
        max_steps = self.args.max_steps
        self.state.max_steps = max_steps
        self.state.compute_steps(self.args, max_steps)
        self.state.epoch = 0
        self._tr_loss, self._last_logged = 0.0, 0
        self._event("on_train_begin")
        micro = 0
        lr = None
        for epoch in range(self.epochs):
            self._event("on_epoch_begin")
            per_epoch = self.steps_per_epoch * accum
            for step in range(per_epoch):
                micro += 1
                if self.tokens_before:
                    self._count_tokens()
                if step % accum == 0:
                    self._event("on_step_begin")
                time.sleep(self.work_s)  # forward + backward
                loss = self.losses[(micro - 1) // accum]
                if self.args.logging_nan_inf_filter and not math.isfinite(loss):
                    self._tr_loss += self._tr_loss / (1 + self.state.global_step - self._last_logged)
                else:
                    self._tr_loss += loss / accum
                if not self.tokens_before:
                    self._count_tokens()
                if (step + 1) % accum == 0:
                    self._event("on_pre_optimizer_step")
                    self._event("on_optimizer_step")
                    lr = 1e-3 * (1 - self.state.global_step / max_steps)
                    self.state.global_step += 1
                    self.state.epoch = epoch + (step + 1) / per_epoch
                    self._event("on_step_end")
                    self._maybe_log(lr)
                else:
                    self._event("on_substep_end")
                if self.control.should_training_stop:
                    break
            self._event("on_epoch_end")
            self._maybe_log(lr)
            if self.control.should_training_stop:
                break
        self.log({"train_runtime": 1.0, "train_samples_per_second": 2.0, "train_loss": 0.5, "total_flos": 0.0})
        self._event("on_train_end")
