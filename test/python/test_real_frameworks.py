"""rle_steps with the real libraries, each in a child interpreter that has them (else skipped).

The child is $RLE_TEST_PYTHON, this interpreter, or /usr/bin/python3 (Debian's python3-torch),
run as `rle run` would: RLE_STEPS_FILE set, PYTHONPATH, no PYTHONUNBUFFERED."""
import importlib.util
import json
import math
import os
import sys
import unittest
from unittest import mock

from _support import PYDIR, python_with, read_lines, run_child, tmp_path

TORCH_LOOP = r"""
import json, sys, time
import torch
import rle_steps

torch.manual_seed(0)
model = torch.nn.Linear(4, 1)
opt = torch.optim.SGD(model.parameters(), lr=0.05)
x = torch.randn(32, 4)
y = x @ torch.tensor([[1.0], [-2.0], [3.0], [0.5]])
kept = []
for i in range(6):
    before = time.time()
    with rle_steps.step(tokens=x.shape[0]):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        if i == 5:
            loss = loss * float("nan")  # a diverged step
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 100.0)
        opt.step()
        time.sleep(0.02)
    after = time.time()
    rle_steps.log(loss=loss.detach(), grad_norm=norm, learning_rate=opt.param_groups[0]["lr"])
    kept.append((before, after, loss.detach(), norm))
# .item() only now, after training, so the helper's own reads are the only ones in the loop.
out = [{"before": b, "after": a, "loss": l.item(), "grad_norm": n.item()} for b, a, l, n in kept]
json.dump(out, open(sys.argv[1] if len(sys.argv) > 1 else __import__("os").environ["EXPECT"], "w"))
"""

HF_TRAINER = r"""
import json, os, sys, time
import torch
import rle_steps
from transformers import Trainer, TrainerCallback, TrainingArguments

VOCAB, SEQ = 40, 12

class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(VOCAB, 16)
        self.out = torch.nn.Linear(16, VOCAB)

    def forward(self, input_ids, labels=None):
        logits = self.out(self.emb(input_ids))
        return {"loss": torch.nn.functional.cross_entropy(logits.reshape(-1, VOCAB), labels.reshape(-1)),
                "logits": logits}

class Spy(TrainerCallback):
    def __init__(self):
        self.events = []
    def on_step_begin(self, args, state, control, **kwargs):
        self.events.append(("begin", time.time(), state.global_step, state.num_input_tokens_seen))
    def on_step_end(self, args, state, control, **kwargs):
        self.events.append(("end", time.time(), state.global_step, state.num_input_tokens_seen))

torch.manual_seed(0)
data = []
for _ in range(64):
    ids = torch.randint(0, VOCAB, (SEQ,))
    data.append({"input_ids": ids, "labels": (ids + 1) % VOCAB})
before, after = Spy(), Spy()
cb = rle_steps.RleCallback()
assert isinstance(cb, TrainerCallback), type(cb).__mro__
args = TrainingArguments(
    output_dir=os.environ["OUT_DIR"], max_steps=6, per_device_train_batch_size=4,
    gradient_accumulation_steps=2, logging_steps=int(os.environ["LOGGING_STEPS"]),
    include_num_input_tokens_seen="all", learning_rate=0.05, report_to="none", save_strategy="no",
    use_cpu=True, disable_tqdm=True, dataloader_num_workers=0)
trainer = Trainer(model=Tiny(), args=args, train_dataset=data, callbacks=[before, cb, after])
trainer.train()
json.dump({"before": before.events, "after": after.events, "log_history": trainer.state.log_history},
          open(os.environ["EXPECT"], "w"))
"""

LIGHTNING = r"""
import json, os, time
import torch
import lightning.pytorch as L
import rle_steps

class Module(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(4, 1)
    def training_step(self, batch, batch_idx):
        x, y = batch
        return torch.nn.functional.mse_loss(self.lin(x), y)
    def configure_optimizers(self):
        opt = torch.optim.SGD(self.parameters(), lr=0.1)
        halve = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 0.5 ** k)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": halve, "interval": "step"}}

class Spy(L.Callback):
    def __init__(self):
        self.events = []
    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        self.events.append(("start", time.time(), trainer.global_step, trainer.optimizers[0].param_groups[0]["lr"], None))
    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        self.events.append(("end", time.time(), trainer.global_step, None, float(outputs["loss"])))

torch.manual_seed(0)
x = torch.randn(64, 4)
y = x.sum(dim=1, keepdim=True)
loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=8)
before, after = Spy(), Spy()
cb = rle_steps.RleLightningCallback(tokens=lambda batch: batch[0].shape[0])
trainer = L.Trainer(max_steps=3, accumulate_grad_batches=2, callbacks=[before, cb, after], logger=False,
                    enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                    accelerator="cpu", devices=1)
trainer.fit(Module(), loader)
json.dump({"before": before.events, "after": after.events}, open(os.environ["EXPECT"], "w"))
"""


def load_json(path):
    with open(path) as f:
        return json.load(f)


