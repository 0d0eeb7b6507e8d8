"""Shared by the rle_steps tests: import path, temp files, line reading, child interpreters."""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PYDIR = os.path.join(ROOT, "python")
if PYDIR not in sys.path:
    sys.path.insert(0, PYDIR)

import rle_steps  # noqa: E402  (needs PYDIR on the path first)


def tmp_path(test, name="steps.jsonl"):
    """A path in a fresh folder that is removed when the test ends."""
    d = tempfile.TemporaryDirectory(prefix="rle-steps-")
    test.addCleanup(d.cleanup)
    return os.path.join(d.name, name)


def _no_bare_constants(word):
    raise ValueError("bare %s in a JSON line" % word)


def read_lines(path):
    """The file's records; fails on a half line or on NaN/Infinity, which strict JSON forbids."""
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        data = f.read().decode("utf-8")
    assert data == "" or data.endswith("\n"), "file ends in a partial line: %r" % data[-80:]
    return [json.loads(line, parse_constant=_no_bare_constants) for line in data.splitlines()]


def merged(records):
    """Records merged by step number, as rle does: {step: {field: value}}."""
    out = {}
    for r in records:
        out.setdefault(r["step"], {}).update(r)
    return out


def child_env(**extra):
    """The environment for a child Python as users have it: no PYTHONUNBUFFERED (this machine
    sets it, users' machines do not), rle_steps importable through PYTHONPATH as `rle run` does."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONUNBUFFERED", "RLE_STEPS_FILE", "RLE_STEPS_ALL_RANKS", "RANK", "LOCAL_RANK")}
    env["PYTHONPATH"] = PYDIR
    env.update({k: v for k, v in extra.items() if v is not None})
    return env


_found = {}


def python_with(*modules):
    """An interpreter that can import all `modules`: $RLE_TEST_PYTHON, this one, or Debian's
    /usr/bin/python3 (where python3-torch installs); None when none can."""
    key = tuple(modules)
    if key not in _found:
        _found[key] = None
        seen = set()
        for exe in (os.environ.get("RLE_TEST_PYTHON"), sys.executable, "/usr/bin/python3"):
            if not exe or exe in seen or not os.path.exists(exe):
                continue
            seen.add(exe)
            code = "import " + ", ".join(modules)
            try:
                ok = subprocess.run([exe, "-c", code], env=child_env(), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, timeout=180).returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                ok = False
            if ok:
                _found[key] = exe
                break
    return _found[key]


def run_child(test, exe, script, timeout=300, **env):
    """Runs `script` (source text) in `exe`; fails the test with its output when it exits non-zero."""
    path = tmp_path(test, "child.py")
    with open(path, "w") as f:
        f.write(script)
    p = subprocess.run([exe, path], env=child_env(**env), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, universal_newlines=True)
    if p.returncode != 0:
        test.fail("child exited %d\nstdout:\n%s\nstderr:\n%s" % (p.returncode, p.stdout[-4000:], p.stderr[-4000:]))
    return p
