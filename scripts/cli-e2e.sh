#!/usr/bin/env bash
# End-to-end check of the resmap CLI through the ./resmap launcher, on the simulator: each command's
# exit code, the lines its output must contain, its JSON against docs/schema/, its SVG (well-formed, one
# shape per mapped page). Prints one line per check; exits 1 on any mismatch. CI runs it after
# ./mvnw -B verify.
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

# json NAME SCHEMA: the command's stdout parses as JSON and matches docs/schema/SCHEMA.
json() {
    python3 scripts/check-cli-output.py json "$2" "$work/$1.out" || failures=$((failures + 1))
}

# svg FILE N1 N2...: well-formed SVG whose snapshot k draws Nk mapped pages, one shape each.
svg() {
    python3 scripts/check-cli-output.py svg "$@" || failures=$((failures + 1))
}

# absent NAME STREAM TEXT: the command's out or err does not contain TEXT.
absent() {
    local name="$1" stream="$2" text="$3"
    if grep -qF -- "$text" "$work/$name.$stream"; then
        echo "FAIL  $name: $stream has \"$text\""
        failures=$((failures + 1))
    else
        echo "ok    $name: $stream lacks \"$text\""
    fi
}

# The JSON checks need the jsonschema package; a missing one is a failure under CI, else a skip.
if ! python3 -c 'import jsonschema' 2>/dev/null; then
    if [[ "${CI:-}" == "true" ]]; then
        echo "FAIL  python3 has no jsonschema (scripts/install-deps.sh installs python3-jsonschema)"
        failures=$((failures + 1))
    else
        echo "SKIP  the JSON schema checks: python3 has no jsonschema (apt-get install python3-jsonschema)"
    fi
    json() { :; }
fi

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

# The launcher works through a symlink on PATH.
mkdir -p "$work/bin" && ln -s "$PWD/resmap" "$work/bin/resmap"
if (cd "$work" && PATH="$work/bin:$PATH" resmap --version) >"$work/symlink.out" 2>&1 \
        && grep -q '^resmap ' "$work/symlink.out"; then
    echo "ok    launcher: runs when symlinked onto PATH"
else
    echo "FAIL  launcher: through a symlink it printed:"; sed 's/^/      /' "$work/symlink.out"
    failures=$((failures + 1))
fi

# The launcher's cache is per jar: a start fills this jar's own entry (native libraries and a whole
# class-data archive, no partial one), drops this jar's older builds and leaves other jars' entries alone.
cache_home="$work/cache"
owner="$(printf '%s' "$PWD/resmap-cli/target/resmap.jar" | sha1sum | cut -c1-12)"
mkdir -p "$cache_home/resmap/$owner-1-1" "$cache_home/resmap/0123456789ab-1-1"
XDG_CACHE_HOME="$cache_home" ./resmap --version >/dev/null 2>&1 || true
XDG_CACHE_HOME="$cache_home" ./resmap --version >/dev/null 2>&1 || true
entry="$(ls -d "$cache_home/resmap/$owner"-* 2>/dev/null)"
if [[ "$(printf '%s\n' "$entry" | wc -l)" == 1 && -f "$entry/resmap.jsa" && -f "$entry/linux-x86-64/libresmap-sim.so" \
        && -z "$(ls "$entry" | grep '\.jsa\.')" && -d "$cache_home/resmap/0123456789ab-1-1" ]]; then
    echo "ok    launcher: one cache entry per jar, with its archive; other jars' entries kept"
else
    echo "FAIL  launcher: cache entries:"; ls -R "$cache_home/resmap" | sed 's/^/      /'
    failures=$((failures + 1))
fi

# demo lifecycle, the README's command, with global options after the command
run demo 0 demo --backend=simulator
expect demo out "MmAllocateMappingAddress(16384"
expect demo out "why: the address is sysva+0x2000, not sysva+0x0, because a reservation takes two header PTEs"
expect demo out "flags 0x4 is MM_ALLOCATE_FULLY_REQUIRED"
expect demo out "mapped at offset 0x10 of the reservation; they read \"seen through a sub-range\", written in step 4"
expect demo out "the Java ByteBuffer now holds \"written by the kernel\""
expect demo out "Live objects now: 0 reservations, 0 page sets, 0 mappings."
absent demo err "resmap:"
run demo-svg 0 demo lifecycle --svg "$work/lifecycle.svg"
svg "$work/lifecycle.svg" 0 4 1 1
run demo-json 0 demo --json
json demo-json demo.schema.json

