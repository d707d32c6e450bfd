"""numforge: the bit-accurate models of the numforge units on NumPy arrays and PyTorch tensors.

Every function runs the C++ model (refmodels/) that the generated RTL is co-simulated against, so a result is
the unit's result for the same options: encode/decode/quantize/convert are the fcvt unit, mx_* the mxquant and
mxdequant units, nvfp4_* nvfp4quant/nvfp4dequant, mul/add/fma fmul/fadd/fma, dot/matmul chains of fdot units,
facc/kulisch the accumulators.  See docs/python.md.
"""

import sys

import numpy as np

from . import _core
from ._core import Format, format, formats, format_syntax, get_num_threads, set_num_threads

__all__ = [
    "Format", "format", "formats", "format_syntax", "set_num_threads", "get_num_threads",
    "encode", "decode", "quantize", "convert", "sr_random_bits",
    "mx_quantize", "mx_dequantize", "nvfp4_quantize", "nvfp4_dequantize",
    "mul", "add", "fma", "dot", "matmul", "presets", "facc", "kulisch",
]

_FP32, _FP16, _BF16 = _core.format("fp32"), _core.format("fp16"), _core.format("bf16")
_FLOAT_DTYPES = "float16, float32, float64 (NumPy or PyTorch) and torch.bfloat16"


# ---------------------------------------------------------------------------------------------- arrays
def _torch():
    """PyTorch if the caller has imported it (a tensor can only come from there); never imported here."""
    return sys.modules.get("torch")


class _Kind:
    """Where an argument came from, so that results go back the same way (NumPy array or tensor)."""

    def __init__(self, device=None):
        self.device = device

    @property
    def torch(self):
        return self.device is not None

    def wrap(self, arr, bfloat16=False):
        if not self.torch or arr is None:
            return arr
        torch = _torch()
        arr = _c(arr)
        # torch has no uint16/uint32: wider codes travel as the signed integers of the same bits.
        if arr.dtype == np.uint16:
            arr = arr.view(np.int16)
        elif arr.dtype == np.uint32:
            arr = arr.view(np.int32)
        t = torch.from_numpy(arr)
        if bfloat16:
            t = t.view(torch.bfloat16)
        return t if self.device.type == "cpu" else t.to(self.device)


def _array(x, name):
    """x as a NumPy array (no copy for NumPy arrays and CPU tensors), its _Kind, and whether it holds bfloat16."""
    torch = _torch()
    if torch is not None and isinstance(x, torch.Tensor):
        t = x.detach()
        device = t.device
        if device.type != "cpu":
            t = t.cpu()
        if t.dtype == torch.bfloat16:
            return t.contiguous().view(torch.int16).numpy().view(np.uint16), _Kind(device), True
        return t.numpy(), _Kind(device), False
    if isinstance(x, np.ndarray):
        return x, _Kind(), False
    if isinstance(x, (int, float, list, tuple, np.generic)):
        return np.asarray(x), _Kind(), False
    raise TypeError(f"{name}: {type(x).__name__} is not accepted; accepted: a NumPy array, a PyTorch tensor, "
                    "a list or a scalar")


def _c(a, dtype=None):
    """a in C order, copied only when it is not (unlike numpy.ascontiguousarray, 0-d arrays stay 0-d)."""
    return np.require(a, dtype=dtype, requirements="C")


def _fmt(f, name):
    if isinstance(f, Format):
        return f
    if isinstance(f, str):
        try:
            return _core.format(f)
        except ValueError as e:
            raise ValueError(f"{name}: {e}") from None
    raise TypeError(f"{name}: {type(f).__name__} is not accepted; accepted: a format name such as 'e4m3' "
                    "or a numforge.Format")


def _float_codes(x, name, func):
    """A float array as codes of the format its dtype is (fp32, fp16, bf16), or float64 values."""
    arr, kind, bf16 = _array(x, name)
    if bf16:
        return _c(arr), _BF16, kind
    if arr.dtype == np.float32:
        return _c(arr).view(np.uint32), _FP32, kind
    if arr.dtype == np.float16:
        return _c(arr).view(np.uint16), _FP16, kind
    if arr.dtype == np.float64:
        return _c(arr), None, kind
    raise TypeError(f"{func}: {name} has dtype {arr.dtype}; accepted: {_FLOAT_DTYPES}")


