"""dot / matmul with emulate=PRESET (the tensor-core presets of refmodels/tensor_presets, `numforge gen fdot --emulate`)
and the tensor-core rule keywords: the issue-18 check that a 16x16x16 GEMM emulated with hopper-wgmma-e4m3 gives the
RTL's bits (every output element one vector through `numforge verify fdot --emulate ... --vectors`), the same for the
split-k ada-mma-e4m3, a from-the-definition restatement of MMA-Sim's nv_fused_dot_add (exact rationals), the K
padding rule and the argument errors."""
import json
import subprocess
from fractions import Fraction

import numpy as np
import pytest

import numforge as nf
from conftest import NUMFORGE, hexs, verify_vectors

E4M3_NAN = 0x7F
FP32_NAN = 0x7FFFFFFF


def e4m3_value(code):
    """An e4m3 code's value as a Fraction, its exponent for the alignment, or None for NaN (OCP e4m3: no Inf)."""
    code = int(code)
    sign, e, m = code >> 7, (code >> 3) & 0xF, code & 7
    if e == 0xF and m == 7:
        return None
    v = Fraction(m, 8) * Fraction(2) ** -6 if e == 0 else (1 + Fraction(m, 8)) * Fraction(2) ** (e - 7)
    return -v if sign else v


def lead_exponent(v, emin):
    """floor(log2 |v|), emin for subnormals; the zero rule's -126 for zero (NVIDIA: whatever the format)."""
    if v == 0:
        return -126
    a = abs(v)
    e = a.numerator.bit_length() - a.denominator.bit_length()
    if Fraction(2) ** e > a:
        e -= 1
    return max(e, emin)


def fp32_fields(bits):
    bits = int(bits)
    sign, e, m = bits >> 31, (bits >> 23) & 0xFF, bits & 0x7FFFFF
    if e == 0xFF:
        return ("nan" if m else ("-inf" if sign else "+inf")), None
    v = Fraction(m, 1 << 23) * Fraction(2) ** -126 if e == 0 else (1 + Fraction(m, 1 << 23)) * Fraction(2) ** (e - 127)
    return "finite", -v if sign else v


def nv_fused_dot_add(a, b, c_bits, align_bits, frac_bits):
    """MMA-Sim's nv_fused_dot_add as issue 18 states it, for e4m3 a, b and an fp32 c: every term (c, and each
    product with its exponent ea + eb, a zero operand counting as 2^-126) truncated toward zero to align_bits
    fraction bits below the largest exponent, summed exactly, truncated to frac_bits fraction bits in fp32's range,
    overflow -> Inf, any NaN / 0 x Inf / Inf - Inf -> 0x7fffffff, zero -> +0. Returns the fp32 bits."""
    kind, cv = fp32_fields(c_bits)
    infs = set() if kind == "finite" else {kind}
    terms = [] if kind != "finite" else [(cv, lead_exponent(cv, -126))]
    for x, y in zip(a, b):
        xv, yv = e4m3_value(x), e4m3_value(y)
        if xv is None or yv is None:
            return FP32_NAN
        terms.append((xv * yv, lead_exponent(xv, -6) + lead_exponent(yv, -6)))
    if "nan" in infs or infs == {"+inf", "-inf"}:
        return FP32_NAN
    if infs:
        return 0xFF800000 if "-inf" in infs else 0x7F800000
    emax = max(e for _, e in terms)
    unit = Fraction(2) ** (emax - align_bits)
    total = sum(int(abs(v) / unit) * unit * (1 if v >= 0 else -1) for v, _ in terms)  # int(): toward zero
    if total == 0:
        return 0
    mag = abs(total)
    e = lead_exponent(mag, -126)
    ulp = Fraction(2) ** (e - frac_bits)
    mag = int(mag / ulp) * ulp
    sign = 0x80000000 if total < 0 else 0
    if mag >= Fraction(2) ** 128:
        return sign | 0x7F800000
    return sign | int(np.float32(float(mag)).view(np.uint32))


def preset_gemm_from_definition(A, B, C, n, group, align_bits, frac_bits):
    """Z[m, j]: K in units of n (the last padded with zero pairs), each unit's fused groups chained through c."""
    m, k = A.shape
    pad = (-k) % n
    A = np.concatenate([A, np.zeros((m, pad), A.dtype)], axis=1)
    B = np.concatenate([B, np.zeros((pad, B.shape[1]), B.dtype)], axis=0)
    Z = np.zeros((m, B.shape[1]), np.uint32)
    for i in range(m):
        for j in range(B.shape[1]):
            acc = int(C[i, j])
            for first in range(0, A.shape[1], group):
                acc = nv_fused_dot_add(A[i, first:first + group], B[first:first + group, j], acc, align_bits, frac_bits)
            Z[i, j] = acc
    return Z


