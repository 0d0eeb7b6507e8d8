"""rle_steps: each training step's wall-clock span and metrics, for `rle run`.

`rle run -- python train.py` sets RLE_STEPS_FILE and puts this file's folder on PYTHONPATH, so
`import rle_steps` works as is. Parsing the child's stdout is fragile (Python block-buffers a
pipe; Hugging Face prints loss only every `logging_steps`), so this module appends one JSON
object per optimizer step to that file, on the clock rle samples the sensors with (Unix time).
Without RLE_STEPS_FILE and without an explicit path every call is a cheap no-op.

The line format (one object per line, written with a single os.write of line + "\n"):

  {"step": 12, "start": 1767225600.125, "time": 1767225600.431, "loss": 2.31,
   "grad_norm": 0.87, "learning_rate": 0.0003, "epoch": 0.25, "tokens": 8192}

  step           int, the optimizer step, 1-based (HF's state.global_step after the step)
  start, time    float, Unix seconds (time.time()) when the step began and when it ended
  loss, grad_norm, learning_rate, epoch
                 float where known, else absent; epoch may be fractional
  tokens         int, tokens processed in THIS step (not cumulative), where known
  rank           int, the process's global rank: only with all_ranks=True

A non-finite float is written as the JSON string "nan", "inf" or "-inf" (the same words
Python prints), so the file stays valid JSON (no bare NaN) while a diverging loss stays
visible as diverging: it is never dropped and never turned into null. A step's first line
carries start/time; if metrics arrive after that line was written (HF logs after the fact),
a second line with the same step and only the metrics follows: readers merge by step.

Timing: `start` and `time` are host times. On a GPU, work is queued asynchronously, so a step's
`time` marks when Python finished it, which matches the device only if something in the step
waits for the device (`loss.item()`, HF's NaN check, a clip_grad_norm_ result read, ...).
Tensors given as metrics are read with `.item()` only when the step's line is written, i.e.
when the next step begins: the first `.item()` waits for the device's queued work (the same
sync a `loss.item()` in your loop would cost); each further one copies one scalar (~10 us).

Only the local rank 0 process writes by default (LOCAL_RANK, else RANK, else
torch.distributed's rank when initialised): rle samples one machine, so each machine's rle
gets its own local rank 0. configure(all_ranks=True) or RLE_STEPS_ALL_RANKS=1 makes every
rank append to the file, with a "rank" field.

This is one file on purpose (rle puts its folder on PYTHONPATH; users may copy it), hence its
length: the plain API, then the HF and Lightning callbacks, each built on first access.

Nothing here raises into the training loop: a failure (unwritable file, odd metric value)
prints one warning to stderr and the recorder turns into no-ops.
"""
from __future__ import annotations

import atexit
import functools
import json
import math
import os
import sys
import threading
import time
import weakref

# RleCallback and RleLightningCallback are left out: `import *` must not import (or, without
# Lightning, fail to import) the frameworks; name them explicitly.
__all__ = [
    "Recorder", "configure", "default_recorder", "step", "log", "begin_step", "end_step", "flush",
    "close", "enabled", "local_rank", "global_rank",
]

ENV_FILE = "RLE_STEPS_FILE"
ENV_ALL_RANKS = "RLE_STEPS_ALL_RANKS"
FLOAT_FIELDS = ("loss", "grad_norm", "learning_rate", "epoch")
METRIC_FIELDS = FLOAT_FIELDS + ("tokens",)
# HF's log dicts carry these as the step's metrics; eval/summary dicts carry none of them.
HF_STEP_KEYS = ("loss", "grad_norm", "learning_rate")

_recorders = weakref.WeakSet()


def _warn(msg):
    try:
        sys.stderr.write("rle_steps: %s\n" % msg)
        sys.stderr.flush()
    except Exception:  # stderr closed: nothing left to tell
        pass


def _env_int(name):
    try:
        return int(os.environ[name])
    except (KeyError, ValueError):
        return None


def _dist_rank():
    """torch.distributed's global rank if the user's code initialised it (never imports torch)."""
    dist = sys.modules.get("torch.distributed")
    try:
        if dist is not None and dist.is_available() and dist.is_initialized():
            return int(dist.get_rank())
    except Exception:
        pass
    return None


