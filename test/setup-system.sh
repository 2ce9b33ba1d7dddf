#!/usr/bin/env bash
# What the tests need that npm does not bring. Installs only what is missing, with apt-get as root or
# through sudo when it can; otherwise names what is missing and stops. Nothing to do = no root needed.
set -euo pipefail

missing=()
# need <Debian package> <command that succeeds when it is there>
need() {
  local pkg=$1
  shift
  "$@" >/dev/null 2>&1 || missing+=("$pkg")
}

# ---- the list: one line per need; append yours ----
need g++ command -v g++
need doctest-dev test -f /usr/include/doctest/doctest.h
need chromium test -x /usr/bin/chromium # the browser e2e drives Debian's Chromium via playwright-core
need prometheus command -v prometheus # the PromQL source's e2e: a real Prometheus (2.42 on bookworm) and its promtool
need victoria-metrics command -v victoria-metrics # the same PromQL against a second server
# ---- end of the list ----

[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-system: missing ${missing[*]} (Debian package names), and there is no apt-get here: install them with your package manager, then run again" >&2
  exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  echo "setup-system: missing ${missing[*]}; install them as root (sudo apt-get install ${missing[*]}), then run again" >&2
  exit 1
fi
echo "setup-system: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >/dev/null
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