def _codes(c, fmt, name, func):
    """An array of codes of `fmt` (unsigned, or the signed integers torch carries them in)."""
    arr, kind, bf16 = _array(c, name)
    if bf16 or arr.dtype.kind not in "ui":
        raise TypeError(f"{func}: {name} has dtype {arr.dtype}; accepted: integer codes (uint8/16/32, or "
                        "int8/16/32 holding the same bits)")
    if arr.dtype.kind == "i":
        if arr.dtype.itemsize > 4:
            if arr.size and (arr.min() < 0 or arr.max() > fmt.mask):
                raise ValueError(f"{func}: {name} holds values outside 0..{fmt.mask:#x} ({fmt.name} codes)")
            arr = arr.astype(np.uint32)
        else:
            arr = arr.view(np.dtype(f"u{arr.dtype.itemsize}"))
    elif arr.dtype.itemsize > 4:
        if arr.size and arr.max() > fmt.mask:
            raise ValueError(f"{func}: {name} holds values outside 0..{fmt.mask:#x} ({fmt.name} codes)")
        arr = arr.astype(np.uint32)
    if arr.dtype.itemsize * 8 > fmt.bits and arr.size and int(arr.max()) > fmt.mask:
        raise ValueError(f"{func}: {name} holds codes above {fmt.mask:#x}, the largest {fmt.bits}-bit {fmt.name} code")
    return _c(arr), kind


def _operand(x, fmt, name, func):
    """Codes of `fmt`: integer arrays are codes already, float arrays are encoded with rne first."""
    arr, _, bf16 = _array(x, name)
    if bf16 or arr.dtype.kind == "f":
        return _codes(encode(x, fmt), fmt, name, func)
    return _codes(x, fmt, name, func)


# ------------------------------------------------------------------------------------ stochastic rounding
def sr_random_bits(rng, shape, sr_width):
    """The random bits rounding='sr' uses for a seed or numpy.random.Generator `rng`:
    rng.integers(0, 2**sr_width, size=shape, dtype=numpy.uint32) (a seed s means numpy.random.default_rng(s))."""
    if isinstance(rng, (int, np.integer)):
        rng = np.random.default_rng(int(rng))
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: {type(rng).__name__} is not accepted; accepted: an int seed or a numpy.random.Generator")
    if not 1 <= sr_width <= 24:
        raise ValueError(f"sr_width: {sr_width} is not accepted; accepted: 1..24")
    return rng.integers(0, 1 << sr_width, size=shape, dtype=np.uint32)


def _sr(func, rounding, sr_bits, rng, sr_width, shape, default_width):
    if sr_bits is not None and rng is not None:
        raise ValueError(f"{func}: give sr_bits or rng, not both")
    if rounding != "sr":
        if sr_bits is not None or rng is not None:
            raise ValueError(f"{func}: sr_bits and rng need rounding='sr' (the rounding is '{rounding}')")
        return None, 0 if sr_width is None else sr_width
    width = default_width if sr_width is None else int(sr_width)
    if rng is not None:
        return sr_random_bits(rng, shape, width), width
    if sr_bits is None:
        return None, width
    arr, _, _ = _array(sr_bits, "sr_bits")
    if arr.shape != tuple(shape):
        raise ValueError(f"{func}: sr_bits has shape {arr.shape}; accepted: the shape of x {tuple(shape)}")
    if arr.dtype.kind not in "ui":
        raise TypeError(f"{func}: sr_bits has dtype {arr.dtype}; accepted: unsigned integers")
    if arr.size and (arr.min() < 0 or arr.max() >= (1 << width)):
        raise ValueError(f"{func}: sr_bits holds values outside 0..{(1 << width) - 1} (sr_width = {width})")
    return _c(arr, dtype=np.uint32), width


def _check_round_args(func, rounding, **flags):
    if not isinstance(rounding, str):
        raise TypeError(f"{func}: rounding must be a string such as 'rne'")
    for k, v in flags.items():
        if not isinstance(v, (bool, np.bool_)):
            raise TypeError(f"{func}: {k} must be True or False, got {v!r}")


# ------------------------------------------------------------------------------------------ element-wise
def encode(x, fmt, rounding="rne", saturate=False, ftz=False, daz=False, sr_bits=None, rng=None, sr_width=None,
           flags=False):
    """Float values -> codes of `fmt` (uint8/uint16/uint32 by width), as the fcvt unit from the array's own
    format (fp32 for float32, fp16 for float16, bf16 for torch.bfloat16; float64 rounds once by the same core).
    rounding: rne, rtz, rup, rdn, rna, rod or sr (with sr_bits, or rng giving sr_random_bits(rng, x.shape, R)).
    With flags=True returns (codes, flags) with the IEEE flag bits of the unit's flags port."""
    func = "encode"
    fmt = _fmt(fmt, "fmt")
    _check_round_args(func, rounding, saturate=saturate, ftz=ftz, daz=daz, flags=flags)
    codes, src, kind = _float_codes(x, "x", func)
    bits, width = _sr(func, rounding, sr_bits, rng, sr_width, codes.shape,
                      16 if src is None else _core._default_sr_width(src))
    if src is None:
        z, f = _core._encode_float64(codes, fmt, rounding, saturate, ftz, daz, bits, width, flags, func)
    else:
        z, f = _core._convert(codes, src, fmt, rounding, saturate, ftz, daz, bits, width, flags, func)
    return (kind.wrap(z), kind.wrap(f)) if flags else kind.wrap(z)


_DTYPES = {"float32": _FP32, "float16": _FP16, "bfloat16": _BF16, "float64": None}


