#!/usr/bin/env bash
# Runs the reserved map + unmap benchmark (Java API vs. the C floor, on the simulator) and prints the
# ratio and bytes allocated per operation. Extra arguments go to JMH, e.g.
#   scripts/bench.sh -f 1 -wi 2 -i 3       (a quick run)
# Builds the benchmark jar (and what it depends on) first. See docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."

./mvnw -q -B -DskipTests -pl benchmarks -am package

exec java -jar benchmarks/target/benchmarks.jar "$@"