def local_rank():
    """This process's rank on its machine: LOCAL_RANK, else RANK, else torch.distributed, else 0."""
    for r in (_env_int("LOCAL_RANK"), _env_int("RANK"), _dist_rank()):
        if r is not None:
            return r
    return 0


def global_rank():
    """This process's rank in the job: RANK, else torch.distributed, else LOCAL_RANK, else 0."""
    for r in (_env_int("RANK"), _dist_rank(), _env_int("LOCAL_RANK")):
        if r is not None:
            return r
    return 0


def _number(v):
    """A plain int/float from a number, a one-element tensor or a numpy scalar (None stays None).

    This is where a tensor's .item() happens, so only when a line is written."""
    if v is None or isinstance(v, (int, float)):
        return v
    item = getattr(v, "item", None)
    if item is not None:
        v = item()  # a device tensor syncs here: see "Timing" above
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return v
    return float(v)


def _json_float(v):
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def _encode(rec):
    """The JSON line for one record: floats made JSON-safe, tokens an int, unknowns dropped."""
    out = {"step": int(rec["step"])}
    if rec.get("start") is not None:
        out["start"] = rec["start"]
    if rec.get("time") is not None:
        out["time"] = rec["time"]
    m = rec["metrics"]
    for k in FLOAT_FIELDS:
        v = _number(m.get(k))
        if v is not None:
            out[k] = _json_float(v)
    tokens = _number(m.get("tokens"))
    if tokens is not None and math.isfinite(tokens):
        out["tokens"] = int(tokens)
    if rec.get("rank") is not None:
        out["rank"] = rec["rank"]
    return (json.dumps(out, separators=(",", ":"), allow_nan=False) + "\n").encode("utf-8")


def _guard(method):
    """Runs a public method so that rle's failure never becomes the training loop's failure."""
    @functools.wraps(method)
    def run(self, *args, **kwargs):
        if self._state == "off":
            return None
        try:
            return method(self, *args, **kwargs)
        except Exception as e:  # rle's own bug or odd input: report once, then stay quiet
            self._fail("%s failed (%s: %s)" % (method.__name__, type(e).__name__, e))
            return None
    return run


