"""mul / add / fma / dot / matmul / facc / kulisch against the host FPU (NumPy float32 and float16 arithmetic, which
round once to nearest even) and from-the-definition restatements of exact and aligned accumulation."""
import numpy as np
import pytest

import numforge as nf


def finite_fp32(rng, n):
    return (rng.standard_normal(n) * np.exp2(rng.integers(-140, 120, n))).astype(np.float32)


def assert_same_values(got_codes, fmt, want):
    got = nf.decode(got_codes, fmt, "float64")
    want = np.asarray(want, dtype=np.float64)
    nan = np.isnan(want)
    assert np.array_equal(np.isnan(got), nan)
    assert np.array_equal(got[~nan], want[~nan]) and np.array_equal(np.signbit(got[~nan]), np.signbit(want[~nan]))


def test_mul_add_fp32_match_the_host_fpu(rng):
    a, b = finite_fp32(rng, 100000), finite_fp32(rng, 100000)
    with np.errstate(all="ignore"):
        assert_same_values(nf.mul(a.view(np.uint32), b.view(np.uint32), "fp32"), "fp32", a * b)
        assert_same_values(nf.add(a.view(np.uint32), b.view(np.uint32), "fp32"), "fp32", a + b)
    # Float operands are encoded to the operand format first; broadcasting as NumPy's.
    z = nf.mul(np.float32([[1.5], [2.0]]), np.float32([1.0, 3.0, -0.5]), "fp32")
    assert nf.decode(z, "fp32").tolist() == [[1.5, 4.5, -0.75], [2.0, 6.0, -1.0]]


def test_fma_fp16_matches_one_rounding_of_the_exact_value(rng):
    def fp16(n, lo, hi):
        return (rng.choice([-1, 1], n) * np.exp2(rng.uniform(lo, hi, n))).astype(np.float16)
    a, b, c = fp16(50000, -4, 4), fp16(50000, -4, 4), fp16(50000, -6, 6)
    exact = a.astype(np.float64) * b.astype(np.float64) + c.astype(np.float64)  # exact in binary64 here
    z = nf.fma(a.view(np.uint16), b.view(np.uint16), c.view(np.uint16), "fp16")
    assert np.array_equal(z, exact.astype(np.float16).view(np.uint16))


def e4m3_values(rng, shape):
    codes = rng.integers(0, 256, size=shape, dtype=np.uint8)
    codes[(codes & 0x7F) == 0x7F] = 0x38  # no NaNs here
    return codes, nf.decode(codes, "e4m3", "float64")


def test_dot_exact_is_one_rounding_of_the_exact_sum(rng):
    a, av = e4m3_values(rng, (2000, 32))
    b, bv = e4m3_values(rng, (2000, 32))
    exact = (av * bv).sum(axis=1)  # e4m3 products and their sums of 32 are exact in binary64
    z = nf.dot(a, b, a_fmt="e4m3", out="fp32")
    assert np.array_equal(nf.decode(z, "fp32"), exact.astype(np.float32))


def align_dot_from_definition(av, bv, fmt, align_bits):
    """fdot align: each product truncated toward zero to align_bits fraction bits below the largest alignment
    exponent (a product's: the sum of its operands' leading-bit exponents, emin for subnormals), summed exactly,
    rounded once to fp32."""
    f = nf.format(fmt)
    def lead(v):
        return max(int(np.floor(np.log2(abs(v)))), f.emin)
    terms = [(x * y, lead(x) + lead(y)) for x, y in zip(av, bv) if x != 0 and y != 0]
    if not terms:
        return 0.0
    unit = 2.0 ** (max(e for _, e in terms) - align_bits)
    total = sum(np.trunc(p / unit) * unit for p, _ in terms)  # exact: integers times a power of two
    return np.float32(total)


def test_dot_align_matches_its_definition_and_groups_chain(rng):
    a, av = e4m3_values(rng, (300, 64))
    b, bv = e4m3_values(rng, (300, 64))
    z = nf.dot(a[:, :16], b[:, :16], a_fmt="e4m3", out="fp32", accum="align", align_bits=13)
    want = [align_dot_from_definition(av[i, :16], bv[i, :16], "e4m3", 13) for i in range(300)]
    assert np.array_equal(nf.decode(z, "fp32"), np.array(want, np.float32))
    # K = 64, group 32: two fdot units chained through fp32, the second taking the first's result as its addend.
    full = nf.dot(a, b, a_fmt="e4m3", out="fp32", accum="align", align_bits=13, group=32)
    first = nf.dot(a[:, :32], b[:, :32], a_fmt="e4m3", out="fp32", accum="align", align_bits=13)
    second = nf.dot(a[:, 32:], b[:, 32:], c=first, a_fmt="e4m3", out="fp32", accum="align", align_bits=13)
    assert np.array_equal(full, second)
    # A tail group: K = 40 with group 32 is a 32-term unit then an 8-term one.
    tail = nf.dot(a[:, :40], b[:, :40], a_fmt="e4m3", out="fp32", accum="align", align_bits=13, group=32)
    second8 = nf.dot(a[:, 32:40], b[:, 32:40], c=first, a_fmt="e4m3", out="fp32", accum="align", align_bits=13)
    assert np.array_equal(tail, second8)


