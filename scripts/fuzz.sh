#!/usr/bin/env bash
# Builds the libFuzzer harness over resmap_sim_ioctl (native-usermode/src/test/fuzz/fuzz_ioctl.c) with
# clang, AddressSanitizer and UndefinedBehaviorSanitizer, and runs it for a bounded time.
#
#   scripts/fuzz.sh SECONDS
#
# Fails on any crash, sanitizer report, leak, simulated bugcheck, disallowed status (STATUS_UNSUCCESSFUL
# included), change of state by a failed request, READ of other bytes than were written, or resource
# left after the sessions close (the harness aborts on each of those; libFuzzer saves the input under
# native-usermode/target/fuzz/artifacts/). The seeds come from make_seeds.py; inputs the run finds
# go to native-usermode/target/fuzz/corpus, which later runs start from.
#
# Needs clang and its libFuzzer runtime (Debian: apt-get install clang libclang-rt-14-dev, or the
# libclang-rt-N-dev matching clang's version N). With CI=true a missing tool is a failure;
# otherwise the run is skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/../native-usermode"

seconds=${1:?usage: scripts/fuzz.sh SECONDS}
[[ $seconds =~ ^[0-9]+$ ]] || { echo "fuzz.sh: SECONDS must be a whole number, not '$seconds'" >&2; exit 2; }

missing() {
    if [ "${CI:-}" = "true" ]; then
        echo "fuzz.sh: $1 (install: $2)" >&2
        exit 1
    fi
    echo "fuzz.sh: SKIPPED, $1 (install: $2)"
    exit 0
}

CLANG=${CLANG:-clang}
command -v "$CLANG" >/dev/null || missing "clang is missing" "sudo apt-get install clang libclang-rt-14-dev"
command -v python3 >/dev/null || missing "python3 is missing" "sudo apt-get install python3"
clang_major=$("$CLANG" -dumpversion | cut -d. -f1)
runtime=$("$CLANG" -print-file-name=libclang_rt.fuzzer-x86_64.a)
if [ ! -f "$runtime" ]; then
    runtime=$("$CLANG" -print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer-x86_64.a
fi
[ -f "$runtime" ] || missing "clang's libFuzzer runtime is missing" "sudo apt-get install libclang-rt-$clang_major-dev"

out=target/fuzz
mkdir -p "$out/corpus" "$out/artifacts"
rm -rf "$out/seeds"
python3 src/test/fuzz/make_seeds.py "$out/seeds"

# The simulator, the simulated I/O manager and the driver core, all instrumented, plus the harness.
sources=(src/main/c/*.c ../native-driver/core/*.c src/test/fuzz/fuzz_ioctl.c)
"$CLANG" -std=gnu11 -fshort-wchar -g -O1 -fno-omit-frame-pointer \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
    -Wall -Wextra -Werror -Wno-multichar \
    -Isrc/main/include -Isrc/main/c -I../native-driver/include -I../native-driver/core \
    -o "$out/fuzz_ioctl" "${sources[@]}" -lpthread

echo "fuzz.sh: fuzzing resmap_sim_ioctl for $seconds s"
# -timeout: one input (one session) that takes longer than 10 s is a hang and fails the run.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$out/fuzz_ioctl" -max_total_time="$seconds" -timeout=10 -max_len=8192 -rss_limit_mb=4096 \
    -detect_leaks=1 -print_final_stats=1 -artifact_prefix="$out/artifacts/" \
    "$out/corpus" "$out/seeds"
echo "fuzz.sh: no crash, leak or bugcheck in $seconds s"