def gemm_operands(rng, m, n, k):
    """Seeded random e4m3 A, B (codes over the whole range, with zeros of both signs, a NaN, products whose sum
    cancels) and an fp32 C with zeros, subnormals, large values, Infs and a NaN."""
    A = rng.integers(0, 256, size=(m, k), dtype=np.uint8)
    B = rng.integers(0, 256, size=(k, n), dtype=np.uint8)
    A[A == 0xFF] = 0x38
    B[B == 0xFF] = 0x38
    A[A == E4M3_NAN] = 0x38
    B[B == E4M3_NAN] = 0x38
    A[0, :] = 0  # a row of zeros: the zero-exponent rule decides how c is truncated
    A[1, :] = 0x80
    A[2, ::2] = 0x7E  # 448
    B[:, 3] = B[:, 3] & 0x87  # small magnitudes: subnormal products
    A[3, 5] = E4M3_NAN
    C = (rng.standard_normal((m, n)) * np.exp2(rng.integers(-30, 12, size=(m, n)))).astype(np.float32).view(np.uint32)
    # +0, -0, the least subnormal, 1 + ulp; column 2: 2^-127 + 2^-135 with a 448 in B's column, so that the zero
    # rows' 0 x 448 (exponent -126 + 8) truncate c's 2^-135, which c's own exponent (-126) and e8m13 would keep.
    B[0, 2] = 0x7E
    C[0, :4] = [0, 0x80000000, 0x00404000, 0x3F800001]
    C[1, :4] = [0x80000000, 0x7F7FFFFF, 0x00404000, 0x00000001]
    C[4, 4], C[5, 5], C[6, 6] = 0x7F800000, 0xFF800000, 0x7FC00000
    C[2, 7] = 0xC7E00000  # -114688: cancels part of row 2
    return A, B, C


def unit_lines(A, B, C, Z, n, pad_a):
    """One vector per output element and unit: a0..a{n-1} (K padded with `pad_a` x +0), b0..b{n-1}, c, z."""
    m, k = A.shape
    lines = []
    for i in range(m):
        for j in range(B.shape[1]):
            a = np.concatenate([A[i], np.full((-k) % n, pad_a, np.uint8)])
            b = np.concatenate([B[:, j], np.zeros((-k) % n, np.uint8)])
            lines.append(" ".join(hexs(a) + hexs(b) + [format(int(C[i, j]), "x"), format(int(Z[i, j]), "x")]))
    return lines


def test_gemm_16x16x16_hopper_wgmma_e4m3_matches_rtl_and_definition(tmp_path):
    """Issue 18's done-when: the Python matmul of a 16x16x16 GEMM gives the RTL's bits (K = 16 padded to the
    instruction's 32 with -0 x +0 pairs, as docs/python.md states) and the restated nv_fused_dot_add's."""
    A, B, C = gemm_operands(np.random.default_rng(1816), 16, 16, 16)
    Z = nf.matmul(A, B, C, emulate="hopper-wgmma-e4m3")
    assert Z.dtype == np.uint32 and Z.shape == (16, 16)
    want = preset_gemm_from_definition(A, B, C, 32, 32, 13, 13)
    bad = np.argwhere(Z != want)
    assert bad.size == 0, [(tuple(i), hex(Z[tuple(i)]), hex(want[tuple(i)])) for i in bad[:5]]
    verify_vectors(tmp_path, "fdot --emulate hopper-wgmma-e4m3", unit_lines(A, B, C, Z, 32, 0x80))


def test_gemm_split_k_ada_mma_e4m3_matches_rtl_and_definition(tmp_path):
    """ada-mma-e4m3 (two fused halves of 16 in a unit of 32) over K = 48: two units chained through c, the second
    padded; both units' vectors go through the RTL (the first with its z from matmul over K = 32)."""
    A, B, C = gemm_operands(np.random.default_rng(1817), 8, 8, 48)
    Z = nf.matmul(A, B, C, emulate="ada-mma-e4m3")
    want = preset_gemm_from_definition(A, B, C, 32, 16, 13, 13)
    bad = np.argwhere(Z != want)
    assert bad.size == 0, [(tuple(i), hex(Z[tuple(i)]), hex(want[tuple(i)])) for i in bad[:5]]
    Z1 = nf.matmul(A[:, :32], B[:32], C, emulate="ada-mma-e4m3")
    lines = unit_lines(A[:, :32], B[:32], C, Z1, 32, 0x80) + unit_lines(A[:, 32:], B[32:], Z1, Z, 32, 0x80)
    verify_vectors(tmp_path, "fdot --emulate ada-mma-e4m3", lines)


