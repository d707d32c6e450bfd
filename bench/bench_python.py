#!/usr/bin/env python3
"""Speed of the numforge Python module, as rates and same-run ratios (no timed assertions).

  PYTHONPATH=build/python /usr/bin/python3 bench/bench_python.py [--n 100000000] [--threads 2] [--matmul-only]

1. fp32 -> e4m3 encode vs numpy.copyto of the same fp32 bytes (the memory bound), and vs PyTorch rounding the
   same values with tensor arithmetic the way microxcaling / torchao emulate it (exponent, scale, round, clamp).
2. mx_quantize e4m3 K=32 vs the same copy.
3. matmul 512 x 512 x 512 e4m3, accum align 13, group 32, in M multiply-adds/s; the same GEMM with
   emulate="hopper-wgmma-e4m3" (the preset's rules, z in fp32 "e8m13").

Each line also gives the CPU time per item over all threads (time.process_time), which a busy machine inflates
far less than the wall time: on a shared machine read the ratios with the load (uptime) printed at the top.
"""
import os
import argparse
import time

import numpy as np

import numforge as nf


CPU = {}  # label -> the CPU seconds of its best wall-time run


def best_of(fn, repeat, label=None):
    best = float("inf")
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        wall = time.perf_counter() - t0
        if wall < best:
            best, CPU[label] = wall, time.process_time() - c0
    return best


def cpu_ns(label, n):
    return f"cpu {CPU[label] / n * 1e9:6.2f} ns/item"


def torch_e4m3_round(torch, x):
    """e4m3 rne with saturation in tensor arithmetic (microxcaling's _quantize_elemwise_core recipe)."""
    a = x.abs()
    e = torch.floor(torch.log2(a)).clamp(min=-6)  # e4m3: emin -6, 3 mantissa bits
    scale = torch.exp2(e - 3)
    y = torch.round(a / scale) * scale  # torch.round: half to even
    y = y.clamp(max=448.0)
    return torch.where(x < 0, -y, y)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=100_000_000)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--matmul-only", action="store_true", help="only part 3 (the matmul lines)")
    args = p.parse_args()
    nf.set_num_threads(args.threads)
    if not args.matmul_only:
        elementwise_lines(args)
    matmul_lines(args)
    print(f"load average after the run {os.getloadavg()[0]:.1f}")


def elementwise_lines(args):
    n = args.n
    x = (np.random.default_rng(1).standard_normal(n) * 20).astype(np.float32)
    dst = np.empty_like(x)
    gb = x.nbytes / 1e9
    t_copy = best_of(lambda: np.copyto(dst, x), args.repeat, "copy")
    t_enc = best_of(lambda: nf.encode(x, "e4m3", saturate=True), args.repeat, "enc")
    print(f"n = {n:.3g} fp32 values, numforge threads = {args.threads}, load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores")
    print(f"numpy.copyto fp32         {n / t_copy / 1e6:9.1f} M values/s  ({gb / t_copy:.2f} GB/s read)  {cpu_ns('copy', n)}")
    print(f"encode fp32->e4m3 (sat)   {n / t_enc / 1e6:9.1f} M values/s  ratio to copy {t_copy / t_enc:.2f}x  {cpu_ns('enc', n)}")
    try:
        import torch
        torch.set_num_threads(args.threads)
        tx = torch.from_numpy(x)
        t_torch = best_of(lambda: torch_e4m3_round(torch, tx), args.repeat)
        print(f"torch tensor-arith e4m3   {n / t_torch / 1e6:9.1f} M values/s  encode is {t_torch / t_enc:.2f}x faster")
        q = nf.quantize(x[:1_000_000], "e4m3", saturate=True)
        ref = torch_e4m3_round(torch, tx[:1_000_000]).numpy()
        print(f"  (the torch recipe agrees with numforge on {np.mean(q == ref) * 100:.4f}% of the first 10^6 values)")
    except ImportError:
        print("torch not importable: no tensor-arithmetic comparison")
    t_mx = best_of(lambda: nf.mx_quantize(x, "e4m3", block=32), args.repeat, "mx")
    print(f"mx_quantize e4m3 K=32     {n / t_mx / 1e6:9.1f} M values/s  ratio to copy {t_copy / t_mx:.2f}x  {cpu_ns('mx', n)}")


def matmul_lines(args):
    print(f"matmul: numforge threads = {args.threads}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    rng = np.random.default_rng(2)
    A = nf.encode(rng.standard_normal((512, 512)).astype(np.float32), "e4m3")
    B = nf.encode(rng.standard_normal((512, 512)).astype(np.float32), "e4m3")
    t_mm = best_of(lambda: nf.matmul(A, B, accum="align", align_bits=13, group=32), args.repeat, "mm")
    print(f"matmul 512^3 e4m3 align13 group32  {512 ** 3 / t_mm / 1e6:9.1f} M MAC/s ({t_mm:.2f} s)  {cpu_ns('mm', 512 ** 3)}")
    # The same align13 group32 dot products through dot() (operand tables gathered per dot product, no decoding
    # once per matrix), on 256 x 256 x 512 to keep the broadcast copies small: the ratio is the planes' gain.
    a3 = np.ascontiguousarray(np.broadcast_to(A[:256, None, :], (256, 256, 512)))
    b3 = np.ascontiguousarray(np.broadcast_to(B.T[None, :256, :], (256, 256, 512)))
    t_dot = best_of(lambda: nf.dot(a3, b3, accum="align", align_bits=13, group=32), args.repeat, "dot")
    t_mm4 = best_of(lambda: nf.matmul(A[:256], B[:, :256], accum="align", align_bits=13, group=32), args.repeat, "mm4")
    mac = 256 * 256 * 512
    print(f"  256x256x512: dot per row {mac / t_dot / 1e6:9.1f} M MAC/s, matmul {mac / t_mm4 / 1e6:9.1f} M MAC/s "
          f"({t_dot / t_mm4:.2f}x)")
    t_hw = best_of(lambda: nf.matmul(A, B, emulate="hopper-wgmma-e4m3"), args.repeat, "hw")
    print(f"matmul 512^3 hopper-wgmma-e4m3     {512 ** 3 / t_hw / 1e6:9.1f} M MAC/s ({t_hw:.2f} s)  {cpu_ns('hw', 512 ** 3)}")


if __name__ == "__main__":
    main()
