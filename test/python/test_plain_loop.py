"""The plain-loop API: `with rle_steps.step(): ...` + `rle_steps.log(...)`."""
import io
import math
import os
import subprocess
import sys
import threading
import time
import unittest
from contextlib import redirect_stderr
from unittest import mock

from _support import child_env, merged, read_lines, rle_steps, tmp_path

STEP_S = 0.04  # each step's simulated work, s: long enough to tell from timer noise


class FakeTensor:
    """A 0-d tensor stand-in that counts .item() calls (each would be a device sync)."""

    def __init__(self, value):
        self.value, self.items = value, 0

    def item(self):
        self.items += 1
        return self.value


class PlainLoop(unittest.TestCase):
    def setUp(self):
        self.path = tmp_path(self)
        self.rec = rle_steps.Recorder(self.path)

    def test_each_step_is_one_line_with_its_real_start_and_end(self):
        spans = []
        for i in range(3):
            before = time.time()
            with self.rec.step(tokens=100 * (i + 1)):
                first = time.time()
                time.sleep(STEP_S)
                last = time.time()
            after = time.time()
            self.rec.log(loss=3.0 - i, grad_norm=0.5, learning_rate=1e-3)
            spans.append((before, first, last, after))
        self.rec.close()
        lines = read_lines(self.path)
        self.assertEqual([r["step"] for r in lines], [1, 2, 3])
        for r, (before, first, last, after) in zip(lines, spans):
            # start is taken on entering the block, time on leaving it: bracketed exactly.
            self.assertTrue(before <= r["start"] <= first, (before, r["start"], first))
            self.assertTrue(last <= r["time"] <= after, (last, r["time"], after))
            self.assertGreaterEqual(r["time"] - r["start"], STEP_S)
            # No more than the block took as seen from outside it (a busy machine stretches both).
            self.assertLessEqual(r["time"] - r["start"], after - before)
        self.assertEqual([r["tokens"] for r in lines], [100, 200, 300])
        self.assertEqual([r["loss"] for r in lines], [3.0, 2.0, 1.0])
        self.assertEqual(lines[0]["grad_norm"], 0.5)
        self.assertEqual(lines[0]["learning_rate"], 1e-3)
        self.assertEqual(set(lines[0]), {"step", "start", "time", "loss", "grad_norm", "learning_rate", "tokens"})

    def test_a_line_is_written_when_the_next_step_begins(self):
        with self.rec.step():
            pass
        self.rec.log(loss=1.0)
        self.assertEqual(read_lines(self.path), [])  # log() may still come for step 1
        with self.rec.step():
            self.assertEqual([r["step"] for r in read_lines(self.path)], [1])
        self.rec.flush()
        self.assertEqual([r["step"] for r in read_lines(self.path)], [1, 2])

    def test_explicit_step_numbers_and_counting_on_from_them(self):
        with self.rec.step(step=10):
            pass
        with self.rec.step():
            pass
        with self.rec.step(step=40):
            self.rec.log(loss=0.25)  # inside the block: this step
        self.rec.close()
        lines = read_lines(self.path)
        self.assertEqual([r["step"] for r in lines], [10, 11, 40])
        self.assertEqual(lines[2]["loss"], 0.25)

    def test_tokens_known_only_after_the_step(self):
        with self.rec.step():
            pass
        self.rec.log(tokens=512, epoch=0.5)
        self.rec.close()
        (r,) = read_lines(self.path)
        self.assertEqual((r["tokens"], r["epoch"]), (512, 0.5))
        self.assertIsInstance(r["tokens"], int)

    def test_non_finite_values_are_strings_and_the_file_stays_strict_json(self):
        for loss in (float("nan"), float("inf"), float("-inf"), 1.5):
            with self.rec.step():
                pass
            self.rec.log(loss=loss, grad_norm=float("nan"))
        self.rec.close()
        with open(self.path) as f:
            text = f.read()
        self.assertNotIn("NaN", text)
        self.assertNotIn("Infinity", text)
        lines = read_lines(self.path)  # strict: refuses bare NaN/Infinity
        self.assertEqual([r["loss"] for r in lines], ["nan", "inf", "-inf", 1.5])
        self.assertTrue(all(r["grad_norm"] == "nan" for r in lines))

    def test_tensors_are_read_once_and_only_when_the_line_is_written(self):
        loss, norm = FakeTensor(2.5), FakeTensor(float("nan"))
        with self.rec.step():
            pass
        self.rec.log(loss=loss, grad_norm=norm)
        self.assertEqual((loss.items, norm.items), (0, 0))  # no sync inside the user's step
        with self.rec.step():
            pass
        self.assertEqual((loss.items, norm.items), (1, 1))
        self.rec.close()
        self.assertEqual((loss.items, norm.items), (1, 1))
        self.assertEqual(read_lines(self.path)[0]["loss"], 2.5)
        self.assertEqual(read_lines(self.path)[0]["grad_norm"], "nan")

    def test_waiting_for_a_tensor_falls_between_steps_not_inside_one(self):
        class SlowTensor(FakeTensor):
            def item(self):
                time.sleep(0.03)  # a device still busy with the step's queued work
                return super().item()

        with self.rec.step():
            pass
        self.rec.log(loss=SlowTensor(1.0))
        with self.rec.step():
            pass
        self.rec.close()
        first, second = read_lines(self.path)
        self.assertGreaterEqual(second["start"] - first["time"], 0.03)
        self.assertLess(second["time"] - second["start"], 0.02)

    def test_decorator_times_each_call(self):
        @self.rec.step(tokens=64)
        def train_step(x):
            time.sleep(0.01)
            return x * 2

        @self.rec.step
        def bare(x):
            return x

        self.assertEqual([train_step(i) for i in range(3)], [0, 2, 4])
        self.assertEqual(bare(7), 7)
        self.rec.close()
        lines = read_lines(self.path)
        self.assertEqual([r["step"] for r in lines], [1, 2, 3, 4])
        self.assertEqual([r.get("tokens") for r in lines], [64, 64, 64, None])
        self.assertTrue(all(r["time"] - r["start"] >= 0.01 for r in lines[:3]))

    def test_a_numbered_step_cannot_decorate(self):
        with self.assertRaises(TypeError):
            self.rec.step(step=3)(lambda: None)

    def test_an_exception_in_the_step_still_ends_it_and_goes_on(self):
        with self.assertRaises(ZeroDivisionError):
            with self.rec.step():
                1 / 0
        self.rec.close()
        (r,) = read_lines(self.path)
        self.assertEqual(r["step"], 1)
        self.assertIn("time", r)

    def test_close_ends_an_open_step(self):
        self.rec.begin_step()
        time.sleep(0.01)
        self.rec.close()
        (r,) = read_lines(self.path)
        self.assertGreaterEqual(r["time"] - r["start"], 0.01)

    def test_metrics_after_the_line_was_written_become_a_second_line_of_that_step(self):
        with self.rec.step():
            pass
        self.rec.flush()
        self.rec.log(loss=4.0)
        self.rec.close()
        lines = read_lines(self.path)
        self.assertEqual(lines[1], {"step": 1, "loss": 4.0})  # no start/time: merged by step
        self.assertEqual(merged(lines)[1]["loss"], 4.0)

    def test_threads_never_interleave_lines(self):
        def logger(k):
            for i in range(200):
                self.rec.log(step=10000 * (k + 1) + i, loss=float(i))  # never a main-loop step

        threads = [threading.Thread(target=logger, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for _ in range(50):
            with self.rec.step():
                pass
        for t in threads:
            t.join()
        self.rec.close()
        lines = read_lines(self.path)
        self.assertEqual(len(lines), 800 + 50)


class Robustness(unittest.TestCase):
    def test_no_file_means_no_ops(self):
        with mock.patch.dict(os.environ, {}, clear=False):
            os.environ.pop("RLE_STEPS_FILE", None)
            rec = rle_steps.Recorder()
            err = io.StringIO()
            with redirect_stderr(err):
                with rec.step(tokens=1):
                    pass
                rec.log(loss=1.0)
                rec.close()
            self.assertFalse(rec.enabled)
            self.assertIsNone(rec.path)
            self.assertEqual(err.getvalue(), "")

    def test_unwritable_file_warns_once_then_stays_quiet(self):
        bad = os.path.join(tmp_path(self), "no-such-dir", "steps.jsonl")
        rec = rle_steps.Recorder(bad)
        err = io.StringIO()
        with redirect_stderr(err):
            for _ in range(5):
                with rec.step():
                    pass
                rec.log(loss=1.0)
            rec.close()
        self.assertEqual(err.getvalue().count("\n"), 1, err.getvalue())
        self.assertIn("cannot write", err.getvalue())
        self.assertFalse(rec.enabled)

    def test_a_bad_metric_value_warns_and_does_not_raise(self):
        path = tmp_path(self)
        rec = rle_steps.Recorder(path)
        err = io.StringIO()
        with redirect_stderr(err):
            with rec.step():
                pass
            rec.log(loss="not a number")
            with rec.step():  # writing step 1 fails here, inside rle_steps
                pass
            rec.close()
        self.assertIn("rle_steps:", err.getvalue())
        self.assertEqual(read_lines(path), [])

    def test_only_local_rank_zero_writes_by_default(self):
        path = tmp_path(self)
        with mock.patch.dict(os.environ, {"LOCAL_RANK": "1", "RANK": "5"}):
            rec = rle_steps.Recorder(path)
            with rec.step():
                pass
            rec.close()
            self.assertFalse(rec.enabled)
        self.assertFalse(os.path.exists(path))

    def test_all_ranks_write_with_their_global_rank(self):
        path = tmp_path(self)
        for local, glob in (("0", "4"), ("1", "5")):
            with mock.patch.dict(os.environ, {"LOCAL_RANK": local, "RANK": glob}):
                rec = rle_steps.Recorder(path, all_ranks=True)
                with rec.step(step=1):
                    pass
                rec.close()
        self.assertEqual([(r["step"], r["rank"]) for r in read_lines(path)], [(1, 4), (1, 5)])

    def test_all_ranks_from_the_environment(self):
        path = tmp_path(self)
        with mock.patch.dict(os.environ, {"RLE_STEPS_ALL_RANKS": "1", "LOCAL_RANK": "2", "RANK": "2"}):
            rec = rle_steps.Recorder(path)
            with rec.step():
                pass
            rec.close()
        self.assertEqual(read_lines(path)[0]["rank"], 2)


class AsUsersRunIt(unittest.TestCase):
    """A child Python as `rle run` starts it: RLE_STEPS_FILE, PYTHONPATH, no PYTHONUNBUFFERED."""

    SCRIPT = r"""
import sys, time
import rle_steps
for i in range(3):
    with rle_steps.step(tokens=8):
        time.sleep(0.02)
    rle_steps.log(loss=1.0 / (i + 1))
sys.stdout.write("three steps done\n")
sys.stdout.flush()
sys.stdin.readline()  # the parent reads the file while this process is still running
"""

    def test_lines_appear_while_the_child_runs_and_the_last_at_exit(self):
        path = tmp_path(self)
        env = child_env(RLE_STEPS_FILE=path)
        self.assertNotIn("PYTHONUNBUFFERED", env)
        p = subprocess.Popen([sys.executable, "-c", self.SCRIPT], env=env, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        try:
            self.assertEqual(p.stdout.readline(), "three steps done\n")
            # Steps 1 and 2 are on disk already; step 3 waits for a possible log() until exit.
            self.assertEqual([r["step"] for r in read_lines(path)], [1, 2])
            _, err = p.communicate("\n", timeout=30)
        finally:
            if p.poll() is None:
                p.kill()
        self.assertEqual(p.returncode, 0, err)
        lines = read_lines(path)
        self.assertEqual([r["step"] for r in lines], [1, 2, 3])
        self.assertTrue(math.isclose(lines[2]["loss"], 1 / 3))
        self.assertEqual(err, "")

    def test_without_rle_run_nothing_is_written_or_printed(self):
        folder = os.path.dirname(tmp_path(self))
        p = subprocess.run([sys.executable, "-c", self.SCRIPT], env=child_env(), cwd=folder, input="\n",
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stderr, "")
        self.assertEqual(os.listdir(folder), [])


if __name__ == "__main__":
    unittest.main()
