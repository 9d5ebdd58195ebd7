#!/usr/bin/env bash
# The benchmarks a user can trust: every comparison alternates short blocks of its two subjects in ONE
# process, reports medians with the quartiles of the per-pair ratios, and says "inconclusive" when the
# noise is larger than the margin to a target. See docs/benchmarks.md for what each line means.
#
#   scripts/bench.sh [--quick] [--jmh] [--out DIR]
#
# Writes to DIR (default target/bench):
#   sim.json       the simulator against the bare host (native-usermode/src/bench/c/bench_sim.c): page
#                  counts, live objects, threads that touched the machine, two threads
#   pairwise.json  the Java API against the same requests from C, and C against the bare host, for 1, 16,
#   pairwise.png   256 and 4,096 pages, reserved and ordinary (a JFreeChart chart); sim.json also has contiguous
#                  and scattered frames, live objects, threads and two threads
#   jmh.txt        with --jmh: the JMH suite (1 page, reserved and ordinary, with GC profiler: B/op)
# --quick runs fewer, shorter blocks (seconds, for a smoke test; the figures are then rough).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=()
jmh=0
out=target/bench
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=(--quick) ;;
    --jmh) jmh=1 ;;
    --out) out="$2"; shift ;;
    *) echo "usage: scripts/bench.sh [--quick] [--jmh] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$out"

echo "== load before: $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min), $(nproc) CPUs"
make -s -C native-usermode target/bench/bench_sim
./mvnw -q -B -DskipTests -pl benchmarks -am package

echo "== the simulator against the bare host (C)"
native-usermode/target/bench/bench_sim "${quick[@]}" --json "$out/sim.json"

echo "== the Java API against C, and C against the bare host (one JVM)"
java -cp benchmarks/target/benchmarks.jar org.resmap.bench.PairwiseMain "${quick[@]}" \
  --json "$out/pairwise.json" --chart "$out/pairwise.png"

if [ "$jmh" = 1 ]; then
  echo "== JMH (1 page; GC profiler for bytes per operation)"
  if [ ${#quick[@]} -gt 0 ]; then
    java -jar benchmarks/target/benchmarks.jar -f 1 -wi 2 -i 3 -w 1 -r 1 | tee "$out/jmh.txt"
  else
    java -jar benchmarks/target/benchmarks.jar | tee "$out/jmh.txt"
  fi
fi
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg); results in $out"
