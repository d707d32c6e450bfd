"""encode / decode / quantize / convert against independent oracles: PyTorch's own bfloat16 and float16 casts,
NumPy's float16 casts, and OCP FP8 restated from its definition (torch 1.13 has no float8 dtypes; a newer torch's
float8_e4m3fn / float8_e5m2 are used when present). Plus arrays of any layout, tensors, threads, stochastic
rounding from its definition."""
from fractions import Fraction

import numpy as np
import pytest

import numforge as nf
from conftest import special_floats32


def same_bits_or_both_nan(got, want, fmt):
    got, want = np.asarray(got).astype(np.uint32), np.asarray(want).astype(np.uint32)
    f = nf.format(fmt)
    nan = np.array([np.isnan(f.value(int(c))) for c in want]) if want.size < 5000 else None
    if nan is None:
        vals = nf.decode(want.astype(f.dtype), f, "float64")
        nan = np.isnan(vals)
    assert np.array_equal(got[~nan], want[~nan]), np.flatnonzero(got != want)[:10]
    assert np.all(np.isnan(nf.decode(got[nan].astype(f.dtype), f, "float64")))


def wide_fp32(rng, n):
    bits = rng.integers(0, 1 << 32, size=n, dtype=np.uint64).astype(np.uint32)
    return np.concatenate([special_floats32(), bits.view(np.float32)])


def test_fp32_to_bf16_and_fp16_match_torch(rng):
    torch = pytest.importorskip("torch")
    x = wide_fp32(rng, 200000)
    t = torch.from_numpy(x)
    want_bf16 = t.to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
    same_bits_or_both_nan(nf.encode(x, "bf16"), want_bf16, "bf16")
    want_fp16 = t.to(torch.float16).view(torch.int16).numpy().view(np.uint16)
    same_bits_or_both_nan(nf.encode(x, "fp16"), want_fp16, "fp16")
    # Tensors in, tensors out; the bf16 fake quantization is torch's round trip.
    q = nf.quantize(t, "bf16")
    assert isinstance(q, torch.Tensor) and q.dtype == torch.float32
    want = t.to(torch.bfloat16).to(torch.float32).numpy()
    ok = ~np.isnan(want)
    assert np.array_equal(q.numpy()[ok].view(np.uint32), want[ok].view(np.uint32))


def test_float64_and_float32_to_fp16_match_numpy(rng):
    x64 = np.concatenate([rng.standard_normal(100000) * 10.0 ** rng.integers(-9, 6, size=100000),
                          special_floats32().astype(np.float64)])
    same_bits_or_both_nan(nf.encode(x64, "fp16"), x64.astype(np.float16).view(np.uint16), "fp16")
    x32 = wide_fp32(rng, 100000)
    same_bits_or_both_nan(nf.encode(x32, "fp16"), x32.astype(np.float16).view(np.uint16), "fp16")
    h = np.arange(1 << 16, dtype=np.uint16)
    got = nf.decode(h, "fp16")
    want = h.view(np.float16).astype(np.float32)
    ok = ~np.isnan(want)
    assert np.array_equal(got[ok].view(np.uint32), want[ok].view(np.uint32)) and np.all(np.isnan(got[~ok]))


def fp8_values(e, m, bias, fn):
    """code -> exact value from the OCP FP8 definition (fn: no Inf, only S.1111.111 is NaN)."""
    out = {}
    for code in range(256):
        s, ex, man = code >> 7, (code >> m) & ((1 << e) - 1), code & ((1 << m) - 1)
        if fn and ex == (1 << e) - 1 and man == (1 << m) - 1:
            continue
        if not fn and ex == (1 << e) - 1:
            continue
        v = Fraction(man, 1 << m) * Fraction(2) ** (1 - bias) if ex == 0 else \
            (1 + Fraction(man, 1 << m)) * Fraction(2) ** (ex - bias)
        out[code] = -v if s else v
    return out


def rne_from_definition(x, values, saturate_to):
    """Round-to-nearest-even onto the finite values; beyond max + half an ulp, +-saturate_to (None: NaN)."""
    pos = sorted((v, c) for c, v in values.items() if v > 0 or (v == 0 and c == 0))
    vmax, cmax = pos[-1]
    ulp = pos[-1][0] - pos[-2][0]
    xf = Fraction(float(x))
    mag = abs(xf)
    if mag >= vmax + ulp / 2 and not (mag == vmax + ulp / 2 and cmax % 2 == 0):
        return None if saturate_to is None else (cmax | (0x80 if xf < 0 else 0))
    best = min(pos, key=lambda vc: (abs(vc[0] - mag), vc[1] & 1))
    return best[1] | (0x80 if xf < 0 or (xf == 0 and np.signbit(x)) else 0)


