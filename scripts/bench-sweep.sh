#!/usr/bin/env bash
# Benchmark: the 20-point fmul sweep (synth/sweeps/fmul_bench.toml: bf16, fp16, e4m3, e5m2 x 5 rounding modes,
# 10^5-vector verification, ppa with sign-off, accuracy) from a cold cache (a fresh OUT and an empty Verilator
# cache), then again with everything cached. Prints both wall times, their ratio and the per-stage totals.
#   scripts/bench-sweep.sh [BUILD_DIR] [JOBS]      (targets: cold <= 120 s on 2 cores, cached <= 5 s)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}; jobs=${2:-$(nproc)}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
seconds() {  # runs the sweep, its summary indented; leaves the wall time in $elapsed
  local t0 t1
  t0=$(date +%s.%N)
  NUMFORGE_CACHE=$tmp/vcache "$build/numforge" sweep "$root/synth/sweeps/fmul_bench.toml" -o "$tmp/out" --jobs "$jobs" \
    --quiet > "$tmp/log" 2>&1 || { cat "$tmp/log"; exit 1; }
  t1=$(date +%s.%N)
  sed 's/^/  /' "$tmp/log"
  elapsed=$(echo "$t1 - $t0" | bc)
}
echo "bench-sweep: 20-point fmul sweep, --jobs $jobs, $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"
seconds; cold=$elapsed
seconds; cached=$elapsed
printf 'cold   %7.1f s (target <= 120 s)\ncached %7.2f s (target <= 5 s)\ncold / cached = %.0fx\n' "$cold" "$cached" \
  "$(echo "$cold / $cached" | bc -l)"