run forward 0 demo forward-progress --system-ptes 48
expect forward out "system PTEs used: 48 of 48; the next one was refused: STATUS_INSUFFICIENT_RESOURCES"
expect forward out "refused with STATUS_INSUFFICIENT_RESOURCES: such a driver must fail or postpone the I/O"
expect forward out "=> mapped 4096 bytes; system PTEs used: 48 of 48"
expect forward out "mapped again; system PTEs used: 48 of 48"
expect forward out "Afterwards, system PTEs used: 0 of 48."
run forward-default 0 demo Forward-Progress --svg "$work/forward.svg" --json
json forward-default demo.schema.json
svg "$work/forward.svg" 4094   # every PTE but the two header PTEs maps a frame

run ring 0 demo ring-buffer --svg "$work/ring.svg"
expect ring out "MmAllocateMappingAddressEx(16384, 'pMsR', 0x1) = sysva+0x2000"
expect ring out "= sysva+0x4000"
expect ring out "the ring's first 8 bytes now read \"ound-end\": the part past the end landed at the start"
expect ring out "everything released; the machine is still running"
svg "$work/ring.svg" 4
run ring-old-build 2 demo ring-buffer --build win81
expect ring-old-build err "needs a divisible reservation"

# info describes the configured machine
run info 0 info
expect info out "backend            simulator"
expect info out "limits per handle  256 objects"
expect info out "simulated machine  Windows build 22631"
run info-machine 0 --build win81 info --system-ptes 64 --memory 16M --no-verifier
expect info-machine out "Windows build 9600 (Windows 8.1"
expect info-machine out "64 system PTEs, 16 MiB of memory (4096 frames), Driver Verifier off"
expect info-machine out "divisible ranges   not supported on this kernel"
run info-json 0 info --json
json info-json info.schema.json
run kernel-machine 2 --backend=kernel --build win81 info
expect kernel-machine err "describe the simulated machine"

# selftest: table, JUnit XML, no progress off a terminal; the build matrix
run selftest 0 --backend=simulator selftest --junit-xml "$work/junit"
expect selftest out "refuse.map-while-mapped"
expect selftest out "passed, 0 failed"
absent selftest err "[1/"
xml="$work/junit/TEST-resmap.catalogue.simulator.xml"
if [[ -f "$xml" ]] && grep -q '<testsuite [^>]*failures="0"' "$xml" && grep -q '<testcase' "$xml"; then
    echo "ok    selftest: $xml exists with 0 failures"
else
    echo "FAIL  selftest: no JUnit XML with 0 failures at $xml"
    failures=$((failures + 1))
fi

# record and replay: a record made on the simulator replays on it with no disagreement; a record whose
# first reply status was changed is reported as a disagreement, exit 1
run record 0 selftest --build win81 --record "$work/record.json"
expect record out "passed, 0 failed"
run replay 0 replay "$work/record.json"
expect replay out "0 disagreements"
python3 - "$work/record.json" "$work/tampered.json" <<'PY'
import json, sys
record = json.load(open(sys.argv[1]))
record["scenarios"][0]["requests"][0]["status"] = "0xC000009A"
json.dump(record, open(sys.argv[2], "w"))
PY
run replay-tampered 1 replay "$work/tampered.json"
expect replay-tampered out "DISAGREE reserve.one-byte-is-one-page request 1 (IOCTL_RESMAP_GET_INFO): recorded status 0xC000009A, simulator 0x00000000"

run matrix 0 selftest --all-builds --junit-xml "$work/matrix"
for build in win7 win81 win10-1507 win10-2004 win11; do
    expect matrix out "build $build: "
    if [[ -f "$work/matrix/TEST-resmap.catalogue.simulator.$build.xml" ]]; then
        echo "ok    matrix: a JUnit XML file for $build"
    else
        echo "FAIL  matrix: no JUnit XML file for $build"
        failures=$((failures + 1))
    fi
done
run selftest-json 0 selftest --build win10-1507 --json
json selftest-json selftest.schema.json

# On a terminal (a pseudo-terminal from script(1), 80 columns): progress in place, a table that fits.
if command -v script >/dev/null; then
    COLUMNS=80 script -qec "stty cols 80; ./resmap selftest" /dev/null >"$work/tty.out" 2>&1
    if grep -q $'\r\[1/' "$work/tty.out" && ! tr '\r' '\n' <"$work/tty.out" | awk 'length > 80 { bad = 1 } END { exit !bad }'; then
        echo "ok    selftest on a terminal: progress in place, no line wider than 80 columns"
    else
        echo "FAIL  selftest on a terminal: no in-place progress, or lines wider than 80 columns"
        failures=$((failures + 1))
    fi
fi

# explore
run explore-list 0 explore
expect explore-list out "free-while-mapped"
expect explore-list out "NAME"
run explore-list-kernel 0 --backend=kernel explore --list
expect explore-list-kernel out "unmap-wrong-tag"
run explore-list-json 0 explore --list --json
json explore-list-json explore-list.schema.json

