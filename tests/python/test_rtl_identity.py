"""Bit identity with the generated RTL: the same vectors through the Python function and, as a TestFloat-style
vector file, through `numforge verify <unit> --vectors` (the Verilated unit of the checked-in catalog). verify
compares the RTL's first output (and flags where the unit has them) with the file, so a Python result that
differs from the RTL in any bit fails here."""
import numpy as np
import pytest

import numforge as nf
from conftest import hexs, special_floats32, verify_vectors


def random_fp32(rng, n):
    """fp32 encodings spread over every binade (uniform bits), plus values near the narrow formats' range."""
    bits = rng.integers(0, 1 << 32, size=n, dtype=np.uint64).astype(np.uint32)
    near = (rng.standard_normal(n) * 100).astype(np.float32).view(np.uint32)
    return np.concatenate([special_floats32().view(np.uint32), bits, near]).view(np.float32)


def test_encode_fp32_to_e4m3_saturate_matches_rtl(tmp_path, rng):
    x = random_fp32(rng, 3000)
    z, f = nf.encode(x, "e4m3", saturate=True, flags=True)
    lines = [f"{a} {b} {c}" for a, b, c in zip(hexs(x.view(np.uint32)), hexs(z), hexs(f))]
    verify_vectors(tmp_path, "fcvt --a fp32 --out e4m3 --saturate --flags", lines)


def test_encode_bf16_to_e2m1_stochastic_matches_rtl(tmp_path, rng):
    torch = pytest.importorskip("torch")
    x = torch.from_numpy(random_fp32(rng, 2000)).to(torch.bfloat16)
    codes = x.view(torch.int16).numpy().view(np.uint16)
    bits = nf.sr_random_bits(7, codes.shape, 8)
    z, f = nf.encode(x, "e2m1", rounding="sr", sr_bits=bits, flags=True)
    z, f = z.numpy(), f.numpy()
    lines = [" ".join(t) for t in zip(hexs(codes), hexs(bits), hexs(z), hexs(f))]
    verify_vectors(tmp_path, "fcvt --a bf16 --out e2m1 --round sr --flags", lines)


def test_decode_e4m3_matches_rtl(tmp_path):
    codes = np.arange(256, dtype=np.uint8)
    z = nf.decode(codes, "e4m3").view(np.uint32)
    lines = [f"{a} {b} 0" for a, b in zip(hexs(codes), hexs(z))]
    verify_vectors(tmp_path, "fcvt --a e4m3 --out fp32 --flags", lines)


def test_mul_e4m3_every_pair_matches_rtl(tmp_path):
    a, b = np.meshgrid(np.arange(256, dtype=np.uint8), np.arange(256, dtype=np.uint8), indexing="ij")
    z, f = nf.mul(a, b, "e4m3", flags=True)
    lines = [" ".join(t) for t in zip(hexs(a), hexs(b), hexs(z), hexs(f))]
    verify_vectors(tmp_path, "fmul --a e4m3 --flags", lines)


def test_fma_bf16_into_fp32_matches_rtl(tmp_path, rng):
    a, b = (rng.integers(0, 1 << 16, size=4000, dtype=np.uint16) for _ in range(2))
    c = random_fp32(rng, 4000)[:4000].view(np.uint32)
    z, f = nf.fma(a, b, c, "bf16", c_fmt="fp32", out="fp32", flags=True)
    lines = [" ".join(t) for t in zip(hexs(a), hexs(b), hexs(c), hexs(z), hexs(f))]
    verify_vectors(tmp_path, "fma --a bf16 --c fp32 --out fp32 --flags", lines)


def test_dot_align13_matches_rtl(tmp_path, rng):
    a = rng.integers(0, 256, size=(3000, 4), dtype=np.uint8)
    b = rng.integers(0, 256, size=(3000, 4), dtype=np.uint8)
    z, f = nf.dot(a, b, a_fmt="e4m3", out="fp32", accum="align", align_bits=13, flags=True)
    lines = [" ".join(hexs(a[i]) + hexs(b[i]) + hexs(z[i]) + hexs(f[i])) for i in range(len(a))]
    verify_vectors(tmp_path, "fdot --n 4 --a e4m3 --out fp32 --accum align --align-bits 13 --flags", lines)


def test_mx_quantize_scales_match_rtl(tmp_path, rng):
    # Blocks spanning many binades, some with zeros, one all-zero, one holding NaN (verify compares the scale).
    x = (rng.standard_normal((400, 32)) * np.exp2(rng.integers(-30, 30, size=(400, 1)))).astype(np.float32)
    x[3] = 0
    x[5, 7] = np.nan
    x[6, 0] = np.inf
    scales, _ = nf.mx_quantize(x, "e2m1", block=32, scale_rule="rceil")
    lines = [" ".join(hexs(x[i].view(np.uint32)) + hexs(scales[i])) for i in range(len(x))]
    verify_vectors(tmp_path, "mxquant --a fp32 --out e2m1 --scale-rule rceil", lines)


