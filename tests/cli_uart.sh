#!/bin/sh
# cli_uart.sh — `tessera run --device uart:TTY` (driver/dev_uart.c) on the iCEBreaker board
# top in Verilator (and once on the ULX3S top, 3.125 Mbaud), served on a pseudo-terminal by
# sim/boards/board_pty (docs/boards.md §8):
#   a whole network (tests/models/make_models.py's qdq_residual, seed below) through the
#   UART bridge: --check bit-exact with the golden model, the same output as --device host
#   and as ref.py --requant hw, every layer's cycles == the cost model; the device's window
#   is the board memory (128 KiB at 0x1000_0000, from INFO)
#   the same with bytes dropped and bits flipped on the wire both ways (board_pty --drop
#   --corrupt, seeded): still bit-exact, and the link's counts report retries > 0
#   errors, exit 2 and one message, no output file: a missing tty, a file that is not a
#   tty, a tty nobody answers on, a bad option, the tty's baud not the board's, a config
#   whose scratchpad differs from the board's (naming the field), a layer whose image does
#   not fit the board memory (naming the layer, its bytes and the board's);
#   the board gone mid-run: exit 1, the link's failure and counts named
# The host's timeouts cover the simulation running slower than the board's 12 MHz
# (latency_ms below; docs/boards.md §8). Needs verilator; run from the repo root:
#   TS_BIN=build/bin/tessera sh tests/cli_uart.sh
# TS_SAN: the sanitizer flags the library was built with (make check-tests sets it).
# shellcheck source=tests/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
need_bin
BUILD_DIR=$(dirname "$(dirname "$BIN")")
SEED=${TS_SEED:-$(date +%s)}
BOARD=icebreaker
CFG=icebreaker
PTY=$BUILD_DIR/boardsim/$BOARD-$CFG/board_pty
# 8 clocks per bit at 12 MHz (the Makefile's BOARD_icebreaker); the simulation runs at a
# few 10^6 cycles/s, a 265-byte frame is 21,200 cycles: 100 ms covers it many times over.
OPTS=baud=1500000,latency_ms=100
echo "cli_uart: seed $SEED (TS_SEED=$SEED reproduces)"

if ! command -v verilator >/dev/null 2>&1; then
	echo "cli_uart: verilator not installed: skipped"
	finish
	exit
fi
if ${MAKE:-make} --no-print-directory -s BUILD="$BUILD_DIR" SAN="${TS_SAN:-}" "$PTY" >"$TMP/make" 2>&1; then ok; else
	bad "make $PTY:"; tail -30 "$TMP/make"
	finish
	exit 1
fi

M=$TMP/models
if $PY tests/models/make_models.py "$M" --seed "$SEED" --only qdq_residual >"$TMP/gen.out" 2>&1; then ok; else
	bad "make_models.py: $(tail -c 400 "$TMP/gen.out")"
	finish
	exit 1
fi
NET=$M/qdq_residual

PTY_PID=
# start_pty ARGS...: board_pty in the background, its slave's path in PTS
start_pty() {
	"$PTY" "$@" >"$TMP/pty.out" 2>"$TMP/pty.err" &
	PTY_PID=$!
	PTS=
	i=0
	while [ $i -lt 100 ] && [ -z "$PTS" ]; do
		sleep 0.1
		PTS=$(head -n 1 "$TMP/pty.out" 2>/dev/null)
		i=$((i + 1))
	done
	[ -n "$PTS" ] || { bad "board_pty $*: no pseudo-terminal after 10 s: $(cat "$TMP/pty.err")"; return 1; }
}
stop_pty() {
	[ -n "$PTY_PID" ] || return 0
	kill "$PTY_PID" 2>/dev/null
	wait "$PTY_PID" 2>/dev/null
	PTY_PID=
}
trap 'stop_pty; rm -rf "$TMP"' EXIT

# link_retries JSON: the retries the device_info's link counts report
link_retries() {
	$PY - "$1" <<'EOF'
import json, re, sys
info = json.load(open(sys.argv[1]))["device_info"]
m = re.search(r"link: (\d+) requests, (\d+) bytes sent, (\d+) received, (\d+) retries", info)
print(m.group(4) if m else -1)
EOF
}