def test_matmul_is_dot_of_rows_and_columns(rng):
    A, _ = e4m3_values(rng, (24, 96))
    B, _ = e4m3_values(rng, (96, 17))
    Z = nf.matmul(A, B, accum="align", align_bits=13, group=32)
    assert Z.shape == (24, 17) and Z.dtype == np.uint32
    want = nf.dot(A[:, None, :], B.T[None, :, :], accum="align", align_bits=13, group=32)
    assert np.array_equal(Z, want)
    chain = nf.matmul(A, B, accum="chain", out="bf16")
    steps = np.full((24, 17), 0x8000, np.uint16)  # fdot chain starts from -0
    for k in range(96):
        steps = nf.fma(A[:, k:k + 1], B[k:k + 1, :], steps, "e4m3", c_fmt="bf16", out="bf16")
    assert np.array_equal(chain, steps)
    torch = pytest.importorskip("torch")
    Zt = nf.matmul(torch.from_numpy(A), torch.from_numpy(B), accum="align", align_bits=13, group=32)
    assert isinstance(Zt, torch.Tensor) and np.array_equal(Zt.numpy().view(np.uint32), Z)


def test_facc_is_a_sequence_of_fp32_additions(rng):
    x = (rng.standard_normal((50, 200)) * 10).astype(np.float16)
    z = nf.facc(x.view(np.uint16), "fp16", out="fp32")
    want = np.add.accumulate(x.astype(np.float32), axis=1)  # sequential float32 additions, rne
    assert np.array_equal(nf.decode(z, "fp32"), want)
    z0 = nf.facc(np.ascontiguousarray(x.T).view(np.uint16), "fp16", out="fp32", axis=0)
    assert np.array_equal(z0, z.T)


def test_kulisch_is_one_rounding_of_the_exact_sum(rng):
    a, av = e4m3_values(rng, (20, 300))
    b, bv = e4m3_values(rng, (20, 300))
    z = nf.kulisch(a, "e4m3", "fp32", b=b, b_fmt="e4m3")
    exact = np.cumsum(av * bv, axis=1)  # exact in binary64 (products of e4m3, 300 terms)
    assert np.array_equal(nf.decode(z, "fp32"), exact.astype(np.float32))


@pytest.mark.parametrize("accum,align_bits,out", [("align", 13, "fp32"), ("align", 3, "bf16"), ("exact", None, "fp32"),
                                                  ("exact", None, "e5m2")])
def test_dot_fast_path_is_the_fdot_model(rng, accum, align_bits, out):
    """The table-driven group sum in the binding against fdotModel itself, on every code (NaN, Inf, zeros, subnormals),
    cancellations to zero and chained groups with a tail."""
    a = rng.integers(0, 256, size=(400, 75), dtype=np.uint8)
    b = rng.integers(0, 256, size=(400, 75), dtype=np.uint8)
    a[:50] = a[:50] & 0x87  # small magnitudes: many cancellations and subnormal products
    b[50:100] = b[50:100] & 0x80  # zeros of both signs
    c = nf.encode(rng.standard_normal(400).astype(np.float32), out)
    for group in (32, 8, 5):
        kw = dict(a_fmt="e4m3", b_fmt="e4m3", out=out, accum=accum, align_bits=align_bits, group=group, flags=True)
        fast = nf.dot(a, b, **kw), nf.dot(a, b, c=c, **kw)
        nf._core._set_fast_paths(False)
        try:
            slow = nf.dot(a, b, **kw), nf.dot(a, b, c=c, **kw)
        finally:
            nf._core._set_fast_paths(True)
        for (zf, ff), (zs, fs) in zip(fast, slow):
            assert np.array_equal(zf, zs) and np.array_equal(ff, fs), (group, np.flatnonzero(zf != zs)[:5])