def test_mx_dequantize_matches_rtl(tmp_path, rng):
    # verify compares the first element z0: every element code and a spread of scales pass through q0.
    q = rng.integers(0, 256, size=(1024, 32), dtype=np.uint8)
    q[:256, 0] = np.arange(256)
    scales = rng.integers(0, 256, size=(1024, 1), dtype=np.uint8)
    z = nf.mx_dequantize(scales, q, "e4m3", block=32).view(np.uint32)
    lines = [" ".join(hexs(scales[i]) + hexs(q[i]) + hexs(z[i, :1])) for i in range(len(q))]
    verify_vectors(tmp_path, "mxdequant --a e4m3 --out fp32", lines)


def test_nvfp4_quantize_scales_match_rtl(tmp_path, rng):
    torch = pytest.importorskip("torch")
    x = torch.from_numpy((rng.standard_normal((500, 16)) * 10).astype(np.float32)).to(torch.bfloat16)
    scales, _, t = nf.nvfp4_quantize(x)
    tbits = format(int(np.array(t, dtype=np.float32).view(np.uint32)), "x")
    xb = x.view(torch.int16).numpy().view(np.uint16)
    lines = [" ".join([tbits] + hexs(xb[i]) + hexs(scales.numpy()[i])) for i in range(len(xb))]
    verify_vectors(tmp_path, "nvfp4quant --a bf16", lines)


def stream_codes(rng, fmt, rows, length):
    """Streams of codes: random encodings, the format's corners scattered in, and runs of its largest finite value
    of one sign then the other (growth to overflow, then cancellation)."""
    f = nf.format(fmt)
    codes = rng.integers(0, 1 << f.bits, size=(rows, length), dtype=np.uint64).astype(f.dtype)
    big, sign = f.max_code, 1 << (f.bits - 1)
    corners = [0, sign, 1, big, big | sign, f.nan_code, 1 << f.man_bits, (1 << f.man_bits) | sign]
    codes[rows // 2:, ::5] = rng.choice(np.array(corners, dtype=f.dtype), size=codes[rows // 2:, ::5].shape)
    codes[0, :] = big
    codes[1, : length // 2] = big
    codes[1, length // 2:] = big | sign
    return codes


def stream_lines(inputs, z, f=None):
    """One vector per step: the stream's input words, clear on each stream's first term, the expected z (and flags:
    verify compares the word after z with the unit's second output, which is flags for facc, `overflow` for kulisch,
    so kulisch vectors carry z alone)."""
    rows, length = z.shape
    lines = []
    for r in range(rows):
        for i in range(length):
            words = [format(int(x[r, i]), "x") for x in inputs] + ["1" if i == 0 else "0", format(int(z[r, i]), "x")]
            lines.append(" ".join(words if f is None else words + [format(int(f[r, i]), "x")]))
    return lines


@pytest.mark.parametrize("a_fmt,out,rounding", [("e4m3", "fp32", "rne"), ("bf16", "bf16", "rtz"), ("e5m2", "fp16", "rup")])
def test_facc_stream_matches_rtl(tmp_path, rng, a_fmt, out, rounding):
    a = stream_codes(rng, a_fmt, 120, 24)
    z, f = nf.facc(a, a_fmt, out=out, rounding=rounding, flags=True)
    verify_vectors(tmp_path, f"facc --a {a_fmt} --out {out} --round {rounding} --flags", stream_lines([a], z, f))


def test_facc_mac_stream_matches_rtl(tmp_path, rng):
    a, b = stream_codes(rng, "e4m3", 100, 24), stream_codes(rng, "e4m3", 100, 24)
    z, f = nf.facc(a, "e4m3", out="fp32", b=b, b_fmt="e4m3", flags=True)
    verify_vectors(tmp_path, "facc --a e4m3 --b e4m3 --mac --out fp32 --flags", stream_lines([a, b], z, f))


@pytest.mark.parametrize("args", [dict(a_fmt="e4m3", b_fmt="e4m3", out="fp32", carry_bits=16, rounding="rne"),
                                  dict(a_fmt="bf16", b_fmt=None, out="bf16", carry_bits=4, rounding="rdn")])
def test_kulisch_stream_matches_rtl(tmp_path, rng, args):
    a = stream_codes(rng, args["a_fmt"], 120, 24)
    b = stream_codes(rng, args["b_fmt"], 120, 24) if args["b_fmt"] else None
    z = nf.kulisch(a, args["a_fmt"], args["out"], b=b, b_fmt=args["b_fmt"], carry_bits=args["carry_bits"],
                   rounding=args["rounding"])
    unit = f"kulisch --a {args['a_fmt']} --out {args['out']} --carry-bits {args['carry_bits']} --round {args['rounding']} --flags"
    if b is not None:
        unit += f" --b {args['b_fmt']}"
    verify_vectors(tmp_path, unit, stream_lines([a] if b is None else [a, b], z))
