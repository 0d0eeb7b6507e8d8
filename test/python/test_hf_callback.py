"""RleCallback driven by fake_hf.Trainer, which calls callbacks in HF's order with HF's arguments."""
import io
import math
import unittest
from contextlib import redirect_stderr

import fake_hf
from _support import merged, read_lines, rle_steps, tmp_path

LOSSES = [4.0, 3.5, 3.0, 2.6, 2.2, 1.9, 1.7, 1.5]


class HfCallback(unittest.TestCase):
    def run_trainer(self, losses=LOSSES, **kw):
        """Trains with [spy before, RleCallback, spy after]; returns lines, stderr, spies."""
        path = tmp_path(self)
        trainer_kw = {k: kw.pop(k) for k in list(kw) if k in (
            "old_state", "tokens_before_step_begin", "steps_per_epoch", "epochs", "work_s", "grad_norm")}
        args = fake_hf.Args(**kw)
        before, after = fake_hf.Spy(), fake_hf.Spy(peek=lambda: read_lines(path))
        cb = rle_steps.RleCallback(path=path)
        err = io.StringIO()
        with redirect_stderr(err):
            fake_hf.Trainer(args, [before, cb, after], losses, **trainer_kw).train()
            cb._rec.close()
        return read_lines(path), err.getvalue(), before, after

    @staticmethod
    def times_of(spy, event):
        return [(t, gs) for name, t, gs, *_ in spy.events if name == event]

    def test_logging_every_step_gives_one_full_line_per_step_at_hf_times(self):
        lines, err, before, after = self.run_trainer(logging_steps=1, include_num_input_tokens_seen="all")
        self.assertEqual(err, "")  # per-step logging: no hint
        self.assertEqual([r["step"] for r in lines], list(range(1, 9)))
        begins, ends = self.times_of(before, "on_step_begin"), self.times_of(after, "on_step_end")
        begins_after, ends_before = self.times_of(after, "on_step_begin"), self.times_of(before, "on_step_end")
        for r, (b0, _), (b1, _), (e0, _), (e1, gs) in zip(lines, begins, begins_after, ends_before, ends):
            self.assertTrue(b0 <= r["start"] <= b1)  # taken inside on_step_begin
            self.assertTrue(e0 <= r["time"] <= e1)  # taken inside on_step_end
            self.assertEqual(r["step"], gs)  # HF's global_step after the step
        self.assertEqual([r["loss"] for r in lines], LOSSES)
        self.assertTrue(all(r["grad_norm"] == 1.5 for r in lines))
        self.assertTrue(math.isclose(lines[0]["learning_rate"], 1e-3))
        self.assertEqual([r["epoch"] for r in lines], [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0])
        self.assertEqual([r["tokens"] for r in lines], [128] * 8)  # deltas of the cumulative count

    def test_a_logged_step_waits_for_on_log_and_an_unlogged_one_is_written_at_step_end(self):
        _, _, _, after = self.run_trainer(logging_steps=2)
        peeks = [(gs, [r["step"] for r in peek]) for name, _, gs, _, _, peek in after.events if name == "on_step_end"]
        # At step 1's end (no log coming) its line is already on disk; step 2 waits for on_log.
        self.assertEqual(peeks[0], (1, [1]))
        self.assertEqual(peeks[1], (2, [1]))
        self.assertEqual(peeks[2], (3, [1, 2, 3]))

    def test_logging_every_n_steps_prints_one_hint_and_still_times_every_step(self):
        lines, err, _, _ = self.run_trainer(logging_steps=2)
        self.assertEqual(err.count("\n"), 1, err)
        self.assertIn("every 2 steps", err)
        self.assertIn("logging_steps=1", err)
        self.assertEqual([r["step"] for r in lines], list(range(1, 9)))  # one line per step
        self.assertTrue(all("start" in r and "time" in r for r in lines))
        logged = {r["step"]: r["loss"] for r in lines if "loss" in r}
        self.assertEqual(sorted(logged), [2, 4, 6, 8])
        self.assertTrue(math.isclose(logged[2], (4.0 + 3.5) / 2))  # HF's mean since the last log

    def test_default_logging_steps_500_hints(self):
        _, err, _, _ = self.run_trainer()
        self.assertIn("every 500 steps", err)

    def test_a_fractional_logging_steps_is_resolved_against_max_steps(self):
        _, err, _, _ = self.run_trainer(logging_steps=0.25, max_steps=8)
        self.assertIn("every 2 steps", err)

    def test_a_fractional_logging_steps_in_old_hf_too(self):
        _, err, _, _ = self.run_trainer(logging_steps=0.5, max_steps=8, old_state=True)
        self.assertIn("every 4 steps", err)

    def test_epoch_logging_hints_and_the_late_loss_is_a_second_line_of_that_step(self):
        lines, err, _, _ = self.run_trainer(logging_strategy="epoch")
        self.assertIn("logging_strategy='epoch'", err)
        by_step = merged(lines)
        self.assertEqual(sorted(by_step), list(range(1, 9)))
        self.assertEqual(len(lines), 8 + 2)  # the loss of steps 4 and 8 came after their lines
        self.assertTrue(math.isclose(by_step[4]["loss"], sum(LOSSES[:4]) / 4))
        self.assertIn("start", by_step[4])

    def test_gradient_accumulation_is_one_step_per_optimizer_step(self):
        lines, _, _, _ = self.run_trainer(logging_steps=1, gradient_accumulation_steps=3, work_s=0.01,
                                          include_num_input_tokens_seen="all")
        self.assertEqual([r["step"] for r in lines], list(range(1, 9)))
        self.assertTrue(all(r["tokens"] == 3 * 128 for r in lines))
        self.assertTrue(all(r["time"] - r["start"] >= 3 * 0.01 for r in lines))  # all micro-batches inside

    def test_tokens_counted_before_step_begin_as_in_hf_4(self):
        lines, _, _, _ = self.run_trainer(logging_steps=1, gradient_accumulation_steps=2,
                                          include_num_input_tokens_seen=True, tokens_before_step_begin=True)
        self.assertEqual([r["tokens"] for r in lines], [256] * 8)

    def test_no_tokens_when_hf_does_not_count_them(self):
        lines, _, _, _ = self.run_trainer(logging_steps=1)  # include_num_input_tokens_seen="no": stays 0
        self.assertTrue(all("tokens" not in r for r in lines))
        lines, _, _, _ = self.run_trainer(logging_steps=1, old_state=True)  # no such attribute
        self.assertTrue(all("tokens" not in r for r in lines))

    def test_a_nan_loss_reaches_the_file_when_hf_does_not_filter_it(self):
        losses = [4.0, 3.0, float("nan"), float("inf"), 2.0, 2.0, 2.0, 2.0]
        lines, _, _, _ = self.run_trainer(losses, logging_steps=1, logging_nan_inf_filter=False)
        self.assertEqual([r["loss"] for r in lines[:4]], [4.0, 3.0, "nan", "inf"])
        # HF's default filter replaces it by a running mean: what rle then sees is finite.
        lines, _, _, _ = self.run_trainer(losses, logging_steps=1)
        self.assertTrue(all(isinstance(r["loss"], float) for r in lines))

    def test_eval_and_summary_logs_add_no_lines(self):
        path = tmp_path(self)
        args, state, control = fake_hf.Args(logging_steps=1), fake_hf.State(), fake_hf.Control()
        state.compute_steps(args, 8)  # HF does this before on_train_begin
        cb = rle_steps.RleCallback(path=path)
        cb.on_train_begin(args, state, control)
        cb.on_step_begin(args, state, control)
        state.global_step = 1
        control.should_log = True
        cb.on_step_end(args, state, control)
        cb.on_log(args, state, control, logs={"loss": 1.0, "learning_rate": 0.1, "epoch": 0.1})
        cb.on_log(args, state, control, logs={"eval_loss": 2.0, "epoch": 0.1})
        cb.on_log(args, state, control, logs={"train_runtime": 3.0, "train_loss": 1.0})
        cb.on_train_end(args, state, control)
        lines = read_lines(path)
        self.assertEqual(len(lines), 1)
        self.assertEqual(lines[0]["loss"], 1.0)

    def test_it_has_every_hf_event_and_tolerates_new_ones(self):
        cb = rle_steps.RleCallback(path=tmp_path(self))
        for name in ("on_init_end", "on_epoch_begin", "on_substep_end", "on_pre_optimizer_step",
                     "on_optimizer_step", "on_evaluate", "on_save", "on_prediction_step", "on_push_begin",
                     "on_some_future_event"):
            self.assertIsNone(getattr(cb, name)(fake_hf.Args(), fake_hf.State(), fake_hf.Control()))
        with self.assertRaises(AttributeError):
            cb.not_an_event  # noqa: B018

    def test_outside_rle_run_it_is_silent(self):
        import os
        from unittest import mock
        with mock.patch.dict(os.environ, {}):
            os.environ.pop("RLE_STEPS_FILE", None)
            rle_steps.configure()
            try:
                err = io.StringIO()
                with redirect_stderr(err):
                    fake_hf.Trainer(fake_hf.Args(), [rle_steps.RleCallback()], LOSSES).train()
                self.assertEqual(err.getvalue(), "")  # not even the logging_steps hint
            finally:
                rle_steps.configure()


if __name__ == "__main__":
    unittest.main()
