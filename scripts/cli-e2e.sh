#!/usr/bin/env bash
# End-to-end check of the resmap CLI through the ./resmap launcher, on the simulator: each command's
# exit code and the lines its output must contain. Prints one line per check; exits 1 on any mismatch.
# CI runs it after ./mvnw -B verify.
set -uo pipefail
cd "$(dirname "$0")/.."

failures=0
work="$(mktemp -d "${TMPDIR:-/tmp}/resmap-e2e.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# run NAME EXPECTED_EXIT ARGS...: runs ./resmap ARGS, keeping stdout and stderr in $work/NAME.{out,err}.
run() {
    local name="$1" expected="$2"
    shift 2
    ./resmap "$@" >"$work/$name.out" 2>"$work/$name.err"
    local actual=$?
    if [[ "$actual" == "$expected" ]]; then
        echo "ok    $name: exit $actual"
    else
        echo "FAIL  $name: exit $actual, expected $expected"
        sed 's/^/      /' "$work/$name.err" | head -20
        failures=$((failures + 1))
    fi
}

# expect NAME STREAM TEXT: the command's out or err contains TEXT (a fixed string).
expect() {
    local name="$1" stream="$2" text="$3"
    if grep -qF -- "$text" "$work/$name.$stream"; then
        echo "ok    $name: $stream has \"$text\""
    else
        echo "FAIL  $name: $stream lacks \"$text\""
        failures=$((failures + 1))
    fi
}

# The first run may build the jar; its progress line goes to stderr and is not checked here.
./resmap --version >/dev/null 2>&1 || true

# -V prints the version Maven stamped into the jar's manifest: the project's, from the root pom.
version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' pom.xml | head -1)"
if [[ -z "$version" ]]; then
    echo "FAIL  version: no project <version> found in pom.xml"
    failures=$((failures + 1))
fi
run version 0 -V
expect version out "resmap $version"

run demo 0 --backend=simulator demo
expect demo out "MmAllocateMappingAddress(16384"
expect demo out "MmMapLockedPagesWithReservedMapping("
expect demo out "mapped at offset 0x10 of the reservation"
expect demo out "MmProbeAndLockPages("
expect demo out "the Java ByteBuffer now holds \"written by the kernel\""
expect demo out "MmFreeMappingAddress("
expect demo out "Live objects now: 0 reservations, 0 page sets, 0 mappings."

run info 0 --backend=simulator info
expect info out "backend            simulator"
expect info out "protocol version   1"
expect info out "limits per handle  256 objects"

run selftest 0 --backend=simulator selftest --junit-xml "$work/junit"
expect selftest out "refuse.map-while-mapped"
expect selftest out "passed, 0 failed"
expect selftest err "[1/"
xml="$work/junit/TEST-resmap.catalogue.simulator.xml"
if [[ -f "$xml" ]] && grep -q '<testsuite [^>]*failures="0"' "$xml" && grep -q '<testcase' "$xml"; then
    echo "ok    selftest: $xml exists with 0 failures"
else
    echo "FAIL  selftest: no JUnit XML with 0 failures at $xml"
    failures=$((failures + 1))
fi

run explore-list 0 explore
expect explore-list out "free-while-mapped"
expect explore-list out "unmap-wrong-tag"

run explore-free-while-mapped 0 explore free-while-mapped
expect explore-free-while-mapped out "Windows would bugcheck: 0x000000DA (0x103"
expect explore-free-while-mapped out "SYSTEM_PTE_MISUSE"

run explore-touch 0 explore touch-unmapped-reserved-page
expect explore-touch out "Windows would bugcheck: 0x00000050"
expect explore-touch out "PAGE_FAULT_IN_NONPAGED_AREA"

run bad-command 2 no-such-command
expect bad-command err "resmap: "
if [[ "$(wc -l <"$work/bad-command.err")" -eq 1 ]] && ! grep -q $'\tat ' "$work/bad-command.err"; then
    echo "ok    bad-command: one line on stderr, no stack trace"
else
    echo "FAIL  bad-command: expected one error line, got:"
    sed 's/^/      /' "$work/bad-command.err"
    failures=$((failures + 1))
fi

if [[ "$failures" -ne 0 ]]; then
    echo "cli-e2e: $failures check(s) failed"
    exit 1
fi
echo "cli-e2e: all checks passed"
