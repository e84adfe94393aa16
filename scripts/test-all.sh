#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine, then runs every check and test.
# This is the README's test command and what .ci/run calls.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v prometheus >/dev/null 2>&1 || need_apt+=(prometheus)
command -v victoria-metrics >/dev/null 2>&1 || need_apt+=(victoria-metrics)
command -v prometheus-alertmanager >/dev/null 2>&1 || need_apt+=(prometheus-alertmanager)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing Debian packages: ${need_apt[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}"
fi
command -v chromium >/dev/null 2>&1 || { echo "chromium is required for browser tests"; exit 1; }
for tool in prometheus victoria-metrics prometheus-alertmanager; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is required by the tests; install it"; exit 1; }
done
# Debian's package may start a Prometheus service; the tests start their own on free ports.

npm ci --no-audit --no-fund
npm test