run explore-free-while-mapped 0 explore FREE-WHILE-MAPPED --svg "$work/explore.svg"
expect explore-free-while-mapped out "Windows would bugcheck: 0x000000DA (0x103, sysva+0x2000, 0x704D7352, 0x1)"
expect explore-free-while-mapped out "0x704D7352 is the pool tag RsMp"
expect explore-free-while-mapped out "SYSTEM_PTE_MISUSE"
expect explore-free-while-mapped out "STATUS_INVALID_DEVICE_STATE"
svg "$work/explore.svg" 1
run explore-json 0 explore map-while-mapped --json
json explore-json explore.schema.json

run explore-unlock-partial 0 explore unlock-partial-mdl
expect explore-unlock-partial out "Through the resmap device instead: cannot be asked for:"
run explore-map-wrong-tag 0 explore map-wrong-tag
expect explore-map-wrong-tag out "a map request with another tag"
run explore-other-build 0 explore free-wrong-tag --build win11
expect explore-other-build out "Windows build 22631"

run explore-touch 0 explore touch-unmapped-reserved-page
expect explore-touch out "Windows would bugcheck: 0x00000050"
expect explore-touch out "PAGE_FAULT_IN_NONPAGED_AREA"
run explore-kernel 2 --backend=kernel explore free-while-mapped
expect explore-kernel err "only on the simulator"

# bench: the in-driver bench, kept short (few cycles); its table, JSON, chart and refusals
run bench 0 bench --pages 1,16 --iterations 20 --repetitions 3 --chart "$work/bench.svg"
expect bench out "In-driver bench on the simulator back end"
expect bench out "PAGES  CYCLES  RESERVED"
expect bench out "ORD/RES above 1: the reserved mapping is cheaper"
expect bench out "these are the simulator's costs on this machine, not Windows'"
python3 scripts/check-cli-output.py chart "$work/bench.svg" "1 page" "16 pages" \
    "ordinary / reserved" "reserved (MmMapLockedPagesWithReservedMapping + unmap)" \
    "ordinary (MmMapLockedPagesSpecifyCache + unmap)" || failures=$((failures + 1))
run bench-json 0 bench --pages 4096 --iterations 5 --repetitions 2 --json
json bench-json bench.schema.json
expect bench-json out "\"pages\" : 4096"
run bench-kernel 2 --backend=kernel bench
expect bench-kernel err "the kernel back end needs Windows with the resmap driver installed"
run bench-pages 2 bench --pages 0
expect bench-pages err "resmap: --pages must be 1 to 16384"
run bench-iterations 2 bench --iterations 100001
expect bench-iterations err "resmap: --iterations must be 1 to 100000, not 100001"
run bench-small-machine 2 bench --system-ptes 64 --pages 64
expect bench-small-machine err "STATUS_INSUFFICIENT_RESOURCES"
if command -v script >/dev/null; then
    COLUMNS=80 script -qec "stty cols 80; ./resmap bench --pages 1,4096 --iterations 5 --repetitions 2" /dev/null \
        >"$work/bench-tty.out" 2>&1
    if grep -q "ORD/RES" "$work/bench-tty.out" && ! tr '\r' '\n' <"$work/bench-tty.out" | awk 'length > 80 { bad = 1 } END { exit !bad }'; then
        echo "ok    bench on a terminal: no line wider than 80 columns"
    else
        echo "FAIL  bench on a terminal: lines wider than 80 columns"
        sed 's/^/      /' "$work/bench-tty.out"
        failures=$((failures + 1))
    fi
fi

# help, suggestions, completion
run bare 0
expect bare out "Usage: resmap"
expect bare out "Exit codes:"
expect bare out "Examples:"
run help 0 help explore
expect help out "--svg=FILE"
expect help out "1   another bug check, or none"
run typo-command 2 demoo
expect typo-command err "resmap: unknown command or argument: demoo"
expect typo-command err "Did you mean: resmap demo?"
run typo-option 2 info --jsn
expect typo-option err "resmap: unknown option: --jsn"
expect typo-option err "--json"
run typo-violation 2 explore free-whle-mapped
expect typo-violation err "did you mean free-while-mapped?"
run completion 0 completion
expect completion out "complete -F"
if bash -n "$work/completion.out"; then
    echo "ok    completion: the script parses in bash"
else
    echo "FAIL  completion: bash cannot parse the script"
    failures=$((failures + 1))
fi

run bad-command 2 no-such-command
if [[ "$(head -1 "$work/bad-command.err")" == "resmap: unknown command or argument: no-such-command (see resmap --help)" ]] \
        && ! grep -q $'\tat ' "$work/bad-command.err"; then
    echo "ok    bad-command: one error line, no stack trace"
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