class Recorder:
    """Writes step lines to one JSON-lines file; thread-safe; all methods are no-ops when off.

    path: the file; None means $RLE_STEPS_FILE, resolved at first use (no file: off).
    all_ranks: every distributed rank writes (with "rank"); default: local rank 0 only."""

    def __init__(self, path=None, all_ranks=None):
        self._lock = threading.RLock()
        self._path = path
        self._all_ranks = all_ranks
        self._state = "new"  # new -> on | off, decided at first use
        self._fd = None
        self._rank = None
        self._pid = os.getpid()
        self._open = None  # the step begun and not ended: {"step", "start", "metrics"}
        self._done = None  # the step ended whose line is not written yet
        self._last = 0  # the last step number used (auto numbering continues from it)
        self._last_written = None  # the step number of the last line written
        _recorders.add(self)

    # ----- state -----

    def _resolve(self):
        """Decides on/off once: a path, and this rank writes."""
        if self._state != "new":
            return self._state == "on"
        path = self._path if self._path is not None else os.environ.get(ENV_FILE) or None
        all_ranks = self._all_ranks
        if all_ranks is None:
            all_ranks = os.environ.get(ENV_ALL_RANKS, "") not in ("", "0", "false", "no")
        if path is None or (not all_ranks and local_rank() != 0):
            self._state = "off"
            return False
        self._path = os.fspath(path)
        self._rank = global_rank() if all_ranks else None
        self._state = "on"
        return True

    def _fail(self, why):
        with self._lock:
            first = self._state != "off"
            self._state = "off"
            self._open = self._done = None
            fd, self._fd = self._fd, None
        if fd is not None:
            try:
                os.close(fd)
            except OSError:
                pass
        if first:
            _warn("%s; step recording is off for this run" % why)

    @property
    def enabled(self):
        """True when this process writes step lines (decides on first call)."""
        with self._lock:
            return self._state != "off" and self._resolve()

    @property
    def path(self):
        return self._path if self._state == "on" else None

    # ----- writing -----

    def _write_line(self, rec):
        if self._rank is not None:
            rec["rank"] = self._rank
        data = _encode(rec)
        if self._state != "on":
            return
        try:
            if self._fd is None:
                # O_APPEND: each os.write lands whole at the end, even with several writers.
                flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
                self._fd = os.open(self._path, flags, 0o644)
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view):]
        except OSError as e:
            self._fail("cannot write %s (%s)" % (self._path, e.strerror or e))
            return
        self._last_written = rec["step"]

    def _write_done(self):
        rec, self._done = self._done, None
        if rec is not None:
            self._write_line(rec)

    # ----- the step API -----

    @_guard
    def begin_step(self, step=None, tokens=None, t=None):
        """Starts a step (number `step`, else the last number + 1); writes the previous one.

        The previous line is written before the start time is taken, so a device sync caused by
        reading its tensors falls between the two steps rather than inside this one."""
        with self._lock:
            if not self._resolve():
                return
            if self._open is not None:  # never ended (nested or forgotten): it ends here
                self._end(None, None, {})
            self._write_done()
            number = self._last + 1 if step is None else int(step)
            metrics = {} if tokens is None else {"tokens": tokens}
            self._open = {"step": number, "start": time.time() if t is None else t, "metrics": metrics}
            self._last = number

    def _end(self, step, t, metrics):
        rec, self._open = self._open, None
        rec["time"] = time.time() if t is None else t
        if step is not None:
            rec["step"] = int(step)
            self._last = rec["step"]
        rec["metrics"].update((k, v) for k, v in metrics.items() if v is not None)
        self._done = rec

    @_guard
    def end_step(self, step=None, t=None, write=False, loss=None, grad_norm=None, learning_rate=None,
                 epoch=None, tokens=None):
        """Ends the open step (optionally renumbering it); its line waits for log() unless write.

        Metrics are floats, ints or tensors; None means unknown."""
        metrics = dict(loss=loss, grad_norm=grad_norm, learning_rate=learning_rate, epoch=epoch, tokens=tokens)
        with self._lock:
            if self._open is None or not self._resolve():
                return
            self._end(step, t, metrics)
            if write:
                self._write_done()

    @_guard
    def log(self, step=None, write=False, loss=None, grad_norm=None, learning_rate=None, epoch=None,
            tokens=None):
        """Adds metrics to the open step, else to the last ended one (None values are skipped).

        With `step`, they go to that step only; if its line was already written (or it is not
        the current step) they are written as a line of their own for that step number."""
        metrics = dict(loss=loss, grad_norm=grad_norm, learning_rate=learning_rate, epoch=epoch, tokens=tokens)
        metrics = {k: v for k, v in metrics.items() if v is not None}
        with self._lock:
            if not self._resolve() or not metrics:
                return
            target = self._open if self._open is not None else self._done
            if target is not None and (step is None or int(step) == target["step"]):
                target["metrics"].update(metrics)
                if write and target is self._done:
                    self._write_done()
                return
            number = self._last_written if step is None else int(step)
            if number is not None:
                self._write_line({"step": number, "metrics": metrics})

    @_guard
    def flush(self):
        """Writes the ended step's line now (an open step stays open)."""
        with self._lock:
            self._write_done()

    @_guard
    def close(self):
        """Ends an open step at this moment, writes what is pending and closes the file."""
        with self._lock:
            if os.getpid() != self._pid:
                return  # a forked child (e.g. a DataLoader worker) owns nothing here
            if self._open is not None:
                self._end(None, None, {})
            self._write_done()
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def step(self, step=None, tokens=None):
        """`with recorder.step(tokens=n): ...` times one step; also usable as a decorator."""
        if callable(step):
            return _StepScope(self, None, None)(step)
        return _StepScope(self, step, tokens)


class _StepScope:
    """A context manager (one step) and a decorator (one step per call)."""

    __slots__ = ("_rec", "_step", "_tokens")

    def __init__(self, rec, step, tokens):
        self._rec, self._step, self._tokens = rec, step, tokens

    def __enter__(self):
        self._rec.begin_step(self._step, self._tokens)
        return self

    def __exit__(self, *exc):
        self._rec.end_step()
        return False  # the user's exception, if any, goes on

    def __call__(self, fn):
        if self._step is not None:
            raise TypeError("rle_steps.step(step=%r) numbers one step; a decorated function runs "
                            "many, so decorate with step() or step(tokens=n)" % self._step)
        rec, tokens = self._rec, self._tokens

        @functools.wraps(fn)
        def run(*args, **kwargs):
            with _StepScope(rec, None, tokens):
                return fn(*args, **kwargs)
        return run


