"""MX and NVFP4 block quantizers: OCP MX v1.0 restated from its definition (exact arithmetic), the axis and
padding rules, round trips, and NVIDIA's per-tensor scale recipe."""
import math
from fractions import Fraction

import numpy as np
import pytest

import numforge as nf
from test_elementwise import fp8_values, rne_from_definition


def mx_floor_e4m3_from_definition(block):
    """OCP MX v1.0: s = floor(log2(amax)) - 8 (e4m3's emax), elements RNE(x / 2^s) clamped to +-448."""
    amax = max(abs(Fraction(float(v))) for v in block)
    if amax == 0:
        return 0, [0x80 if np.signbit(v) else 0 for v in block]
    s = max(-127, min(127, math.floor(math.log2(amax)) - 8))
    while Fraction(2) ** (s + 8) > amax:  # exact floor(log2) (the float log2 may be off by one at powers of 2)
        s -= 1
    while Fraction(2) ** (s + 9) <= amax:
        s += 1
    values = fp8_values(4, 3, 7, True)
    elems = [rne_from_definition(float(Fraction(float(v)) / Fraction(2) ** s), values, True) if v != 0
             else (0x80 if np.signbit(v) else 0) for v in block]
    return s + 127, elems


def test_mx_e4m3_floor_matches_the_ocp_definition(rng):
    x = (rng.standard_normal((60, 32)) * np.exp2(rng.integers(-20, 20, size=(60, 1)))).astype(np.float32)
    x[0] = 0
    x[1, :16] = -0.0
    scales, q = nf.mx_quantize(x, "e4m3")
    assert scales.shape == (60, 1) and q.shape == x.shape
    for i in range(len(x)):
        s, elems = mx_floor_e4m3_from_definition(x[i])
        assert int(scales[i, 0]) == s, i
        assert q[i].tolist() == elems, i


def test_mx_axis_and_padding_rules(rng):
    x = rng.standard_normal((37, 5)).astype(np.float32)
    s0, q0 = nf.mx_quantize(x, "e2m1", block=8, axis=0)
    s1, q1 = nf.mx_quantize(np.ascontiguousarray(x.T), "e2m1", block=8, axis=-1)
    assert s0.shape == (5, 5) and np.array_equal(s0, s1.T) and np.array_equal(q0, q1.T)
    # A short last block is the block padded with +0: the same scale and elements as quantizing the padded array.
    padded = np.concatenate([x.T, np.zeros((5, 3), np.float32)], axis=1)
    sp, qp = nf.mx_quantize(padded, "e2m1", block=8)
    assert np.array_equal(s1, sp) and np.array_equal(q1, qp[:, :37])
    z = nf.mx_dequantize(s0, q0, "e2m1", block=8, axis=0)
    assert z.shape == x.shape
    # Dequantized values are P * 2^(scale - 127) exactly (e2m1 element values times the scale).
    e2m1 = {c: nf.format("e2m1").value(c) for c in range(16)}
    scale_per_elem = np.repeat(s0, 8, axis=0)[:37]
    want = np.vectorize(lambda c, s: e2m1[int(c)] * 2.0 ** (int(s) - 127))(q0, scale_per_elem)
    assert np.array_equal(z.astype(np.float64), want)


def test_mx_specials_and_stochastic_rounding(rng):
    x = np.ones((3, 32), np.float32)
    x[1, 4] = np.nan
    s, q = nf.mx_quantize(x, "e4m3")
    assert s[:, 0].tolist() == [119, 0xFF, 119] and not q[1].any()  # 2^(0 - 8): e4m3's emax is 8
    bits = nf.sr_random_bits(5, x.shape, 8)
    a = nf.mx_quantize(x * 1.01, "e4m3", rounding="sr", sr_bits=bits, sr_width=8)
    b = nf.mx_quantize(x * 1.01, "e4m3", rounding="sr", rng=5, sr_width=8)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))


def test_mx_rceil_scale_is_the_smallest_that_fits(rng):
    x = (rng.standard_normal((200, 32)) * 50).astype(np.float32)
    s, _ = nf.mx_quantize(x, "e2m1", scale_rule="rceil")
    amax = np.abs(x).max(axis=1).astype(np.float64)
    e = s[:, 0].astype(int) - 127
    assert np.all(amax / np.exp2(e) <= 6.0) and np.all(amax / np.exp2(e - 1) > 6.0)


def test_nvfp4_round_trip_and_tensor_scale(rng):
    torch = pytest.importorskip("torch")
    x = torch.from_numpy((rng.standard_normal((8, 40)) * 3).astype(np.float32))
    scales, q, t = nf.nvfp4_quantize(x)
    assert isinstance(q, torch.Tensor) and q.shape == x.shape and scales.shape == (8, 3)
    amax = float(x.abs().max())
    assert t == float(np.float32(Fraction(amax) / 2688))  # fp32_rne(amax / (6 * 448)), exact quotient
    z = nf.nvfp4_dequantize(scales, q, t).numpy()
    e2m1 = nf.decode(q, "e2m1", "float64").numpy()
    sb = np.repeat(nf.decode(scales, "ue4m3", "float64").numpy(), 16, axis=1)[:, :40]
    assert np.array_equal(z.astype(np.float64), (e2m1 * sb * t).astype(np.float32).astype(np.float64))
    # Quantization error stays within half an element step of each block's grid.
    err = np.abs(z - x.numpy())
    assert np.all(err <= sb * t * 1.0 + 1e-30)
    s2, q2, t2 = nf.nvfp4_quantize(x, tensor_scale=t)
    assert t2 == t and torch.equal(q2, q)
