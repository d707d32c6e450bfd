#!/usr/bin/env python3
"""What a number format does to a model, next to what its hardware costs.

Trains a small MLP (PyTorch, float32) on a synthetic classification task it makes itself, then evaluates it with
weights and activations fake-quantized per scheme through numforge (per-tensor e4m3 / e5m2 / e2m1, OCP MX e4m3 /
e2m1 with the floor and rceil scale rules, NVFP4) and with the matmuls of per-tensor e4m3 operands emulated on
tensor-core accumulation (fdot align 13, align 24, exact; groups of 32 chained through fp32). Prints a table of
task accuracy and output QSNR (logits against the float32 model's), and with --ppa each scheme's unit area from
`numforge ppa --json` (Yosys/ABC on NanGate45; cached in --ppa-cache, so only the first run synthesizes) plus an
SVG plot of accuracy against area. The energy column is filled once `numforge ppa` reports energy per operation
(the power work in progress): unit_energy() below is the one place that reads it.

  PYTHONPATH=build/python /usr/bin/python3 examples/accuracy_study.py [--seed 0] [--ppa] [--svg study.svg]
"""
import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

import numforge as nf


CLASSES = 16


def make_task(seed, n, dim=32, classes=CLASSES):
    """Gaussian clusters pushed through a fixed random nonlinearity: learnable, not linearly trivial."""
    g = torch.Generator().manual_seed(seed)
    centers = torch.randn(classes, dim, generator=g) * 0.6
    labels = torch.randint(0, classes, (n,), generator=g)
    x = centers[labels] + 0.5 * torch.randn(n, dim, generator=g)
    mix = torch.randn(dim, dim, generator=g) / math.sqrt(dim)
    return torch.tanh(x @ mix) * 4 + 0.1 * x, labels


def train(seed, x, y, hidden, epochs):
    torch.manual_seed(seed)
    n_train = len(x)
    model = torch.nn.Sequential(torch.nn.Linear(32, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, hidden),
                                torch.nn.ReLU(), torch.nn.Linear(hidden, CLASSES))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(epochs):
        perm = torch.randperm(n_train)
        for i in range(0, n_train, 128):
            idx = perm[i:i + 128]
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x[idx]), y[idx]).backward()
            opt.step()
    return model


# ------------------------------------------------------------------------------------- quantization schemes
def per_tensor(fmt):
    f = nf.format(fmt)

    def q(t):
        scale = float(t.abs().max()) / f.max or 1.0
        return nf.quantize(t / scale, f, saturate=True) * scale
    return q


def mx(elem, rule):
    def q(t):  # blocks along the reduction axis (the last one of activations and of nn.Linear weights)
        s, c = nf.mx_quantize(t.contiguous(), elem, block=32, scale_rule=rule)
        return nf.mx_dequantize(s, c, elem, block=32)
    return q


def nvfp4(t):
    s, c, ts = nf.nvfp4_quantize(t.contiguous())
    return nf.nvfp4_dequantize(s, c, ts)


def tensor_core(accum, align_bits=None):
    """x @ w.T with per-tensor e4m3 operands, the products summed by fdot units (groups of 32 through fp32)."""
    f = nf.format("e4m3")

    def matmul(x, w):
        sx = float(x.abs().max()) / f.max or 1.0
        sw = float(w.abs().max()) / f.max or 1.0
        a = nf.encode(x / sx, f, saturate=True)
        b = nf.encode((w / sw).t().contiguous(), f, saturate=True)
        z = nf.matmul(a, b, out="fp32", accum=accum, align_bits=align_bits, group=32)
        return nf.decode(z, "fp32") * (sx * sw)
    return matmul


SCHEMES = [  # name, element quantizer (weights and activations) or matmul, the unit `numforge ppa` measures
    ("fp32", None, None, "fmul --a fp32"),
    ("e4m3 per-tensor", per_tensor("e4m3"), None, "fcvt --a fp32 --out e4m3 --saturate"),
    ("e5m2 per-tensor", per_tensor("e5m2"), None, "fcvt --a fp32 --out e5m2 --saturate"),
    ("e2m1 per-tensor", per_tensor("e2m1"), None, "fcvt --a fp32 --out e2m1"),
    ("MX e4m3 floor", mx("e4m3", "floor"), None, "mxquant --a fp32 --out e4m3"),
    ("MX e4m3 rceil", mx("e4m3", "rceil"), None, "mxquant --a fp32 --out e4m3 --scale-rule rceil"),
    ("MX e2m1 floor", mx("e2m1", "floor"), None, "mxquant --a fp32 --out e2m1"),
    ("MX e2m1 rceil", mx("e2m1", "rceil"), None, "mxquant --a fp32 --out e2m1 --scale-rule rceil"),
    ("NVFP4", nvfp4, None, "nvfp4quant --a fp32"),
    ("e4m3 TC align 13", None, tensor_core("align", 13), "fdot --n 32 --a e4m3 --out fp32 --accum align --align-bits 13"),
    ("e4m3 TC align 24", None, tensor_core("align", 24), "fdot --n 32 --a e4m3 --out fp32 --accum align --align-bits 24"),
    ("e4m3 TC exact", None, tensor_core("exact"), "fdot --n 32 --a e4m3 --out fp32"),
]