def _dtype_name(dtype):
    torch = _torch()
    if torch is not None and isinstance(dtype, torch.dtype):
        return str(dtype).replace("torch.", "")
    if isinstance(dtype, str):
        return dtype
    try:
        return np.dtype(dtype).name
    except TypeError:
        return repr(dtype)


def _values(codes, fmt, dtype, kind, func):
    """Codes of `fmt` -> float values of `dtype` through the fcvt unit to fp32 / fp16 / bf16 (float64: exact)."""
    name = _dtype_name(dtype)
    if name not in _DTYPES:
        raise ValueError(f"{func}: dtype {name} is not accepted; accepted: float32, float64, float16, bfloat16")
    target = _DTYPES[name]
    if target is None:
        return kind.wrap(_core._decode_float64(codes, fmt))
    if name == "bfloat16" and not kind.torch:
        raise ValueError(f"{func}: dtype bfloat16 needs PyTorch tensors (NumPy has no bfloat16)")
    z, _ = _core._convert(codes, fmt, target, "rne", False, False, False, None, 0, False, func)
    if name == "bfloat16":
        return kind.wrap(z, bfloat16=True)
    return kind.wrap(z.view(np.float32 if name == "float32" else np.float16))


def decode(codes, fmt, dtype="float32"):
    """Codes of `fmt` -> values: float64 exactly; float32 / float16 / bfloat16 through the fcvt unit to that format
    (rne; exact whenever the value fits)."""
    fmt = _fmt(fmt, "fmt")
    arr, kind = _codes(codes, fmt, "codes", "decode")
    return _values(arr, fmt, dtype, kind, "decode")


def quantize(x, fmt, rounding="rne", saturate=False, ftz=False, daz=False, sr_bits=None, rng=None, sr_width=None):
    """decode(encode(x, fmt, ...), fmt) in x's own dtype: fake quantization."""
    fmt = _fmt(fmt, "fmt")
    codes = encode(x, fmt, rounding, saturate, ftz, daz, sr_bits, rng, sr_width)
    arr, kind, bf16 = _array(x, "x")
    dtype = "bfloat16" if bf16 else arr.dtype.name
    c, _ = _codes(codes, fmt, "codes", "quantize")
    return _values(c, fmt, dtype, kind, "quantize")


def convert(codes, from_fmt, to_fmt, rounding="rne", saturate=False, ftz=False, daz=False, sr_bits=None, rng=None,
            sr_width=None, flags=False):
    """Codes of from_fmt -> codes of to_fmt: the fcvt unit (`numforge gen fcvt --a FROM --out TO ...`)."""
    func = "convert"
    src, dst = _fmt(from_fmt, "from_fmt"), _fmt(to_fmt, "to_fmt")
    _check_round_args(func, rounding, saturate=saturate, ftz=ftz, daz=daz, flags=flags)
    arr, kind = _codes(codes, src, "codes", func)
    bits, width = _sr(func, rounding, sr_bits, rng, sr_width, arr.shape, _core._default_sr_width(src))
    z, f = _core._convert(arr, src, dst, rounding, saturate, ftz, daz, bits, width, flags, func)
    return (kind.wrap(z), kind.wrap(f)) if flags else kind.wrap(z)


# ------------------------------------------------------------------------------------------ block formats
def _axis(arr, axis, func):
    if not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{func}: axis must be an int")
    if arr.ndim == 0:
        raise ValueError(f"{func}: x is a scalar; accepted: arrays of at least one dimension")
    if not -arr.ndim <= axis < arr.ndim:
        raise ValueError(f"{func}: axis {axis} is out of range for {arr.ndim} dimensions; accepted: "
                         f"{-arr.ndim}..{arr.ndim - 1}")
    return int(axis) % arr.ndim


def _blocks(arr, axis, block):
    """arr with `axis` last, padded with code 0 (+0) to whole blocks; and the length before padding."""
    moved = np.moveaxis(arr, axis, -1)
    n = moved.shape[-1]
    pad = (-n) % block
    if pad:
        moved = np.concatenate([moved, np.zeros(moved.shape[:-1] + (pad,), dtype=moved.dtype)], axis=-1)
    return _c(moved), n


def _unblock(flat, blocked_shape, n, axis):
    return np.moveaxis(flat.reshape(blocked_shape)[..., :n], -1, axis)


def _block_size(block, func):
    if not isinstance(block, (int, np.integer)) or isinstance(block, bool):
        raise TypeError(f"{func}: block must be an int")
    return int(block)


def _block_input(x, func):
    codes, src, kind = _float_codes(x, "x", func)
    if src is None:  # float64: read as float32 (rne), the widest input an MX / NVFP4 unit takes
        codes, src = _c(codes.astype(np.float32)).view(np.uint32), _FP32
    return codes, src, kind


