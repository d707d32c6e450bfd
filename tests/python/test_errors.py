"""Bad input at every entry point: a ValueError / TypeError naming the argument and the accepted values, never a
crash; the arrays passed in are left alone."""
import numpy as np
import pytest

import numforge as nf

X = np.array([1.0, 2.0], np.float32)


@pytest.mark.parametrize("call,exc,words", [
    (lambda: nf.format("e9m3"), ValueError, ["e9m3", "accepted"]),
    (lambda: nf.encode(X, "e4m4x"), ValueError, ["fmt", "accepted"]),
    (lambda: nf.encode(X, 3), TypeError, ["fmt", "accepted"]),
    (lambda: nf.encode(np.array([1, 2]), "e4m3"), TypeError, ["x", "int64", "accepted", "float32"]),
    (lambda: nf.encode(X, "e4m3", rounding="nearest"), ValueError, ["rounding", "nearest", "accepted", "rne"]),
    (lambda: nf.encode(X, "e4m3", rounding="sr"), ValueError, ["sr_bits", "rng"]),
    (lambda: nf.encode(X, "e4m3", rounding="sr", sr_bits=np.array([1, 2], np.uint32), sr_width=40), ValueError,
     ["sr_width", "accepted", "1..24"]),
    (lambda: nf.encode(X, "e4m3", rng=3), ValueError, ["rounding='sr'"]),
    (lambda: nf.encode(X, "e4m3", saturate="yes"), TypeError, ["saturate"]),
    (lambda: nf.decode(np.array([300], np.uint16), "e4m3"), ValueError, ["codes", "0xff"]),
    (lambda: nf.decode(X, "e4m3"), TypeError, ["codes", "float32", "accepted"]),
    (lambda: nf.decode(np.array([1], np.uint8), "e4m3", dtype="int8"), ValueError, ["dtype", "accepted"]),
    (lambda: nf.mx_quantize(X, "e4m3", block=0), ValueError, ["block", "accepted"]),
    (lambda: nf.mx_quantize(X, "e4m3", block=65), ValueError, ["block", "accepted", "1..64"]),
    (lambda: nf.mx_quantize(X, "uint8"), ValueError, ["elem", "accepted"]),
    (lambda: nf.mx_quantize(X, "e4m3", scale_rule="ceil"), ValueError, ["scale_rule", "floor, rceil"]),
    (lambda: nf.mx_quantize(X, "e4m3", axis=2), ValueError, ["axis", "accepted"]),
    (lambda: nf.mx_dequantize(np.zeros(3, np.uint8), np.zeros(64, np.uint8)), ValueError, ["scales", "accepted"]),
    (lambda: nf.nvfp4_quantize(X, rounding="sr"), ValueError, ["rounding", "accepted"]),
    (lambda: nf.nvfp4_quantize(X, tensor_scale="1"), TypeError, ["tensor_scale"]),
    (lambda: nf.mul(np.zeros(3, np.uint8), np.zeros(4, np.uint8), "e4m3"), ValueError, ["broadcast"]),
    (lambda: nf.mul(X, X, "e4m3", out="e4m3", rounding="dyn"), ValueError, ["rounding", "accepted"]),
    (lambda: nf.dot(X, X, accum="fast"), ValueError, ["accum", "exact, align, chain"]),
    (lambda: nf.dot(X, X, accum="align", align_bits=99), ValueError, ["align_bits", "accepted"]),
    (lambda: nf.dot(X, X, group=33), ValueError, ["group", "accepted", "1..32"]),
    (lambda: nf.dot(X, X, accum="chain", group=2), ValueError, ["group", "chain"]),
    (lambda: nf.matmul(np.zeros((2, 3), np.uint8), np.zeros((2, 3), np.uint8)), ValueError, ["M x K", "K x N"]),
    (lambda: nf.kulisch(X, "e4m3", "fp32", carry_bits=0), ValueError, ["carry_bits", "accepted"]),
    (lambda: nf.set_num_threads(0), ValueError, ["accepted"]),
    (lambda: nf.encode("abc", "e4m3"), TypeError, ["x", "accepted"]),
])
def test_bad_input_names_the_argument(call, exc, words):
    with pytest.raises(exc) as e:
        call()
    for w in words:
        assert w in str(e.value), (w, str(e.value))


def test_nan_payloads_and_empty_arrays_do_not_crash():
    nans = np.array([0x7FC00001, 0xFFFFFFFF, 0x7F800001], np.uint32).view(np.float32)
    z = nf.encode(nans, "e4m3")
    assert z.tolist() == [0x7F, 0x7F, 0x7F]
    assert nf.encode(nans, "e2m1").dtype == np.uint8  # no NaN in e2m1: the unit's max-finite rule
    empty = np.zeros((0, 32), np.float32)
    s, q = nf.mx_quantize(empty, "e4m3")
    assert s.shape == (0, 1) and q.shape == (0, 32)
    assert nf.dot(np.zeros((0, 4), np.uint8), np.zeros((0, 4), np.uint8)).shape == (0,)
    with pytest.raises(ValueError, match="at least 1"):
        nf.dot(np.zeros((3, 0), np.uint8), np.zeros((3, 0), np.uint8))
