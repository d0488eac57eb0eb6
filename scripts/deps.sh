#!/bin/sh
# Install the Debian packages tessera needs, only those that are missing.
# Non-interactive; safe to run again (does nothing when all are present).
# Usage: scripts/deps.sh [extra-package ...]
set -eu

PKGS="build-essential pkg-config clang libclang-rt-14-dev
libcmocka-dev libjansson-dev libsqlite3-dev sqlite3
libprotobuf-c-dev protobuf-c-compiler libonnx-dev libonnx-testdata
libopenblas-dev libfdt-dev device-tree-compiler
verilator yosys iverilog nextpnr-ice40 fpga-icestorm gnuplot-nox
libopenmpi-dev openmpi-bin"

missing=""
for p in $PKGS "$@"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done

[ -z "$missing" ] && exit 0

echo "deps: installing:$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "deps: done" >&2
