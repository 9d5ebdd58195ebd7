#!/usr/bin/env bash
# Compiles every portable C file of the driver core for Windows x64 kernel mode against mingw-w64's
# DDK headers, with warnings as errors, then runs clang's static analyzer on them: the Linux stand-in
# for the WDK build and its Code Analysis.
#
#   scripts/check-core-mingw.sh [file.c ...]
#
# By default: native-driver/core/*.c, and native-driver/kmdf/probe.c, the one kernel-only file that
# needs nothing but wdm.h (the other KMDF files need the KMDF headers: scripts/check-kmdf-local.sh).
#
# Files that use structured exception handling (__try) go through clang, which understands it with
# -fms-extensions; the rest through x86_64-w64-mingw32-gcc. With CI=true a missing tool is a failure;
# otherwise the check is skipped with a message.
set -euo pipefail
cd "$(dirname "$0")/.."

DDK=/usr/x86_64-w64-mingw32/include/ddk
GCC=x86_64-w64-mingw32-gcc
CLANG=clang

missing() {
    if [ "${CI:-}" = "true" ]; then
        echo "check-core-mingw: $1 is missing (install: $2)" >&2
        exit 1
    fi
    echo "check-core-mingw: SKIPPED, $1 is missing (install: $2)"
    exit 0
}

command -v "$GCC" >/dev/null || missing "$GCC" "apt-get install gcc-mingw-w64-x86-64"
[ -f "$DDK/wdm.h" ] || missing "$DDK/wdm.h" "apt-get install mingw-w64-x86-64-dev"

if [ $# -gt 0 ]; then
    files=("$@")
else
    files=(native-driver/core/*.c)
    [ -f native-driver/kmdf/probe.c ] && files+=(native-driver/kmdf/probe.c)
fi

# Kernel mode for x64 Windows 10 2004 (NTDDI_WIN10_VB) and later, which is what the driver targets.
defines=(-D_AMD64_ -D_WIN64 -DNTDDI_VERSION=0x0A000008 -D_WIN32_WINNT=0x0A00 -DWINVER=0x0A00)
warnings=(-Wall -Wextra -Werror -Wno-multichar)
includes=(-isystem "$DDK" -Inative-driver/include -Inative-driver/core)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

failed=0
for f in "${files[@]}"; do
    obj="$out/$(basename "$f" .c).o"
    if grep -q '__try' "$f"; then
        command -v "$CLANG" >/dev/null || missing "$CLANG" "apt-get install clang"
        compiler=("$CLANG" --target=x86_64-w64-mingw32 -fms-extensions)
    else
        compiler=("$GCC")
    fi
    if "${compiler[@]}" -c -o "$obj" "${defines[@]}" "${warnings[@]}" "${includes[@]}" "$f"; then
        echo "ok      $f (${compiler[0]})"
    else
        echo "FAILED  $f (${compiler[0]})"
        failed=1
    fi
done

# The nearest thing to the WDK's Code Analysis that runs here: clang's static analyzer (null and
# uninitialised dereferences, leaks, dead stores, bad frees) on the same files and headers. PREfast's
# own annotations (_IRQL_requires_max_, _Must_inspect_result_, ...) are empty macros outside MSVC,
# so the IRQL and SAL checks themselves stay the Windows build's (Build-Driver.ps1 -CodeAnalysis).
command -v "$CLANG" >/dev/null || missing "$CLANG" "apt-get install clang"
for f in "${files[@]}"; do
    report=$("$CLANG" --analyze --target=x86_64-w64-mingw32 -fms-extensions -Wno-unknown-pragmas \
        "${defines[@]}" -Wno-multichar "${includes[@]}" -o /dev/null "$f" 2>&1) || true
    if [ -n "$report" ]; then
        echo "FAILED  $f (clang --analyze)"
        echo "$report"
        failed=1
    else
        echo "ok      $f (clang --analyze: no finding)"
    fi
done

if [ "$failed" -ne 0 ]; then
    echo "check-core-mingw: some files do not compile cleanly for Windows kernel mode" >&2
    exit 1
fi
echo "check-core-mingw: ${#files[@]} files compile for Windows x64 kernel mode, no static-analyzer finding"