# the golden model on the host, the reference for the devices
run 0 run -q --model "$NET.onnx" --input "$NET.in.npy" --config $CFG -o "$TMP/host.npy"
if why=$(npy_eq "$TMP/host.npy" "$NET.refhw.npy" 2>&1); then ok; else bad "host vs ref.py --requant hw: $why"; fi

# ---- a clean line -------------------------------------------------------------------------------
if start_pty --seed "$SEED"; then
	if run 0 run --model "$NET.onnx" --input "$NET.in.npy" --config $CFG --device "uart:$PTS,$OPTS" --check --json \
		-o "$TMP/uart.npy"; then
		cp "$TMP/out" "$TMP/uart.json"
		if why=$(cycles_exact "$TMP/uart.json" 2>&1); then ok; else bad "uart: $why"; fi
		if why=$(npy_eq "$TMP/uart.npy" "$TMP/host.npy" 2>&1); then ok; else bad "uart vs host: $why"; fi
		expect_in "uart device_info" out "board memory 131072 bytes at 0x10000000"
		expect_in "uart device_info" out "at 1500000 baud"
		grep -o '"device_info": "[^"]*"' "$TMP/uart.json" | sed 's/^/cli_uart: clean: /'
	fi

	# ---- errors on a live board --------------------------------------------------------------
	# the tty's baud is not the board's
	run 2 run -q --model "$NET.onnx" --input "$NET.in.npy" --config $CFG --device "uart:$PTS,latency_ms=100" \
		-o "$TMP/x.npy" && expect_in "baud mismatch" err "the board's UART runs at 1500000 baud, the tty at 115200"
	# a config whose input scratchpad differs from the board's: the field named
	"$BIN" config show --json $CFG | sed 's/"input_bytes": 1024/"input_bytes": 2048/' >"$TMP/other.json"
	run 2 run -q --model "$NET.onnx" --input "$NET.in.npy" --config "$TMP/other.json" --device "uart:$PTS,$OPTS" \
		-o "$TMP/x.npy" && expect_in "config mismatch" err "input scratchpad words 512 (config 1024)"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok || bad "config mismatch: $(wc -l <"$TMP/err") lines on stderr"
	# a layer whose image is larger than the board memory
	if $PY - "$TMP/big" <<'EOF' >"$TMP/big.out" 2>&1
import sys
import numpy as np
sys.path.insert(0, "tests/models")
import make_models as mm
n = mm.Net("big_conv", 1, 0)
x = n.input("input", [1, 16, 32, 32])
a = n.conv(n.quant(x, np.int8), 16, 3, "qdq")
n.output(n.node("DequantizeLinear", [a, n.const("out.scale", np.float32(n.qp[a][0])),
                                     n.const("out.zp", n.qp[a][1])], base="output"))
mm.write_atomic(sys.argv[1] + ".onnx", n.model().SerializeToString())
mm.write_atomic(sys.argv[1] + ".in.npy", n.feeds[n.inputs[0].name])
EOF
	then
		run 2 run -q --model "$TMP/big.onnx" --input "$TMP/big.in.npy" --config $CFG --device "uart:$PTS,$OPTS" \
			-o "$TMP/x.npy" && expect_in "image too big" err "layer 'conv1': its memory image (" &&
			expect_in "image too big" err "exceeds the uart device's memory (131072 bytes at 0x10000000)"
	else
		bad "the large network: $(tail -c 300 "$TMP/big.out")"
	fi
	[ ! -e "$TMP/x.npy" ] && ok || bad "an output file was written by a failed run"

	# the board gone mid-run (board_pty killed once the run has the tty open): exit 1, why
	"$BIN" run -q --model "$NET.onnx" --input "$NET.in.npy" --config $CFG --device "uart:$PTS,$OPTS" \
		-o "$TMP/x.npy" >"$TMP/out" 2>"$TMP/err" &
	RUN_PID=$!
	i=0
	while [ $i -lt 100 ] && ! ls -l /proc/$RUN_PID/fd 2>/dev/null | grep -q -- "-> $PTS\$"; do
		sleep 0.05
		i=$((i + 1))
	done
	sleep 0.3
	stop_pty
	wait $RUN_PID
	rc=$?
	if [ $rc -eq 1 ]; then ok; else bad "board gone mid-run: exit $rc, expected 1 ($(cat "$TMP/err"))"; fi
	expect_in "board gone mid-run" err "the line is gone"
	expect_in "board gone mid-run" err "(link: "
	[ ! -e "$TMP/x.npy" ] && ok || bad "board gone mid-run: an output file was written"
