#!/usr/bin/env bash
# Installs the Debian packages the full check suite needs and a fresh machine may lack:
# the C toolchain for the simulator, clang with libFuzzer and sanitizer runtimes, mingw-w64 for the
# Windows kernel-mode compile check, python3 for the Windows file checks, node and npm for the
# PowerShell syntax check, jsonschema for the CLI's JSON checks, and a JDK 17.
# Installs only what is missing; needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(gcc make clang libclang-rt-14-dev gcc-mingw-w64-x86-64 python3 openjdk-17-jdk-headless)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# The CLI's end-to-end check validates --json output with jsonschema; a pip-installed one will do.
python3 -c 'import jsonschema' 2>/dev/null || missing+=(python3-jsonschema)
# node and npm often come from outside Debian (nvm, NodeSource): any working pair will do.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: everything present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
