#!/usr/bin/env bash
# Installs the Debian packages the tests use, only when missing (a fresh machine has Node + npm only).
set -euo pipefail
need=()
command -v g++ >/dev/null || need+=(g++)
[ -f /usr/include/doctest/doctest.h ] || need+=(doctest-dev)
# the browser cluster's e2e test drives Debian's Chromium through playwright-core
[ -x /usr/bin/chromium ] || need+=(chromium)
# the PromQL source's e2e tests run real PromQL servers: Prometheus 2.42 and VictoriaMetrics
command -v prometheus >/dev/null || need+=(prometheus)
command -v victoria-metrics >/dev/null || need+=(victoria-metrics)
if [ ${#need[@]} -gt 0 ]; then
  echo "setup-system: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