fi
stop_pty

# ---- a noisy line: bytes dropped and bits flipped both ways --------------------------------------
if start_pty --seed "$SEED" --drop 0.0001 --corrupt 0.0001; then
	if run 0 run --model "$NET.onnx" --input "$NET.in.npy" --config $CFG --device "uart:$PTS,$OPTS" --check --json \
		-o "$TMP/noisy.npy"; then
		cp "$TMP/out" "$TMP/noisy.json"
		if why=$(cycles_exact "$TMP/noisy.json" 2>&1); then ok; else bad "uart, noisy line: $why"; fi
		if why=$(npy_eq "$TMP/noisy.npy" "$TMP/host.npy" 2>&1); then ok; else bad "uart noisy vs host: $why"; fi
		r=$(link_retries "$TMP/noisy.json")
		[ "$r" -gt 0 ] && ok || bad "noisy line: the link reports $r retries"
		grep -o '"device_info": "[^"]*"' "$TMP/noisy.json" | sed 's/^/cli_uart: noisy: /'
	fi
	# the human output: the tty in the table, the retries on stderr at close
	if run 0 run --model "$NET.onnx" --input "$NET.in.npy" --config $CFG --device "uart:$PTS,$OPTS"; then
		expect_in "uart table" out "device: $PTS at 1500000 baud"
		expect_in "noisy line, stderr" err "the link needed retries"
	fi
	stop_pty
	sed 's/^/cli_uart: /' "$TMP/pty.err"
fi

# ---- the ULX3S top on tiny-ice40: 25 MHz, 3.125 Mbaud (no termios rate: a pseudo-terminal
# has no line rate, the baud only sets the link's byte times) ---------------------------------
PTY=$BUILD_DIR/boardsim/ulx3s-tiny-ice40/board_pty
if ${MAKE:-make} --no-print-directory -s BUILD="$BUILD_DIR" SAN="${TS_SAN:-}" "$PTY" >"$TMP/make" 2>&1; then ok; else
	bad "make $PTY:"; tail -30 "$TMP/make"
fi
if [ -x "$PTY" ] && start_pty --seed "$SEED"; then
	if run 0 run --model "$NET.onnx" --input "$NET.in.npy" --config tiny-ice40 \
		--device "uart:$PTS,baud=3125000,latency_ms=100" --check --json -o "$TMP/ulx3s.npy"; then
		cp "$TMP/out" "$TMP/ulx3s.json"
		if why=$(cycles_exact "$TMP/ulx3s.json" 2>&1); then ok; else bad "uart ulx3s: $why"; fi
		if why=$(npy_eq "$TMP/ulx3s.npy" "$TMP/host.npy" 2>&1); then ok; else bad "uart ulx3s vs host: $why"; fi
		expect_in "uart ulx3s device_info" out "clock 25 MHz"
	fi
	stop_pty
fi

# ---- no board -------------------------------------------------------------------------------------
R="run -q --model $NET.onnx --input $NET.in.npy --config $CFG -o $TMP/x.npy"
# shellcheck disable=SC2086
{
	run 2 $R --device uart:/dev/tessera-no-such-tty && expect_in "missing tty" err "/dev/tessera-no-such-tty: cannot open"
	[ "$(wc -l <"$TMP/err")" -eq 1 ] && ok || bad "missing tty: $(wc -l <"$TMP/err") lines on stderr"
	run 2 $R --device uart:/dev/null && expect_in "not a tty" err "/dev/null is not a tty"
	# a fresh pseudo-terminal master: a tty that nobody answers on
	run 2 $R --device uart:/dev/ptmx,latency_ms=5 && expect_in "no board" err "the board does not answer"
	run 2 $R --device uart:/dev/ptmx,parity=even && expect_in "bad option" err "unknown option 'parity=even'"
	run 2 $R --device uart:/dev/ptmx,baud=12345 && expect_in "bad baud" err "baud=12345: not a rate"
	run 2 $R --device uart: && expect_in "no path" err "--device 'uart:'"
}
[ ! -e "$TMP/x.npy" ] && ok || bad "an output file was written by a failed run"
finish