def forward(model, x, quant, matmul):
    h = x
    layers = [m for m in model if isinstance(m, torch.nn.Linear)]
    for i, lin in enumerate(layers):
        if matmul is not None:
            h = matmul(h, lin.weight) + lin.bias
        elif quant is not None:
            h = quant(h) @ quant(lin.weight).t() + lin.bias
        else:
            h = h @ lin.weight.t() + lin.bias
        if i + 1 < len(layers):
            h = torch.relu(h)
    return h


def qsnr_db(ref, y):
    err = float(((ref - y) ** 2).sum())
    return math.inf if err == 0 else 10 * math.log10(float((ref ** 2).sum()) / err)


def ppa_report(numforge, args, cache_path):
    """`numforge ppa --json <unit args>` as a dict, from the cache when the same Verilog was measured before. The
    cache is keyed by the unit's arguments and a hash of the Verilog `numforge gen` writes for them (so a changed
    generator measures again), and rewritten whole through a temporary file."""
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([numforge, "gen", *args.split(), "--output", d], capture_output=True, check=True, timeout=600)
        verilog = b"".join(open(os.path.join(d, n), "rb").read() for n in sorted(os.listdir(d)) if n.endswith(".v"))
    key = f"{args} | {hashlib.sha256(verilog).hexdigest()[:16]}"
    cache = {}
    if cache_path and os.path.exists(cache_path):
        with open(cache_path) as f:
            cache = json.load(f)
    if key not in cache:
        r = subprocess.run([numforge, "ppa", "--json", *args.split()], capture_output=True, text=True, timeout=3600)
        if r.returncode != 0:
            raise RuntimeError(f"numforge ppa {args} failed: {r.stderr.strip()}")
        cache[key] = json.loads(r.stdout)
        if cache_path:
            os.makedirs(os.path.dirname(os.path.abspath(cache_path)), exist_ok=True)
            tmp = cache_path + ".tmp"
            with open(tmp, "w") as f:
                json.dump(cache, f, indent=1, sort_keys=True)
            os.replace(tmp, cache_path)
    return cache[key]


def unit_area(report):
    return float(report["area_um2"])


def unit_energy(report):
    """Energy per operation in pJ from a ppa report, or None while `numforge ppa` reports none. The plug-in point
    for the power flow: once `ppa --json` carries a per-operation energy, read it here (and pass the options it
    needs in ppa_report)."""
    power = report.get("power")
    if isinstance(power, dict) and "energy_pj" in power:
        return float(power["energy_pj"])
    return None


def study(seed=0, n_train=4000, n_test=2000, hidden=64, epochs=8, ppa=False, numforge="build/numforge",
          ppa_cache=None):
    """Rows (scheme, accuracy, QSNR dB, area um^2 or None, energy pJ or None), the same for the same arguments."""
    torch.set_num_threads(1)  # bit-reproducible float32 training
    x_all, y_all = make_task(seed, n_train + n_test)  # one task: the first n_train samples train, the rest test
    model = train(seed, x_all[:n_train], y_all[:n_train], hidden, epochs)
    x, y = x_all[n_train:], y_all[n_train:]
    rows = []
    with torch.no_grad():
        ref = forward(model, x, None, None)
        for name, quant, matmul, unit in SCHEMES:
            out = forward(model, x, quant, matmul)
            acc = float((out.argmax(1) == y).float().mean())
            report = ppa_report(numforge, unit, ppa_cache) if ppa else None
            rows.append((name, acc, qsnr_db(ref, out), unit_area(report) if report else None,
                         unit_energy(report) if report else None))
    return rows


def write_svg(rows, path):
    pts = [(r[3], r[1], r[0]) for r in rows if r[3] and not math.isnan(r[3])]
    if not pts:
        return
    amax, lo = max(p[0] for p in pts), min(p[1] for p in pts)
    body = []
    for area, acc, name in pts:
        cx = 60 + 500 * area / amax
        cy = 340 - 300 * (acc - lo) / max(1e-9, 1 - lo)
        body.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4"/><text x="{cx + 6:.1f}" y="{cy - 4:.1f}" '
                    f'font-size="10">{name}</text>')
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="700" height="380"><text x="250" y="370">unit area (um^2, '
           f'0..{amax:.0f})</text><text x="5" y="20">accuracy ({lo:.3f}..1)</text>{"".join(body)}</svg>\n')
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(svg)
    os.replace(tmp, path)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--ppa", action="store_true", help="measure each scheme's unit with `numforge ppa` (minutes)")
    p.add_argument("--numforge", default=os.environ.get("NUMFORGE_BIN", "build/numforge"))
    p.add_argument("--ppa-cache", default=os.path.join(os.path.expanduser("~"), ".cache", "numforge", "study_ppa.json"),
                   help="where ppa reports are kept between runs (default: ~/.cache/numforge/study_ppa.json)")
    p.add_argument("--svg", help="with --ppa: write accuracy against area to this SVG file")
    a = p.parse_args()
    rows = study(seed=a.seed, epochs=a.epochs, ppa=a.ppa, numforge=a.numforge, ppa_cache=a.ppa_cache)
    print(f"{'scheme':<20} {'accuracy':>8} {'QSNR dB':>8} {'area um^2':>10} {'energy pJ':>10}")
    for name, acc, q, area, energy in rows:
        area_s = "-" if area is None else format(area, ".1f")
        energy_s = "-" if energy is None else format(energy, ".3f")
        print(f"{name:<20} {acc:8.4f} {q:8.2f} {area_s:>10} {energy_s:>10}")
    if a.svg and a.ppa:
        write_svg(rows, a.svg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