# ----- the module-level recorder: what `import rle_steps` users call -----

_default = Recorder()


def configure(path=None, all_ranks=None):
    """Replaces the module's recorder: path (None: $RLE_STEPS_FILE), all_ranks (None: env)."""
    global _default
    old, _default = _default, Recorder(path, all_ranks)
    old.close()
    return _default


def default_recorder():
    return _default


def step(step=None, tokens=None):
    """`with rle_steps.step(tokens=n): ...` (or `@rle_steps.step()`): one optimizer step."""
    return _default.step(step, tokens)


def begin_step(step=None, tokens=None):
    """Starts a step without a with-block (e.g. from your own callbacks)."""
    _default.begin_step(step, tokens)


def end_step(step=None, loss=None, grad_norm=None, learning_rate=None, epoch=None, tokens=None):
    """Ends the step begun by begin_step(); metrics as for log()."""
    _default.end_step(step, loss=loss, grad_norm=grad_norm, learning_rate=learning_rate, epoch=epoch, tokens=tokens)


def log(loss=None, grad_norm=None, learning_rate=None, epoch=None, tokens=None, step=None):
    """Metrics of the current step (inside its with-block) or of the step just ended."""
    _default.log(step, loss=loss, grad_norm=grad_norm, learning_rate=learning_rate, epoch=epoch, tokens=tokens)


def flush():
    _default.flush()


def close():
    _default.close()


def enabled():
    """True when this process is writing step lines (inside `rle run`, or configured)."""
    return _default.enabled


@atexit.register
def _close_all():
    for rec in list(_recorders):
        rec.close()


# ----- Hugging Face Trainer -----

def _hf_logging_hint(args, state):
    """The one stderr line telling users why loss/grad_norm will not be per step, or None."""
    strategy = getattr(args, "logging_strategy", "steps")
    strategy = str(getattr(strategy, "value", strategy)).lower()
    if strategy == "no":
        return ("logging_strategy='no': rle gets each step's times but no loss/grad_norm; "
                "set TrainingArguments(logging_strategy='steps', logging_steps=1) for per-step values")
    if strategy == "epoch":
        return ("logging_strategy='epoch': loss/grad_norm come once per epoch; "
                "set TrainingArguments(logging_strategy='steps', logging_steps=1) for per-step values")
    # Newer HF stores the absolute interval in state.logging_steps (a float < 1 in args is a
    # fraction of max_steps); older HF only has args.logging_steps (default 500).
    n = getattr(state, "logging_steps", None) or getattr(args, "logging_steps", None)
    try:
        n = float(n)
    except (TypeError, ValueError):
        return None
    if 0 < n < 1:
        n = math.ceil(n * (getattr(state, "max_steps", 0) or 0)) or n
    if n > 1:
        return ("the Trainer logs loss/grad_norm every %g steps (logging_steps); rle gets "
                "each step's times but these values only every %g steps; set "
                "TrainingArguments(logging_steps=1) for per-step values" % (n, n))
    return None