def test_presets_table_is_the_cli_table():
    table = nf.presets()
    cli = json.loads(subprocess.run([NUMFORGE, "presets", "--json"], capture_output=True, text=True, check=True).stdout)
    assert table == cli
    hopper = next(p for p in table if p["name"] == "hopper-wgmma-e4m3")
    assert (hopper["n"], hopper["group"], hopper["align_bits"], hopper["out_frac_bits"], hopper["round"]) == (32, 32, 13, 13, "rtz")
    assert hopper["rules"] == {"zero_exp": -126, "overflow": "inf", "nan": "ones", "zero_sign": "positive",
                               "product_overflow": "ieee", "c_to_out": "off"}
    cdna3 = next(p for p in table if p["name"] == "cdna3-mfma-bf16")
    assert cdna3["rules"]["two_level"] == {"sum_bits": 31, "c_bits": 24}
    assert (cdna3["rules"]["product_overflow"], cdna3["round"]) == ("inf", "rne")


def test_emulate_is_the_preset_rules_spelled_out(rng):
    """emulate= fills exactly what the orthogonal keywords say (the preset's table row), for every preset."""
    for p in nf.presets():
        fa = nf.format(p["formats"]["a"])
        a = rng.integers(0, 1 << fa.bits, size=(64, 40), dtype=np.uint64).astype(fa.dtype)
        b = rng.integers(0, 1 << fa.bits, size=(64, 40), dtype=np.uint64).astype(fa.dtype)
        c = (rng.standard_normal(64) * 100).astype(np.float32).view(np.uint32)
        r = p["rules"]
        spelled = dict(a_fmt=p["formats"]["a"], c_fmt="fp32", out="fp32", accum="align", align_bits=p["align_bits"],
                       rounding=p["round"], zero_exp=r["zero_exp"], overflow=r["overflow"], nan=r["nan"],
                       zero_sign=r["zero_sign"], out_frac_bits=p["out_frac_bits"] if p["out_frac_bits"] < 23 else None,
                       product_overflow=r["product_overflow"], c_to_out=r["c_to_out"],
                       two_level=(r["two_level"]["sum_bits"], r["two_level"]["c_bits"]) if "two_level" in r else None)
        # A preset unit of n products with groups: K = n per unit; spelled out, a unit of `group` products.
        z = nf.dot(a, b, c=c, emulate=p["name"])
        zs = nf.dot(a, b, c=c, group=p["group"], **spelled)
        assert np.array_equal(z, zs), p["name"]


def test_k_is_split_into_units_chained_through_c(rng):
    a = rng.integers(0, 0x7E, size=(200, 80), dtype=np.uint8)
    b = rng.integers(0, 0x7E, size=(200, 80), dtype=np.uint8)
    c = (rng.standard_normal(200) * 1e3).astype(np.float32).view(np.uint32)
    full = nf.dot(a, b, c=c, emulate="hopper-wgmma-e4m3")
    u1 = nf.dot(a[:, :32], b[:, :32], c=c, emulate="hopper-wgmma-e4m3")
    u2 = nf.dot(a[:, 32:64], b[:, 32:64], c=u1, emulate="hopper-wgmma-e4m3")
    pad = np.zeros((200, 16), np.uint8)
    u3 = nf.dot(np.concatenate([a[:, 64:], pad | 0x80], axis=1), np.concatenate([b[:, 64:], pad], axis=1), c=u2,
                emulate="hopper-wgmma-e4m3")
    assert np.array_equal(full, u3)
    # Without c a preset's c port is +0: the same as giving +0.
    assert np.array_equal(nf.dot(a, b, emulate="hopper-wgmma-e4m3"),
                          nf.dot(a, b, c=np.zeros(200, np.uint32), emulate="hopper-wgmma-e4m3"))


