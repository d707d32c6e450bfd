"""Shared helpers of the numforge Python tests (run by ctest as `python_pytest`, inside `make test`)."""
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(os.environ.get("NF_SOURCE_DIR", Path(__file__).resolve().parents[2]))
NUMFORGE = os.environ.get("NUMFORGE_BIN", str(ROOT / "build" / "numforge"))


def verify_vectors(tmp_path, unit_args, lines):
    """Runs `numforge verify <unit_args> --vectors FILE` on the generated RTL with TestFloat-style lines (input words,
    the expected first output, optionally flags) and returns its report; fails on any mismatch."""
    path = tmp_path / "vectors.txt"
    path.write_text("\n".join(lines) + "\n")
    cmd = [NUMFORGE, "verify", *unit_args.split(), "--vectors", str(path), "--check-nans"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    report = r.stdout + r.stderr
    assert r.returncode == 0, f"{' '.join(cmd)} failed:\n{report}"
    assert " 0 mismatches" in report, report
    return report


def hexs(a):
    return [format(int(v), "x") for v in np.asarray(a).reshape(-1)]


@pytest.fixture
def rng():
    return np.random.default_rng(20261201)


def special_floats32():
    """fp32 values every conversion must get right: zeros, subnormals, ties, the range edges, Inf, NaN payloads."""
    v = [0.0, -0.0, 1.0, -1.0, 1.5, 448.0, 464.0, 480.0, 57344.0, 65504.0, 65520.0, 2.0 ** -6, 2.0 ** -9,
         2.0 ** -10, 3 * 2.0 ** -11, 2.0 ** -14, 2.0 ** -24, 2.0 ** -25, 1e-40, -1e-45, 3.4e38, np.inf, -np.inf]
    bits = np.array(v, dtype=np.float32).view(np.uint32).tolist()
    bits += [0x7FC00000, 0xFFC00001, 0x7F800001, 0x7FBFFFFF]  # quiet and signaling NaNs with payloads
    return np.array(bits, dtype=np.uint32).view(np.float32)