@pytest.mark.parametrize("fmt,e,m,bias,fn", [("e4m3", 4, 3, 7, True), ("e5m2", 5, 2, 15, False)])
def test_fp8_encode_matches_the_ocp_definition(rng, fmt, e, m, bias, fn):
    values = fp8_values(e, m, bias, fn)
    vmax = max(values.values())
    x = np.concatenate([(rng.standard_normal(3000) * float(vmax) / 8).astype(np.float32),
                        (rng.standard_normal(2000) * 2.0 ** -7 if fn else rng.standard_normal(2000) * 2.0 ** -15)
                        .astype(np.float32),
                        np.array([float(v) for v in values.values()], dtype=np.float32)])
    # Midpoints between neighbours: ties must go to the even code.
    pos = sorted(set(v for v in values.values() if v > 0))
    x = np.concatenate([x, np.array([float((a + b) / 2) for a, b in zip(pos, pos[1:])], dtype=np.float32)])
    got = nf.encode(x, fmt, saturate=True)
    want = np.array([rne_from_definition(v, values, True) for v in x], dtype=np.uint8)
    assert np.array_equal(got, want), [(float(x[i]), int(got[i]), int(want[i])) for i in np.flatnonzero(got != want)[:5]]
    dec = nf.decode(np.array(list(values), dtype=np.uint8), fmt, "float64")
    assert dec.tolist() == [float(v) for v in values.values()]
    torch = pytest.importorskip("torch")
    tdt = getattr(torch, "float8_e4m3fn" if fn else "float8_e5m2", None)
    if tdt is not None:  # newer torch: its own fp8 casts (saturate=False semantics differ at overflow, so in range)
        inr = np.abs(x) <= float(vmax)
        t = torch.from_numpy(x[inr]).to(tdt).view(torch.uint8).numpy()
        assert np.array_equal(nf.encode(x[inr], fmt), t)


def test_e4m3_overflow_without_saturate_is_nan():
    # 464 is the tie between 448 (even) and 480 (the NaN's place): rne keeps 448; beyond is NaN (canonical 0x7f).
    z = nf.encode(np.array([464.0, 464.1, -1e6, np.inf], np.float32), "e4m3")
    assert z.tolist() == [0x7E, 0x7F, 0x7F, 0x7F]
    assert nf.encode(np.array([464.0, 463.9], np.float32), "e4m3", saturate=True).tolist() == [0x7E, 0x7E]


def test_stochastic_rounding_follows_its_definition(rng):
    # e4m3 normals: |x| -> truncate(|x| + r * 2^(lsb - R)) with R = 16 bits below the result's lsb.
    x = (rng.uniform(1, 2, 2000) * np.exp2(rng.integers(-5, 8, 2000))).astype(np.float32)
    bits = nf.sr_random_bits(11, x.shape, 16)
    got = nf.encode(x, "e4m3", rounding="sr", sr_bits=bits, saturate=True)
    values = fp8_values(4, 3, 7, True)
    for xi, r, g in zip(x[:500], bits[:500], got[:500]):
        lsb = Fraction(2) ** (int(np.floor(np.log2(xi))) - 3)
        y = Fraction(float(xi)) + r * lsb / (1 << 16)
        want = (y // lsb) * lsb
        assert values[int(g)] == min(want, Fraction(448)), (xi, r)
    # rng gives exactly sr_random_bits(rng, shape, R); the same seed the same codes.
    assert np.array_equal(nf.encode(x, "e4m3", rounding="sr", rng=11, sr_width=16, saturate=True), got)
    assert not np.array_equal(nf.encode(x, "e4m3", rounding="sr", rng=12, sr_width=16, saturate=True), got)


def test_any_layout_any_shape_and_threads(rng):
    x = rng.standard_normal((64, 48, 5)).astype(np.float32)
    view = x[::2, 3::5, ::-1].transpose(2, 0, 1)
    assert not view.flags.c_contiguous
    got = nf.encode(view, "e5m2")
    assert got.shape == view.shape and got.dtype == np.uint8
    assert np.array_equal(got, nf.encode(np.ascontiguousarray(view), "e5m2"))
    assert nf.encode(np.zeros((0, 3), np.float32), "e4m3").shape == (0, 3)
    assert nf.encode(np.float32(1.0), "e4m3").shape == ()
    big = rng.standard_normal(3_000_000).astype(np.float32)
    nf.set_num_threads(1)
    one = nf.encode(big, "e4m3", rounding="rtz")
    nf.set_num_threads(4)
    assert np.array_equal(nf.encode(big, "e4m3", rounding="rtz"), one)
    nf.set_num_threads(2)


def test_convert_codes_between_formats():
    codes = np.arange(256, dtype=np.uint8)
    wide = nf.convert(codes, "e4m3", "bf16")
    assert wide.dtype == np.uint16
    assert np.array_equal(nf.convert(wide, "bf16", "e4m3"), np.where(codes == 0xFF, 0x7F, codes))
    assert nf.convert(np.array([0x3F80], np.uint16), "bf16", "int8").tolist() == [1]
    custom = nf.format("e5m4,bias=12")
    assert custom.bits == 10 and custom.bias == 12
    v = nf.decode(nf.encode(np.array([1.0, 3.0], np.float32), custom), custom)
    assert v.tolist() == [1.0, 3.0]


def test_torch_bfloat16_in_and_out():
    torch = pytest.importorskip("torch")
    t = torch.tensor([1.0, 3.0, -0.3, 1000.0], dtype=torch.bfloat16)
    codes = nf.encode(t, "e4m3", saturate=True)
    assert isinstance(codes, torch.Tensor) and codes.dtype == torch.uint8
    back = nf.decode(codes, "e4m3", dtype=torch.bfloat16)
    assert back.dtype == torch.bfloat16
    assert back.float().tolist() == [1.0, 3.0, -0.3125, 448.0]
    q = nf.quantize(t, "e4m3", saturate=True)
    assert q.dtype == torch.bfloat16 and q.float().tolist() == [1.0, 3.0, -0.3125, 448.0]