def mx_quantize(x, elem="e4m3", block=32, axis=-1, scale_rule="floor", rounding="rne", sr_bits=None, rng=None,
                sr_width=None):
    """OCP MX block quantization along `axis` -> (scales, codes): scales as E8M0 codes (uint8) with `axis` of length
    ceil(n / block), element codes of x's shape. A last block shorter than `block` is padded with +0 (which changes
    no amax) and the padding is dropped from the result. float64 input is read as float32 (rne)."""
    func = "mx_quantize"
    elem = _fmt(elem, "elem")
    block = _block_size(block, func)
    if scale_rule not in ("floor", "rceil"):
        raise ValueError(f"{func}: scale_rule '{scale_rule}' is not accepted; accepted: floor, rceil")
    _check_round_args(func, rounding)
    codes, src, kind = _block_input(x, func)
    ax = _axis(codes, axis, func)
    if block < 1:
        raise ValueError(f"{func}: block {block} is not accepted; accepted: 1..64 (OCP MX uses 32)")
    bits, width = _sr(func, rounding, sr_bits, rng, sr_width, codes.shape, _core._default_sr_width(src))
    blocked, n = _blocks(codes, ax, block)
    lead = blocked.shape[:-1]
    if bits is not None:
        bits, _ = _blocks(bits, ax, block)
        bits = bits.reshape(-1)
    scales, q = _core._mx_quantize(blocked.reshape(-1), src, elem, block, scale_rule, rounding, bits, width)
    scales = np.moveaxis(scales.reshape(lead + (blocked.shape[-1] // block,)), -1, ax)
    return kind.wrap(_c(scales)), kind.wrap(_c(_unblock(q, blocked.shape, n, ax)))


def mx_dequantize(scales, codes, elem="e4m3", block=32, axis=-1, dtype="float32", rounding="rne"):
    """The inverse of mx_quantize (the mxdequant unit): values P_i * 2^(scale - 127) rounded to dtype (float32,
    float16, or bfloat16 for tensors)."""
    func = "mx_dequantize"
    elem = _fmt(elem, "elem")
    block = _block_size(block, func)
    q, kind = _codes(codes, elem, "codes", func)
    s, _ = _codes(scales, _core.format("e8m0"), "scales", func)
    ax = _axis(q, axis, func)
    name = _dtype_name(dtype)
    if name not in ("float32", "float16", "bfloat16"):
        raise ValueError(f"{func}: dtype {name} is not accepted; accepted: float32, float16, bfloat16")
    if name == "bfloat16" and not kind.torch:
        raise ValueError(f"{func}: dtype bfloat16 needs PyTorch tensors (NumPy has no bfloat16)")
    if block < 1:
        raise ValueError(f"{func}: block {block} is not accepted; accepted: 1..64 (OCP MX uses 32)")
    blocked, n = _blocks(q, ax, block)
    want = blocked.shape[:-1] + (blocked.shape[-1] // block,)
    s = np.moveaxis(s, ax, -1)
    if s.shape != want:
        raise ValueError(f"{func}: scales has shape {np.moveaxis(s, -1, ax).shape}; accepted: the shape of codes with "
                         f"axis {ax} of length ceil({n} / {block}) = {want[-1]}")
    z = _core._mx_dequantize(_c(s).reshape(-1), blocked.reshape(-1), elem, _DTYPES[name], block,
                             rounding)
    z = _c(_unblock(z, blocked.shape, n, ax))
    if name == "bfloat16":
        return kind.wrap(z, bfloat16=True)
    return kind.wrap(z.view(np.float32 if name == "float32" else np.float16))


def _tensor_scale_code(t, func):
    if t is None:
        return None
    if isinstance(t, (float, int, np.floating, np.integer)) and not isinstance(t, bool):
        return int(np.array(t, dtype=np.float32).view(np.uint32))
    raise TypeError(f"{func}: tensor_scale must be a float (the fp32 per-tensor decode scale) or None")


def nvfp4_quantize(x, tensor_scale=None, axis=-1, rounding="rne"):
    """NVFP4 along `axis` in blocks of 16 -> (scales as UE4M3 codes, E2M1 codes, tensor_scale as a float).
    tensor_scale None: NVIDIA's recipe fp32(amax / (6 * 448)). Padding as mx_quantize."""
    func = "nvfp4_quantize"
    _check_round_args(func, rounding)
    codes, src, kind = _block_input(x, func)
    ax = _axis(codes, axis, func)
    t = _tensor_scale_code(tensor_scale, func)
    blocked, n = _blocks(codes, ax, 16)
    lead = blocked.shape[:-1]
    scales, q, t = _core._nvfp4_quantize(blocked.reshape(-1), src, t, rounding)
    scales = _c(np.moveaxis(scales.reshape(lead + (blocked.shape[-1] // 16,)), -1, ax))
    t = float(np.array(t, dtype=np.uint32).view(np.float32))
    return kind.wrap(scales), kind.wrap(_c(_unblock(q, blocked.shape, n, ax))), t


def nvfp4_dequantize(scales, codes, tensor_scale, axis=-1, dtype="float32", rounding="rne"):
    """The inverse of nvfp4_quantize (the nvfp4dequant unit): q_i * s_b * t rounded once to dtype."""
    func = "nvfp4_dequantize"
    q, kind = _codes(codes, _core.format("e2m1"), "codes", func)
    s, _ = _codes(scales, _core.format("ue4m3"), "scales", func)
    ax = _axis(q, axis, func)
    t = _tensor_scale_code(tensor_scale, func)
    if t is None:
        raise TypeError(f"{func}: tensor_scale is required (the float nvfp4_quantize returned)")
    name = _dtype_name(dtype)
    if name not in ("float32", "float16", "bfloat16"):
        raise ValueError(f"{func}: dtype {name} is not accepted; accepted: float32, float16, bfloat16")
    if name == "bfloat16" and not kind.torch:
        raise ValueError(f"{func}: dtype bfloat16 needs PyTorch tensors (NumPy has no bfloat16)")
    blocked, n = _blocks(q, ax, 16)
    want = blocked.shape[:-1] + (blocked.shape[-1] // 16,)
    s = np.moveaxis(s, ax, -1)
    if s.shape != want:
        raise ValueError(f"{func}: scales has shape {np.moveaxis(s, -1, ax).shape}; accepted: the shape of codes "
                         f"with axis {ax} of length ceil({n} / 16) = {want[-1]}")
    z = _core._nvfp4_dequantize(t, _c(s).reshape(-1), blocked.reshape(-1), _DTYPES[name], rounding)
    z = _c(_unblock(z, blocked.shape, n, ax))
    if name == "bfloat16":
        return kind.wrap(z, bfloat16=True)
    return kind.wrap(z.view(np.float32 if name == "float32" else np.float16))


# ------------------------------------------------------------------------------------------- arithmetic
def _broadcast(func, *arrays):
    try:
        return [_c(a) for a in np.broadcast_arrays(*arrays)]
    except ValueError:
        shapes = ", ".join(str(a.shape) for a in arrays)
        raise ValueError(f"{func}: the operand shapes {shapes} do not broadcast") from None


def _finish(kind, z, f, flags):
    return (kind.wrap(z), kind.wrap(f)) if flags else kind.wrap(z)


def _binary(func, core, a, b, a_fmt, b_fmt, out, rounding, saturate, ftz, daz, flags):
    fa = _fmt(a_fmt, "a_fmt")
    fb = fa if b_fmt is None else _fmt(b_fmt, "b_fmt")
    fo = fa if out is None else _fmt(out, "out")
    _check_round_args(func, rounding, saturate=saturate, ftz=ftz, daz=daz, flags=flags)
    (ca, kind), (cb, _) = _operand(a, fa, "a", func), _operand(b, fb, "b", func)
    ca, cb = _broadcast(func, ca, cb)
    z, f = core(ca, cb, fa, fb, fo, rounding, saturate, ftz, daz)
    return _finish(kind, z, f, flags)


def mul(a, b, a_fmt, b_fmt=None, out=None, rounding="rne", saturate=False, ftz=False, daz=False, flags=False):
    """a * b rounded once (the fmul unit), element-wise with broadcasting -> codes of `out` (default a_fmt).
    a and b are codes, or floats encoded to their formats with rne first."""
    return _binary("mul", _core._mul, a, b, a_fmt, b_fmt, out, rounding, saturate, ftz, daz, flags)


def add(a, b, a_fmt, b_fmt=None, out=None, rounding="rne", saturate=False, ftz=False, daz=False, flags=False):
    """a + b rounded once (the fadd unit), element-wise with broadcasting -> codes of `out` (default a_fmt)."""
    return _binary("add", _core._add, a, b, a_fmt, b_fmt, out, rounding, saturate, ftz, daz, flags)


def fma(a, b, c, a_fmt, b_fmt=None, c_fmt=None, out=None, rounding="rne", saturate=False, ftz=False, daz=False,
        flags=False):
    """a * b + c rounded once (the fma unit) -> codes of `out` (default c_fmt, whose default is a_fmt)."""
    func = "fma"
    fa = _fmt(a_fmt, "a_fmt")
    fb = fa if b_fmt is None else _fmt(b_fmt, "b_fmt")
    fc = fa if c_fmt is None else _fmt(c_fmt, "c_fmt")
    fo = fc if out is None else _fmt(out, "out")
    _check_round_args(func, rounding, saturate=saturate, ftz=ftz, daz=daz, flags=flags)
    (ca, kind), (cb, _), (cc, _) = (_operand(a, fa, "a", func), _operand(b, fb, "b", func),
                                    _operand(c, fc, "c", func))
    ca, cb, cc = _broadcast(func, ca, cb, cc)
    z, f = _core._fma(ca, cb, cc, fa, fb, fc, fo, rounding, saturate, ftz, daz)
    return _finish(kind, z, f, flags)


def _dot_rounding(accum, rounding):
    """The fdot unit's default: rtz with accum='align' (a tensor core's truncation), rne otherwise."""
    if rounding is not None:
        return rounding
    return "rtz" if accum == "align" else "rne"


def _dot_options(func, accum, align_bits, group):
    if accum not in ("exact", "align", "chain"):
        raise ValueError(f"{func}: accum '{accum}' is not accepted; accepted: exact, align, chain")
    if align_bits is not None and accum != "align":
        raise ValueError(f"{func}: align_bits needs accum='align'")
    for name, v in (("align_bits", align_bits), ("group", group)):
        if v is not None and (not isinstance(v, (int, np.integer)) or isinstance(v, bool)):
            raise TypeError(f"{func}: {name} must be an int or None")
    return -1 if align_bits is None else int(align_bits), 0 if group is None else int(group)


def _dot_setup(func, c, a_fmt, b_fmt, c_fmt, out, accum, align_bits, group, rounding, saturate, ftz, flags):
    """The formats and checked options of dot / matmul."""
    fa = _fmt(a_fmt, "a_fmt")
    fb = fa if b_fmt is None else _fmt(b_fmt, "b_fmt")
    fo = _fmt(out, "out")
    fc = None if c is None else (fo if c_fmt is None else _fmt(c_fmt, "c_fmt"))
    rounding = _dot_rounding(accum, rounding)
    _check_round_args(func, rounding, saturate=saturate, ftz=ftz, flags=flags)
    ab, g = _dot_options(func, accum, align_bits, group)
    return fa, fb, fc, fo, rounding, ab, g


# The tensor-core rule keywords of dot / matmul and the fdot options they are (docs/operators/fdot.md).
_RULE_OPTIONS = (("zero_exp", "--zero-exp"), ("overflow", "--overflow"), ("nan", "--nan"), ("zero_sign", "--zero-sign"),
                 ("out_frac_bits", "--out-frac-bits"), ("two_level", "--two-level"),
                 ("product_overflow", "--product-overflow"), ("c_to_out", "--c-to-out"))
_UNIT_OPTIONS = (("a_fmt", "--a"), ("b_fmt", "--b"), ("c_fmt", "--c"), ("out", "--out"), ("accum", "--accum"),
                 ("align_bits", "--align-bits"), ("group", "--group"), ("rounding", "--round"))


def presets():
    """The tensor-core presets of dot / matmul emulate= (and of `numforge gen fdot --emulate`), as a list of dicts:
    name, instruction, formats (a, b, c, out), n, group, align_bits (F), out_frac_bits, round, rules (zero_exp,
    overflow, nan, zero_sign, product_overflow, c_to_out, and two_level {sum_bits, c_bits} when set), source, differs_from_ieee. The same table `numforge presets --json` prints."""
    import json
    return json.loads(_core._presets_json())


def _word(func, name, v):
    if isinstance(v, Format):
        return v.name
    if isinstance(v, bool) or not isinstance(v, (str, int, np.integer)):
        raise TypeError(f"{func}: {name} must be a string or an int, got {v!r}")
    return str(v)


def _unit_words(func, emulate, n, opts, rules):
    """The `numforge gen fdot` options of one unit. With emulate only the keywords given (the preset fills the rest
    and refuses a different value); without, a unit of n = group products with the rule keywords."""
    if emulate is not None:
        if not isinstance(emulate, str):
            raise TypeError(f"{func}: emulate must be a preset name (numforge.presets()), got {emulate!r}")
        if not emulate:  # the CLI reads an empty --emulate as none; here it is a name that is not a preset
            names = ", ".join(p["name"] for p in presets())
            raise ValueError(f"{func}: emulate: '' is not a preset; accepted: {names}")
        words = ["--emulate", emulate]
        given = opts
    else:
        given = dict(opts, group=None)
        words = ["--n", str(n), "--a", _word(func, "a_fmt", opts["a_fmt"] or "e4m3"),
                 "--out", _word(func, "out", opts["out"] or "fp32"), "--accum", _word(func, "accum", opts["accum"] or "align")]
        given.update(a_fmt=None, out=None, accum=None)
    for key, option in _UNIT_OPTIONS:
        if given.get(key) is not None:
            words += [option, _word(func, key, given[key])]
    for key, option in _RULE_OPTIONS:
        v = rules[key]
        if key == "two_level" and isinstance(v, (tuple, list)) and len(v) == 2:  # (sum_bits, c_bits)
            v = f"{_word(func, key, v[0])},{_word(func, key, v[1])}"
        if v is not None:
            words += [option, _word(func, key, v)]
    for key in ("saturate", "ftz"):
        if opts[key]:
            words.append("--" + key)
    return words


def _unit_setup(func, c, opts, rules, emulate):
    """dot / matmul through whole fdot units (emulate or a rule keyword given): the operand formats, and a function
    of K giving the unit's spec (the one `numforge gen fdot` builds for the same options)."""
    for key in ("saturate", "ftz"):
        _check_round_args(func, "rne", **{key: opts[key]})
    opts = dict(opts)
    if emulate is None:  # c_fmt is c's format, without c no addend (a preset's c port is +0 then)
        opts["c_fmt"] = None if c is None else opts["c_fmt"] or opts["out"] or "fp32"
    if emulate is not None:
        unit = _core._fdot_unit(func, _unit_words(func, emulate, 0, opts, rules))
        return unit.a, unit.b, unit.c, lambda k: unit
    fa = _fmt(opts["a_fmt"] or "e4m3", "a_fmt")
    fb = fa if opts["b_fmt"] is None else _fmt(opts["b_fmt"], "b_fmt")
    fc = None if c is None else _fmt(opts["c_fmt"], "c_fmt")
    g = opts["group"]
    if g is not None and (isinstance(g, bool) or not isinstance(g, (int, np.integer))):
        raise TypeError(f"{func}: group must be an int or None")

    def unit_for(k):
        n = int(g) if g is not None else min(32, max(2, 1 << max(0, int(k) - 1).bit_length()))
        return _core._fdot_unit(func, _unit_words(func, None, n, opts, rules))
    return fa, fb, fc, unit_for


def _dot_kind(func, c, opts, rules, emulate):
    """dot / matmul's two kinds: whole fdot units (emulate or a rule keyword given: fa, fb, fc, unit_for(K), None)
    or the plain groups (fa, fb, fc, None, the rest of _core._dot's options)."""
    if emulate is not None or any(v is not None for v in rules.values()):
        _check_round_args(func, "rne", flags=opts.pop("flags"))
        return (*_unit_setup(func, c, opts, rules, emulate), None)
    accum = opts["accum"] or "exact"
    fa, fb, fc, fo, rounding, ab, g = _dot_setup(func, c, opts["a_fmt"] or "e4m3", opts["b_fmt"], opts["c_fmt"],
                                                 opts["out"] or "fp32", accum, opts["align_bits"], opts["group"],
                                                 opts["rounding"], opts["saturate"], opts["ftz"], opts["flags"])
    return fa, fb, fc, None, (fo, accum, ab, g, rounding, opts["saturate"], opts["ftz"])


def dot(a, b, c=None, a_fmt=None, b_fmt=None, c_fmt=None, out=None, accum=None, align_bits=None, group=None,
        rounding=None, saturate=False, ftz=False, flags=False, emulate=None, zero_exp=None, overflow=None, nan=None,
        zero_sign=None, out_frac_bits=None, two_level=None, product_overflow=None, c_to_out=None):
    """Dot products over the last axis with the fdot unit's semantics -> codes of `out` of the broadcast leading
    shape. The K terms are cut into fused groups of `group` products (default min(K, 32)); each group is one fdot
    unit (accum exact: one rounding of the exact sum; align: terms truncated to align_bits fraction bits below
    the group's largest exponent) whose addend is the previous group's result in `out` (the first group's: c in
    c_fmt, or none); a last group holds the K mod group products left over. accum='chain': K fma steps.
    rounding None: the unit's default, rtz with accum='align', rne otherwise. Defaults: a_fmt 'e4m3', out 'fp32',
    accum 'exact'.

    emulate=PRESET (numforge.presets()) or a tensor-core rule keyword (zero_exp, overflow, nan, zero_sign,
    out_frac_bits, two_level "S,C" or (S, C), product_overflow, c_to_out: fdot's --zero-exp ... options): K is split into whole fdot units (a preset's n products, or
    `group`, default the power of two >= K up to 32) chained through c in z's format, the last padded with zero
    pairs; a keyword a preset sets to another value is a ValueError naming both. See docs/python.md."""
    func = "dot"
    fa, fb, fc, unit_for, plain = _dot_kind(func, c, dict(
        a_fmt=a_fmt, b_fmt=b_fmt, c_fmt=c_fmt, out=out, accum=accum, align_bits=align_bits, group=group,
        rounding=rounding, saturate=saturate, ftz=ftz, flags=flags), dict(
        zero_exp=zero_exp, overflow=overflow, nan=nan, zero_sign=zero_sign, out_frac_bits=out_frac_bits,
        two_level=two_level, product_overflow=product_overflow, c_to_out=c_to_out), emulate)
    (ca, kind), (cb, _) = _operand(a, fa, "a", func), _operand(b, fb, "b", func)
    if ca.ndim == 0 or cb.ndim == 0:
        raise ValueError(f"{func}: a and b need a last axis of terms")
    ca, cb = _broadcast(func, ca, cb)
    lead, k = ca.shape[:-1], ca.shape[-1]
    cc = None
    if c is not None and fc is not None:
        cc, _ = _operand(c, fc, "c", func)
        try:
            cc = _c(np.broadcast_to(cc, lead))
        except ValueError:
            raise ValueError(f"{func}: c has shape {cc.shape}; accepted: one value per dot product {lead}") from None
    if unit_for is not None:
        z, f = _core._dot_unit(unit_for(k), ca.reshape(-1), cb.reshape(-1), cc, k)
    else:
        z, f = _core._dot(ca.reshape(-1), cb.reshape(-1), cc, fa, fb, fc, *plain, k)
    return _finish(kind, z.reshape(lead), f.reshape(lead), flags)


def matmul(A, B, C=None, a_fmt=None, b_fmt=None, c_fmt=None, out=None, accum=None, align_bits=None,
           group=None, rounding=None, saturate=False, ftz=False, flags=False, emulate=None, zero_exp=None,
           overflow=None, nan=None, zero_sign=None, out_frac_bits=None, two_level=None, product_overflow=None,
           c_to_out=None):
    """A (M x K) @ B (K x N) -> codes of `out` (M x N), every element dot(A[m, :], B[:, n]) with dot's semantics
    and keywords: a tensor-core GEMM whose K is split into `group`-term fused groups chained through the output
    format, or with emulate=PRESET the GEMM that preset's instruction computes (K in units of its n, C default +0)."""
    func = "matmul"
    fa, fb, fc, unit_for, plain = _dot_kind(func, C, dict(
        a_fmt=a_fmt, b_fmt=b_fmt, c_fmt=c_fmt, out=out, accum=accum, align_bits=align_bits, group=group,
        rounding=rounding, saturate=saturate, ftz=ftz, flags=flags), dict(
        zero_exp=zero_exp, overflow=overflow, nan=nan, zero_sign=zero_sign, out_frac_bits=out_frac_bits,
        two_level=two_level, product_overflow=product_overflow, c_to_out=c_to_out), emulate)
    (ca, kind), (cb, _) = _operand(A, fa, "A", func), _operand(B, fb, "B", func)
    if ca.ndim != 2 or cb.ndim != 2 or ca.shape[1] != cb.shape[0]:
        raise ValueError(f"{func}: A has shape {ca.shape} and B {cb.shape}; accepted: M x K and K x N")
    m, k = ca.shape
    n = cb.shape[1]
    cc = None
    if C is not None and fc is not None:
        cc, _ = _operand(C, fc, "C", func)
        if cc.shape != (m, n):
            raise ValueError(f"{func}: C has shape {cc.shape}; accepted: {(m, n)}")
    bt = _c(cb.T)
    if unit_for is not None:
        z, f = _core._matmul_unit(unit_for(k), ca, bt, cc, m, n, k)
    else:
        z, f = _core._matmul(ca, bt, cc, fa, fb, fc, *plain, m, n, k)
    return _finish(kind, z, f, flags)


def _stream(func, a, b, fa, fb, axis):
    ca, kind = _operand(a, fa, "a", func)
    cb = None
    if b is not None:
        cb, _ = _operand(b, fb, "b", func)
        ca, cb = _broadcast(func, ca, cb)
    ax = _axis(ca, axis, func)
    ca = _c(np.moveaxis(ca, ax, -1))
    if cb is not None:
        cb = _c(np.moveaxis(cb, ax, -1))
    return ca, cb, kind, ax


def facc(a, a_fmt, out=None, b=None, b_fmt=None, axis=-1, rounding="rne", flags=False):
    """The facc accumulator along `axis`: out[..., i] = round(acc + a_i) (or + a_i * b_i with b, one rounding),
    each stream starting with clear. Returns the accumulator after every term (the last is the sum)."""
    func = "facc"
    fa = _fmt(a_fmt, "a_fmt")
    fo = fa if out is None else _fmt(out, "out")
    fb = None if b is None else (fa if b_fmt is None else _fmt(b_fmt, "b_fmt"))
    _check_round_args(func, rounding, flags=flags)
    ca, cb, kind, ax = _stream(func, a, b, fa, fb, axis)
    z, f = _core._facc(ca, cb, fa, fb, fo, rounding, ca.shape[-1] if ca.size else 1)
    return _finish(kind, np.moveaxis(z, -1, ax), np.moveaxis(f, -1, ax), flags)


def kulisch(a, a_fmt, out, b=None, b_fmt=None, axis=-1, carry_bits=16, rounding="rne", flags=False):
    """The kulisch exact accumulator along `axis`: out[..., i] = round(exact sum of terms 0..i) (products a*b with
    b), each stream starting with clear."""
    func = "kulisch"
    fa = _fmt(a_fmt, "a_fmt")
    fo = _fmt(out, "out")
    fb = None if b is None else (fa if b_fmt is None else _fmt(b_fmt, "b_fmt"))
    _check_round_args(func, rounding, flags=flags)
    if not isinstance(carry_bits, (int, np.integer)) or isinstance(carry_bits, bool):
        raise TypeError(f"{func}: carry_bits must be an int")
    ca, cb, kind, ax = _stream(func, a, b, fa, fb, axis)
    z, f = _core._kulisch(ca, cb, fa, fb, fo, rounding, int(carry_bits), ca.shape[-1] if ca.size else 1)
    return _finish(kind, np.moveaxis(z, -1, ax), np.moveaxis(f, -1, ax), flags)