class _HfEvents:
    """RleCallback's behaviour, kept apart from its base class (transformers' or a plain one).

    HF's order (Trainer._inner_training_loop): on_train_begin; per epoch on_epoch_begin; per
    optimizer step on_step_begin (at the first micro-batch), on_substep_end per further
    micro-batch (gradient accumulation), on_pre_optimizer_step, on_optimizer_step, global_step
    += 1, on_step_end, then on_log if that step logs; on_epoch_end (may log again); a summary
    on_log; on_train_end. So one rle step is one optimizer step, accumulation included."""

    def __init__(self, path=None, all_ranks=None):
        self._own = None if path is None and all_ranks is None else Recorder(path, all_ranks)
        self._tokens_seen = None  # state.num_input_tokens_seen at the last step end

    @property
    def _rec(self):
        # The module's recorder is looked up on each event, so a later configure() applies.
        return self._own if self._own is not None else _default

    def __getattr__(self, name):
        # Events added by HF versions newer than this file: a no-op rather than an AttributeError.
        if name.startswith("on_"):
            return lambda *args, **kwargs: None
        raise AttributeError(name)

    def _tokens(self, state):
        """Tokens in the step just ended: the delta of HF's cumulative counter (absent if unused)."""
        seen = getattr(state, "num_input_tokens_seen", None)
        seen = _number(seen) if seen is not None else None
        prev, self._tokens_seen = self._tokens_seen, seen
        if seen is None or prev is None or seen <= prev:
            return None  # counter absent, off (stays 0), or reset: unknown, never 0
        return seen - prev

    def on_train_begin(self, args, state, control, **kwargs):
        seen = getattr(state, "num_input_tokens_seen", None)
        self._tokens_seen = _number(seen) if seen is not None else None
        if self._rec.enabled:
            hint = _hf_logging_hint(args, state)
            if hint:
                _warn(hint)

    def on_step_begin(self, args, state, control, **kwargs):
        self._rec.begin_step(step=state.global_step + 1)

    def on_step_end(self, args, state, control, **kwargs):
        # DefaultFlowCallback (first in HF's list) has set control.should_log by now: when this
        # step will not log, nothing more can come for it, so its line goes out at once.
        self._rec.end_step(step=state.global_step, epoch=getattr(state, "epoch", None),
                           tokens=self._tokens(state), write=not getattr(control, "should_log", False))

    def on_log(self, args, state, control, logs=None, **kwargs):
        logs = logs or {}
        if not any(k in logs for k in HF_STEP_KEYS):
            return  # an eval or end-of-training summary dict, not a step's metrics
        self._rec.log(step=state.global_step, write=True, loss=logs.get("loss"),
                      grad_norm=logs.get("grad_norm"), learning_rate=logs.get("learning_rate"))

    def on_train_end(self, args, state, control, **kwargs):
        self._rec.flush()


class _PlainTrainerCallback:
    """The methods of transformers.TrainerCallback, for when transformers is not importable."""

    def on_init_end(self, args, state, control, **kwargs): pass
    def on_train_begin(self, args, state, control, **kwargs): pass
    def on_train_end(self, args, state, control, **kwargs): pass
    def on_epoch_begin(self, args, state, control, **kwargs): pass
    def on_epoch_end(self, args, state, control, **kwargs): pass
    def on_step_begin(self, args, state, control, **kwargs): pass
    def on_pre_optimizer_step(self, args, state, control, **kwargs): pass
    def on_optimizer_step(self, args, state, control, **kwargs): pass
    def on_substep_end(self, args, state, control, **kwargs): pass
    def on_step_end(self, args, state, control, **kwargs): pass
    def on_evaluate(self, args, state, control, **kwargs): pass
    def on_predict(self, args, state, control, metrics, **kwargs): pass
    def on_save(self, args, state, control, **kwargs): pass
    def on_log(self, args, state, control, logs=None, **kwargs): pass
    def on_prediction_step(self, args, state, control, **kwargs): pass


def _make_hf_callback():
    try:
        from transformers import TrainerCallback as base
    except Exception:  # not installed, or broken: the plain base works with HF's handler too
        base = _PlainTrainerCallback

    class RleCallback(_HfEvents, base):
        """`Trainer(..., callbacks=[rle_steps.RleCallback()])`: one line per optimizer step.

        path / all_ranks: as for configure(); by default the module's recorder ($RLE_STEPS_FILE).
        loss/grad_norm/learning_rate come from HF's on_log, i.e. every `logging_steps` steps,
        averaged over them by HF; set logging_steps=1 for per-step values. HF's default
        logging_nan_inf_filter=True replaces a NaN/inf step loss by a running mean before it is
        logged; set it to False so that a diverging loss reaches rle as "nan"/"inf"."""

        def __init__(self, path=None, all_ranks=None):
            _HfEvents.__init__(self, path, all_ranks)

    RleCallback.__module__ = __name__
    return RleCallback


# ----- PyTorch Lightning -----

