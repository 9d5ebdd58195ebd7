#!/usr/bin/env bash
# Compile-checks the KMDF layer (native-driver/kmdf/*.c) on Linux: clang in Windows x64 mode against
# mingw-w64's DDK headers and the open-source KMDF 1.15 headers. A developer's check, not CI's: the
# KMDF headers are Microsoft's (MIT), not the project's, so they are never in this repository.
#
# Usage: scripts/check-kmdf-local.sh WDF
#   WDF  a clone (bare or not) of github.com/microsoft/Windows-Driver-Frameworks, or a folder that
#        already holds usable KMDF headers (wdf.h and its companions, prepared as below)
#
# This checks syntax and types only. It is not the WDK build: the WDK's headers, its /W4 /WX,
# Code Analysis and the link are checked on Windows (scripts/windows/Build-Driver.ps1).
set -euo pipefail

wdf=${1:?usage: $0 WDF_GIT_DIR_OR_HEADER_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
ddk=/usr/x86_64-w64-mingw32/include/ddk

command -v clang >/dev/null || { echo "FAIL clang not found (apt-get install clang)"; exit 1; }
[[ -d $ddk ]] || { echo "FAIL $ddk missing (apt-get install mingw-w64)"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [[ -f $wdf/wdf.h ]]; then
    inc=$wdf
else
    # A private copy, because two adjustments below edit it.
    git -C "$wdf" archive HEAD src/publicinc/wdf/kmdf/1.15 | tar -x -C "$work"
    inc=$work/src/publicinc/wdf/kmdf/1.15

    # The headers were written for a case-insensitive file system: link each name an #include
    # asks for to the file that exists under another case.
    for name in $(sed -n 's/^[[:space:]]*#include[[:space:]]*"\([^"]*\)".*/\1/p' "$inc"/*.h | sort -u); do
        [[ -e $inc/$name ]] && continue
        match=$(find "$inc" -maxdepth 1 -iname "$name" -printf '%f\n' | head -n 1)
        [[ -n $match ]] && ln -s "$match" "$inc/$name"
    done

    # wdfdevice.h forward-declares enum WDF_REQUEST_TYPE and then uses it by value in inline
    # functions, before wdfrequest.h defines it; MSVC accepts that, clang does not. Move the
    # definition to where the forward declaration is.
    enum_def=$work/request_type.h
    sed -n '/^typedef enum _WDF_REQUEST_TYPE {/,/} WDF_REQUEST_TYPE;/p' "$inc/wdfrequest.h" > "$enum_def"
    [[ -s $enum_def ]] || { echo "FAIL WDF_REQUEST_TYPE not found in wdfrequest.h"; exit 1; }
    sed -i '/^typedef enum _WDF_REQUEST_TYPE {/,/} WDF_REQUEST_TYPE;/d' "$inc/wdfrequest.h"
    sed -i -e "/^typedef enum _WDF_REQUEST_TYPE WDF_REQUEST_TYPE;/{r $enum_def" -e 'd}' "$inc/wdfdevice.h"
fi

status=0
for src in "$root"/native-driver/kmdf/*.c; do
    if clang --target=x86_64-w64-mingw32 -fms-extensions -fsyntax-only -Wall -Wextra -Werror \
        -DKMDF_VERSION_MAJOR=1 -DKMDF_VERSION_MINOR=15 \
        -isystem "$ddk" -isystem "$inc" \
        -I"$root/native-driver/include" -I"$root/native-driver/core" -I"$root/native-driver/kmdf" \
        "$src"; then
        echo "ok   KMDF 1.15 compile check: native-driver/kmdf/${src##*/}"
    else
        echo "FAIL KMDF 1.15 compile check: native-driver/kmdf/${src##*/}"
        status=1
    fi
    # clang's static analyzer over the same translation unit (PREfast's SAL and IRQL annotations
    # are empty macros here; only Code Analysis on Windows checks those).
    report=$(clang --analyze --target=x86_64-w64-mingw32 -fms-extensions -Wno-unknown-pragmas \
        -DKMDF_VERSION_MAJOR=1 -DKMDF_VERSION_MINOR=15 \
        -isystem "$ddk" -isystem "$inc" \
        -I"$root/native-driver/include" -I"$root/native-driver/core" -I"$root/native-driver/kmdf" \
        -o /dev/null "$src" 2>&1) || true
    if [[ -n $report ]]; then
        echo "FAIL clang --analyze: native-driver/kmdf/${src##*/}"
        echo "$report"
        status=1
    else
        echo "ok   clang --analyze, no finding: native-driver/kmdf/${src##*/}"
    fi
done
exit $status
