#!/usr/bin/env bash
# Faultline sidecar benchmark vs HAProxy 2.6 (TCP and HTTP mode), everything on 127.0.0.1.
# Usage: bench/run.sh [--no-build] [bench.py options...]   (bench/bench.py --help lists them)
# Not part of the test run / CI: it installs Debian packages and takes about 10 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for tool in haproxy:haproxy nginx:nginx wrk:wrk iperf3:iperf3 socat:socat hyperfine:hyperfine taskset:util-linux; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool##*:}")
done
if ((${#need[@]})); then
  echo "installing: ${need[*]}" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
haproxy_version=$(haproxy -v 2>&1 | sed -n 1p)
[[ "$haproxy_version" == *"version 2.6"* ]] || echo "warning: the reference is HAProxy 2.6; found: $haproxy_version" >&2

if [[ "${1:-}" == "--no-build" ]]; then
  shift
else
  ./mvnw -B -q package -DskipTests -pl sidecar
fi
exec python3 bench/bench.py "$@"