def _lightning_callback_base():
    # Prefer the package the user already imported: Lightning checks isinstance against its own.
    for name in ("lightning.pytorch", "pytorch_lightning"):
        mod = sys.modules.get(name)
        if mod is not None and hasattr(mod, "Callback"):
            return mod.Callback
    try:
        from lightning.pytorch import Callback
        return Callback
    except ImportError:
        pass
    try:
        from pytorch_lightning import Callback
        return Callback
    except ImportError:
        raise ImportError("rle_steps.RleLightningCallback needs PyTorch Lightning "
                          "(pip install lightning, or pytorch_lightning); for a plain loop use "
                          "`with rle_steps.step(): ...`") from None


def _loss_of(outputs):
    if isinstance(outputs, dict):
        return outputs.get("loss")
    if hasattr(outputs, "item"):
        return outputs
    return None


def _make_lightning_callback():
    base = _lightning_callback_base()

    class RleLightningCallback(base):
        """`L.Trainer(callbacks=[rle_steps.RleLightningCallback()])`: one line per optimizer step.

        step = trainer.global_step after the step; loss from the training_step output (a tensor
        or a dict's "loss"), the mean over the micro-batches of one optimizer step;
        learning_rate = the first optimizer's first param group's lr when the step began (the
        one its optimizer.step() uses); tokens(batch) -> int, optional, summed per step."""

        def __init__(self, tokens=None, path=None, all_ranks=None):
            super().__init__()
            self._own = None if path is None and all_ranks is None else Recorder(path, all_ranks)
            self._tokens_fn = tokens
            self._open_at = None  # trainer.global_step when the open step began
            self._loss_sum = None
            self._n = 0
            self._tokens = None

        @property
        def _rec(self):
            return self._own if self._own is not None else _default

        def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
            try:
                if self._open_at != trainer.global_step:  # first micro-batch of a step
                    self._rec.begin_step(step=trainer.global_step + 1)
                    self._open_at = trainer.global_step
                    self._loss_sum, self._n, self._tokens = None, 0, None
                    optimizers = getattr(trainer, "optimizers", None) or []
                    if optimizers and optimizers[0].param_groups:
                        self._rec.log(learning_rate=optimizers[0].param_groups[0].get("lr"))
                if self._tokens_fn is not None:
                    n = self._tokens_fn(batch)
                    if n is not None:
                        self._tokens = n if self._tokens is None else self._tokens + n
            except Exception as e:  # a user tokens() bug must not stop training either
                self._rec._fail("RleLightningCallback.on_train_batch_start failed (%s: %s)" % (type(e).__name__, e))

        def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
            try:
                loss = _loss_of(outputs)
                if loss is not None:
                    if hasattr(loss, "detach"):
                        loss = loss.detach()  # adding tensors queues work; no sync until written
                    self._loss_sum = loss if self._loss_sum is None else self._loss_sum + loss
                    self._n += 1
                if self._open_at is None or trainer.global_step == self._open_at:
                    return  # accumulating: the optimizer has not stepped yet
                self._open_at = None
                self._rec.end_step(step=trainer.global_step, write=True,
                                   loss=None if self._loss_sum is None else self._loss_sum / self._n,
                                   epoch=_lightning_epoch(trainer, batch_idx), tokens=self._tokens)
            except Exception as e:
                self._rec._fail("RleLightningCallback.on_train_batch_end failed (%s: %s)" % (type(e).__name__, e))

        def on_train_end(self, trainer, pl_module):
            self._open_at = None
            self._rec.flush()

    RleLightningCallback.__module__ = __name__
    return RleLightningCallback


def _lightning_epoch(trainer, batch_idx):
    """current_epoch + the fraction of its batches done (whole epochs when the length is unknown)."""
    epoch = getattr(trainer, "current_epoch", None)
    if epoch is None:
        return None
    n = getattr(trainer, "num_training_batches", None)
    try:
        if n and math.isfinite(n):
            return epoch + (batch_idx + 1) / n
    except TypeError:
        pass
    return float(epoch)


_LAZY = {"RleCallback": _make_hf_callback, "RleLightningCallback": _make_lightning_callback}


def __getattr__(name):
    # Built on first access, so `import rle_steps` never imports transformers or Lightning.
    make = _LAZY.get(name)
    if make is None:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    cls = make()
    globals()[name] = cls
    return cls