def test_padding_leaves_an_all_zero_sum_alone():
    """The one case a pad pair could change under the zero-exponent rule: every term zero. With zero_sign='ieee' a sum
    of -0 terms stays -0 (the pad is -0 x +0, the zero that leaves every sum alone; +0 under rdn); with the preset's
    zero_sign='positive' it is +0. The maximum exponent is -126 (c) or -252 (0 x 0) then, and no bit of c survives
    anyway. Expected bits from IEEE 754's sign rule for exact zero sums."""
    a = np.full((4, 3), 0x80, np.uint8)  # -0 x +0: three -0 products
    b = np.zeros((4, 3), np.uint8)
    c = np.array([0x80000000, 0x80000000, 0, 0x80000000], np.uint32)  # -0, -0, +0, -0
    kw = dict(a_fmt="e4m3", accum="align", align_bits=13, group=4, zero_exp=-126)
    assert nf.dot(a, b, c=c, **kw).tolist() == [0x80000000, 0x80000000, 0, 0x80000000]
    assert nf.dot(a, b, c=c, rounding="rdn", **kw).tolist() == [0x80000000] * 4  # rdn: any -0 term gives -0
    assert nf.dot(a, b, c=c, **dict(kw, zero_sign="positive")).tolist() == [0] * 4
    assert nf.dot(a, b, c=c, emulate="hopper-wgmma-e4m3").tolist() == [0] * 4


def test_preset_fast_paths_are_the_model(rng):
    """Whatever fast path serves a preset or rule plan gives fdotModel's bits (the fast paths off)."""
    A, B, C = gemm_operands(rng, 24, 20, 72)
    A[5, :] = 0x7E  # 448 x 448 summed: beyond fp16's range
    B[:, 6] = 0x7E
    cases = [dict(emulate="hopper-wgmma-e4m3"), dict(emulate="ada-mma-e4m3"),
             dict(a_fmt="e4m3", accum="align", align_bits=13, group=32, zero_exp=-126),
             dict(a_fmt="e4m3", accum="align", align_bits=13, group=16, overflow="inf", zero_sign="positive"),
             dict(a_fmt="e4m3", out="fp16", accum="align", align_bits=13, group=32, overflow="inf", nan="ones")]
    for kw in cases:
        cs = [C, None] if kw.get("out", "fp32") == "fp32" else [None]
        fast = [nf.matmul(A, B, c, flags=True, **kw) for c in cs]
        nf._core._set_fast_paths(False)
        try:
            slow = [nf.matmul(A, B, c, flags=True, **kw) for c in cs]
        finally:
            nf._core._set_fast_paths(True)
        for (zf, ff), (zs, fs) in zip(fast, slow):
            assert np.array_equal(zf, zs) and np.array_equal(ff, fs), (kw, np.argwhere(zf != zs)[:5])


def test_preset_errors_name_the_argument_and_the_accepted_values():
    a = np.zeros((2, 32), np.uint8)
    with pytest.raises(ValueError) as e:
        nf.matmul(a, a.T, emulate="hopper-wgmma-e5m7")
    assert "emulate" in str(e.value) and all(p["name"] in str(e.value) for p in nf.presets())
    with pytest.raises(ValueError, match=r"emulate: '' is not a preset; accepted: volta-mma-f16"):
        nf.dot(a, a, emulate="")
    with pytest.raises(ValueError, match=r"zero_exp.*hopper-wgmma-e4m3.*-126"):
        nf.matmul(a, a.T, emulate="hopper-wgmma-e4m3", zero_exp="exclude")
    with pytest.raises(ValueError, match=r"align_bits.*hopper-wgmma-e4m3.*13"):
        nf.dot(a, a, emulate="hopper-wgmma-e4m3", align_bits=24)
    with pytest.raises(ValueError, match=r"a_fmt.*ampere-mma-bf16.*bf16"):
        nf.dot(a, a, emulate="ampere-mma-bf16", a_fmt="e4m3")
    with pytest.raises(ValueError, match=r"overflow.*'huge'.*ieee, inf"):
        nf.dot(a, a, a_fmt="e4m3", accum="align", overflow="huge")
    with pytest.raises(ValueError, match=r"zero_exp.*accum align"):
        nf.dot(a, a, a_fmt="e4m3", accum="exact", zero_exp=-126)
    with pytest.raises(ValueError, match=r"group.*accepted: 2, 4, 8, 16, 32"):
        nf.dot(a, a, a_fmt="e4m3", accum="align", group=3, zero_exp=-126)
    with pytest.raises(TypeError, match="emulate"):
        nf.dot(a, a, emulate=5)
    # The same keyword with the preset's own value is accepted.
    z = nf.dot(a, a, emulate="hopper-wgmma-e4m3", zero_exp=-126, align_bits=13, out="fp32")
    assert z.tolist() == [0, 0]