class RealTorchLoop(unittest.TestCase):
    def test_plain_api_with_tensor_losses(self):
        exe = python_with("torch")
        if exe is None:
            self.skipTest("no interpreter with torch (install python3-torch, or set RLE_TEST_PYTHON)")
        path, expect = tmp_path(self), tmp_path(self, "expect.json")
        run_child(self, exe, TORCH_LOOP, RLE_STEPS_FILE=path, EXPECT=expect)
        lines, ref = read_lines(path), load_json(expect)
        self.assertEqual([r["step"] for r in lines], [1, 2, 3, 4, 5, 6])
        for r, e in zip(lines, ref):
            self.assertTrue(e["before"] <= r["start"] <= r["time"] <= e["after"])
            self.assertGreaterEqual(r["time"] - r["start"], 0.02)
            self.assertEqual(r["tokens"], 32)
            self.assertEqual(r["learning_rate"], 0.05)
            self.assertEqual(r["grad_norm"], e["grad_norm"] if math.isfinite(e["grad_norm"]) else "nan")
        self.assertEqual([r["loss"] for r in lines[:5]], [e["loss"] for e in ref[:5]])
        self.assertLess(lines[4]["loss"], lines[0]["loss"])  # it really trained
        self.assertEqual(lines[5]["loss"], "nan")


class RealHfTrainer(unittest.TestCase):
    def train(self, logging_steps):
        exe = python_with("torch", "transformers", "accelerate")
        if exe is None:
            self.skipTest("no interpreter with torch + transformers + accelerate (set RLE_TEST_PYTHON)")
        path, expect = tmp_path(self), tmp_path(self, "expect.json")
        p = run_child(self, exe, HF_TRAINER, RLE_STEPS_FILE=path, EXPECT=expect, LOGGING_STEPS=str(logging_steps),
                      OUT_DIR=os.path.dirname(path))
        return read_lines(path), load_json(expect), p.stderr

    def check_steps(self, lines, ref):
        self.assertEqual([r["step"] for r in lines], [1, 2, 3, 4, 5, 6])
        b0 = [e for e in ref["before"] if e[0] == "begin"]
        b1 = [e for e in ref["after"] if e[0] == "begin"]
        e0 = [e for e in ref["before"] if e[0] == "end"]
        e1 = [e for e in ref["after"] if e[0] == "end"]
        seen = [0] + [e[3] for e in e1]
        for k, r in enumerate(lines):
            self.assertTrue(b0[k][1] <= r["start"] <= b1[k][1])
            self.assertTrue(e0[k][1] <= r["time"] <= e1[k][1])
            self.assertEqual(r["step"], e1[k][2])
            self.assertEqual(r["tokens"], seen[k + 1] - seen[k])
            self.assertEqual(r["tokens"], 2 * 4 * 12)  # accumulation 2 x batch 4 x 12 tokens

    def test_per_step_logging(self):
        lines, ref, err = self.train(1)
        self.check_steps(lines, ref)
        self.assertNotIn("rle_steps", err)
        history = {h["step"]: h for h in ref["log_history"] if "loss" in h}
        for r in lines:
            self.assertEqual(r["loss"], history[r["step"]]["loss"])
            self.assertEqual(r["grad_norm"], history[r["step"]]["grad_norm"])
            self.assertEqual(r["learning_rate"], history[r["step"]]["learning_rate"])
            self.assertEqual(r["epoch"], history[r["step"]]["epoch"])

    def test_logging_every_three_steps_hints_once(self):
        lines, ref, err = self.train(3)
        self.check_steps(lines, ref)
        self.assertEqual(err.count("rle_steps:"), 1, err)
        self.assertIn("every 3 steps", err)
        self.assertEqual([r["step"] for r in lines if "loss" in r], [3, 6])


class RealLightning(unittest.TestCase):
    def test_accumulated_steps_loss_lr_and_tokens(self):
        exe = python_with("torch", "lightning")
        if exe is None:
            self.skipTest("no interpreter with torch + lightning (set RLE_TEST_PYTHON)")
        path, expect = tmp_path(self), tmp_path(self, "expect.json")
        run_child(self, exe, LIGHTNING, RLE_STEPS_FILE=path, EXPECT=expect)
        lines, ref = read_lines(path), load_json(expect)
        self.assertEqual([r["step"] for r in lines], [1, 2, 3])
        starts0 = [e for e in ref["before"] if e[0] == "start"]
        starts1 = [e for e in ref["after"] if e[0] == "start"]
        ends0 = [e for e in ref["before"] if e[0] == "end"]
        ends1 = [e for e in ref["after"] if e[0] == "end"]
        for k, r in enumerate(lines):
            first, last = 2 * k, 2 * k + 1  # two micro-batches per optimizer step
            self.assertTrue(starts0[first][1] <= r["start"] <= starts1[first][1])
            self.assertTrue(ends0[last][1] <= r["time"] <= ends1[last][1])
            self.assertEqual(ends1[last][2], r["step"])  # trainer.global_step after the step
            self.assertTrue(math.isclose(r["loss"], (ends1[first][4] + ends1[last][4]) / 2, rel_tol=1e-6))
            self.assertTrue(math.isclose(r["learning_rate"], 0.1 * 0.5 ** k))  # the lr its step used
            self.assertEqual(r["tokens"], 16)
            self.assertTrue(math.isclose(r["epoch"], (last + 1) / 8))


class LightningMissing(unittest.TestCase):
    def test_accessing_the_class_without_lightning_is_a_clear_import_error(self):
        spec = importlib.util.spec_from_file_location("rle_steps_fresh", os.path.join(PYDIR, "rle_steps.py"))
        fresh = importlib.util.module_from_spec(spec)
        blocked = {name: None for name in ("lightning", "lightning.pytorch", "pytorch_lightning")}
        with mock.patch.dict(sys.modules, blocked):  # None in sys.modules makes an import fail
            spec.loader.exec_module(fresh)
            with self.assertRaises(ImportError) as caught:
                fresh.RleLightningCallback
        self.assertIn("pip install lightning", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
