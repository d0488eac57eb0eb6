#!/bin/sh
# cli_deploy.sh — `tessera deploy`: on the open-tool boards, fake iceprog / openFPGALoader
# scripts on PATH record the command line and the bitstream they were given (exactly the
# committed or packaged file), a failing programmer is exit 1 with its stderr, a missing
# one exit 2 naming its Debian package, a bitstream of another config or board exit 2
# naming both; on a Zynq board with --sysroot, the files land where the kernel looks
# (lib/firmware/tessera.bin and .dtbo, the configfs overlay's path), a synthetic Vivado
# .bit becomes the .bin computed here independently (header stripped, words swapped),
# the .dtbo's fpga-region fragment names that .bin, a failure leaves the tree as it was;
# then on a vboard's sysroot deploy finds the accelerator, as `tessera devices` does.
# Run from the repo root: TS_BIN=build/bin/tessera sh tests/cli_deploy.sh
set -u
. "$(dirname "$0")/cli_lib.sh"
need_bin
PY=/usr/bin/python3

# ---- fake programmers: record argv (one per line) and a copy of the bitstream ----------
F=$TMP/fake
mkdir -p "$F" "$TMP/empty"
for tool in iceprog openFPGALoader; do
	cat >"$F/$tool" <<EOF
#!/bin/sh
printf '%s\n' "\$@" >"$TMP/$tool.argv"
for a in "\$@"; do last=\$a; done
cp "\$last" "$TMP/$tool.bin"
[ -z "\${FAKE_FAIL:-}" ] || { echo "fake $tool: no FTDI device found (\$FAKE_FAIL)" >&2; exit 3; }
echo "fake $tool: done"
EOF
	chmod +x "$F/$tool"
done
FP="$F:$PATH"

# argv_is TOOL WHAT LINE...: the fake TOOL was called with exactly these arguments
argv_is() {
	tool=$1; what=$2; shift 2
	printf '%s\n' "$@" >"$TMP/want.argv"
	if cmp -s "$TMP/want.argv" "$TMP/$tool.argv"; then ok; else
		bad "$what: $tool argv '$(tr '\n' ' ' <"$TMP/$tool.argv" 2>/dev/null)', want '$*'"; fi
}

# the committed bitstreams, each board's own config
rm -f "$TMP/iceprog.argv"
expect 0 "icebreaker with iceprog" -- env PATH="$FP" "$BIN" deploy --board icebreaker --config icebreaker
argv_is iceprog "icebreaker" bitstreams/icebreaker/tessera.bin
cmp -s "$TMP/iceprog.bin" bitstreams/icebreaker/tessera.bin && ok || bad "icebreaker: iceprog got another file"
expect_in "icebreaker shows the command" out '$ iceprog bitstreams/icebreaker/tessera.bin'
expect 0 "hx8k with iceprog" -- env PATH="$FP" "$BIN" deploy --board hx8k
argv_is iceprog "hx8k" bitstreams/hx8k/tessera.bin
cmp -s "$TMP/iceprog.bin" bitstreams/hx8k/tessera.bin && ok || bad "hx8k: iceprog got another file"
expect 0 "ulx3s with openFPGALoader" -- env PATH="$FP" "$BIN" deploy --board ulx3s --config bitstreams/ulx3s/config.json --json
argv_is openFPGALoader "ulx3s" -b ulx3s bitstreams/ulx3s/tessera.bit
cmp -s "$TMP/openFPGALoader.bin" bitstreams/ulx3s/tessera.bit && ok || bad "ulx3s: openFPGALoader got another file"
if why=$($PY - "$TMP/out" <<'EOF'
import hashlib, json, sys
r = json.load(open(sys.argv[1]))
assert r["command"] == ["openFPGALoader", "-b", "ulx3s", "bitstreams/ulx3s/tessera.bit"], r["command"]
assert r["config"] == "ulx3s" and r["config_checked"] is True and r["family"] == "ecp5", r
data = open("bitstreams/ulx3s/tessera.bit", "rb").read()
assert r["bitstream_bytes"] == len(data) and r["bitstream_sha256"] == hashlib.sha256(data).hexdigest(), r
assert r["files"] == [] and r["device"] is None and not r["dry_run"], r
EOF
); then ok; else bad "ulx3s --json: $why"; fi

# --dry-run: the command, not run
rm -f "$TMP/iceprog.argv"
expect 0 "dry run" -- env PATH="$FP" "$BIN" deploy --board icebreaker --dry-run
expect_in "dry run" out '$ iceprog bitstreams/icebreaker/tessera.bin'
[ -e "$TMP/iceprog.argv" ] && bad "--dry-run ran iceprog" || ok

# the programmer fails: exit 1 with its stderr
expect 1 "iceprog fails" -- env PATH="$FP" FAKE_FAIL=xyz "$BIN" deploy --board icebreaker
expect_in "iceprog fails" err "fake iceprog: no FTDI device found (xyz)"
expect_in "iceprog fails" err "iceprog failed (exit 3)"

# no programmer on PATH: exit 2 naming the tool and the Debian package, nothing run
expect 2 "no iceprog" -- env PATH="$TMP/empty" "$BIN" deploy --board hx8k
expect_in "no iceprog" err "iceprog is not installed"
expect_in "no iceprog" err "fpga-icestorm"
expect 2 "no openFPGALoader" -- env PATH="$TMP/empty" "$BIN" deploy --board ulx3s
expect_in "no openFPGALoader" err "openFPGALoader is not installed"
expect_in "no openFPGALoader" err "openfpgaloader"

# boards: unknown, and one without a deploy flow: exit 2 listing the boards
expect 2 "unknown board" -- env PATH="$FP" "$BIN" deploy --board zedboard
expect_in "unknown board" err "unknown board (boards: "
expect_in "unknown board" err "icebreaker"
expect 2 "board without a flow" -- env PATH="$FP" "$BIN" deploy --board u250
expect_in "board without a flow" err "ulx3s"

# a bitstream of another config or board: exit 2 naming both, nothing run
rm -f "$TMP/iceprog.argv"
expect 2 "hx8k bitstream, icebreaker config" -- env PATH="$FP" "$BIN" deploy --board hx8k --config icebreaker
expect_in "other config" err "built for config 'hx8k'"
expect_in "other config" err "not --config 'icebreaker'"
expect_in "other config" err "array.rows 4 vs 2"
expect 2 "hx8k bitstream on the icebreaker" -- env PATH="$FP" "$BIN" deploy --board icebreaker \
	--bitstream bitstreams/hx8k/tessera.bin
expect_in "other board" err "built for board 'hx8k'"
expect 2 "not an iCE40 bitstream" -- env PATH="$FP" "$BIN" deploy --board icebreaker --bitstream bitstreams/README.md
expect_in "not an iCE40 bitstream" err "not an iCE40 bitstream"
[ -e "$TMP/iceprog.argv" ] && bad "a refused deploy ran iceprog" || ok

# a package: its out/ bitstream with its config.json; built for another config: refused
P=$TMP/pkg-hx8k
if run 0 gen --config hx8k --board hx8k --out "$P"; then
	mkdir -p "$P/out"
	cp bitstreams/hx8k/tessera.bin "$P/out/tessera.bin"
	expect 0 "package" -- env PATH="$FP" "$BIN" deploy --board hx8k --package "$P" --config hx8k
	argv_is iceprog "package" "$P/out/tessera.bin"
	rm -f "$TMP/iceprog.argv"
	expect 2 "package of another config" -- env PATH="$FP" "$BIN" deploy --board hx8k --package "$P" \
		--config icebreaker
	expect_in "package of another config" err "built for config 'hx8k'"
	expect_in "package of another config" err "not --config 'icebreaker'"
	[ -e "$TMP/iceprog.argv" ] && bad "package of another config: ran iceprog" || ok
fi

# ---- Zynq: a synthetic Vivado .bit, the expected .bin computed here --------------------
$PY - "$TMP" <<'EOF'
import os, random, struct, sys
tmp = sys.argv[1]
rng = random.Random(7)
words = [0xFFFFFFFF] * 8 + [0x000000BB, 0x11220044, 0xFFFFFFFF, 0xFFFFFFFF, 0xAA995566, 0x20000000]
words += [rng.getrandbits(32) for _ in range(50)]
payload = b"".join(struct.pack(">I", w) for w in words)
def field(key, text):
    s = text.encode() + b"\0"
    return key + struct.pack(">H", len(s)) + s
def bit(part):
    head = bytes([0x00, 0x09, 0x0F, 0xF0, 0x0F, 0xF0, 0x0F, 0xF0, 0x0F, 0xF0, 0x00, 0x00, 0x01])
    head += field(b"a", "tessera_zynq;UserID=0XFFFFFFFF;Version=2023.2") + field(b"b", part)
    head += field(b"c", "2026/12/08") + field(b"d", "01:02:03")
    return head + b"e" + struct.pack(">I", len(payload)) + payload
open(os.path.join(tmp, "syn.bit"), "wb").write(bit("7z020clg400"))
open(os.path.join(tmp, "syn7010.bit"), "wb").write(bit("7z010clg400"))
open(os.path.join(tmp, "synzu.bit"), "wb").write(bit("xczu3eg-sbva484-1-e"))
open(os.path.join(tmp, "raw.bin"), "wb").write(payload)          # Vivado's -bin_file order
swapped = b"".join(struct.pack("<I", w) for w in words)             # the FPGA manager's order
open(os.path.join(tmp, "want.bin"), "wb").write(swapped)
open(os.path.join(tmp, "swapped.bin"), "wb").write(swapped)
EOF
# the expected bytes, spelled out: the sync word AA995566 (word 12) reads 66 55 99 AA
[ "$(od -An -tx1 -j48 -N4 "$TMP/want.bin" | tr -d ' ')" = 665599aa ] && ok || bad "test data: sync word"

CFG=tiny-ice40
# make_root DIR: what a Zynq board running Linux shows for deploy: the overlay configfs,
# lib/firmware, and the FPGA manager's flags and state
make_root() {
	mkdir -p "$1/sys/kernel/config/device-tree/overlays" "$1/lib/firmware" "$1/sys/class/fpga_manager/fpga0"
	echo 1 >"$1/sys/class/fpga_manager/fpga0/flags"
	echo operating >"$1/sys/class/fpga_manager/fpga0/state"
}
R=$TMP/zroot
make_root "$R"
if run 0 deploy --board pynq-z2 --config $CFG --bitstream "$TMP/syn.bit" --sysroot "$R" --timeout 0 --json; then
	cp "$TMP/out" "$TMP/z.json"
	cmp -s "$R/lib/firmware/tessera.bin" "$TMP/want.bin" && ok || bad "tessera.bin is not the swapped payload"
	[ "$(cat "$R/sys/kernel/config/device-tree/overlays/tessera/path")" = tessera.dtbo ] && ok ||
		bad "configfs path: '$(cat "$R/sys/kernel/config/device-tree/overlays/tessera/path")'"
	[ "$(cat "$R/sys/class/fpga_manager/fpga0/flags")" = 0 ] && ok || bad "fpga_manager flags not 0"
	left=$(find "$R" -name '*.tmp.*' -o -name '*.old.*')
	[ -z "$left" ] && ok || bad "temporaries left: $left"
	expect_in "no device: a warning" err "made no UIO device"
	if why=$($PY - "$TMP/z.json" "$R" <<'EOF'
import json, sys
r, root = json.load(open(sys.argv[1])), sys.argv[2]
assert r["family"] == "zynq7" and r["converted"] is True and r["command"] is None, r
assert r["files"] == [root + "/lib/firmware/tessera.bin", root + "/lib/firmware/tessera.dtbo"], r["files"]
assert r["overlay"] == root + "/sys/kernel/config/device-tree/overlays/tessera", r["overlay"]
assert r["device"] is None and "made no UIO device" in r["warning"], r
EOF
	); then ok; else bad "pynq-z2 --json: $why"; fi
	# the overlay parsed back: the fpga-region fragment loads the installed .bin, fully
	if command -v fdtget >/dev/null 2>&1; then
		D=$R/lib/firmware/tessera.dtbo
		[ "$(fdtget "$D" /fragment@1/__overlay__ firmware-name)" = tessera.bin ] && ok ||
			bad "dtbo firmware-name: '$(fdtget "$D" /fragment@1/__overlay__ firmware-name 2>&1)'"
		[ "$(fdtget "$D" /__fixups__ fpga_full)" = /fragment@1:target:0 ] && ok || bad "dtbo: fpga_full fixup"
		fdtget "$D" /fragment@1/__overlay__ partial-fpga-config >/dev/null 2>&1 && bad "dtbo: partial-fpga-config" || ok
		[ "$(fdtget "$D" /fragment@0/__overlay__/tessera@43c00000 compatible)" = tessera,accel-1.0 ] && ok ||
			bad "dtbo: the accelerator node"
	else
		echo "cli_deploy: fdtget not installed: the .dtbo not parsed back"
	fi
fi
# the .bin forms: Vivado's raw order swapped, an already swapped one copied
for form in raw swapped; do
	R2=$TMP/zroot-$form
	make_root "$R2"
	run 0 deploy --board pynq-z2 --config $CFG --bitstream "$TMP/$form.bin" --sysroot "$R2" --timeout 0 &&
		{ cmp -s "$R2/lib/firmware/tessera.bin" "$TMP/want.bin" && ok || bad "$form.bin: not the swapped payload"; }
done
# a Zynq package (its out/ holding what Vivado would write): its config, and the overlay
# installed is the package's dt/tessera.dtbo byte for byte
P=$TMP/pkg-z7
R6=$TMP/zroot-pkg
make_root "$R6"
if run 0 gen --config $CFG --board pynq-z2 --out "$P" --force; then
	mkdir -p "$P/out"
	cp "$TMP/syn.bit" "$P/out/tessera.bit"
	run 0 deploy --board pynq-z2 --package "$P" --config $CFG --sysroot "$R6" --timeout 0 &&
		expect_in "zynq package" out "config '$CFG' ($P/config.json) is --config '$CFG'"
	cmp -s "$R6/lib/firmware/tessera.dtbo" "$P/dt/tessera.dtbo" && ok || bad "zynq package: the installed .dtbo is not the package's"
	cmp -s "$R6/lib/firmware/tessera.bin" "$TMP/want.bin" && ok || bad "zynq package: tessera.bin"
	expect 2 "zynq package of another config" -- "$BIN" deploy --board pynq-z2 --package "$P" --config edge --sysroot "$R6"
	expect_in "zynq package of another config" err "built for config '$CFG'"
	expect_in "zynq package of another config" err "not --config 'edge'"
fi
# ZynqMP (Ultra96): the same conversion (the PMU firmware takes the swapped order)
R5=$TMP/zroot-zu
make_root "$R5"
run 0 deploy --board ultra96 --config ultra96 --bitstream "$TMP/synzu.bit" --sysroot "$R5" --timeout 0 &&
	{ cmp -s "$R5/lib/firmware/tessera.bin" "$TMP/want.bin" && ok || bad "ultra96: not the swapped payload"; }
expect 2 "a ZynqMP .bit on the PYNQ-Z2" -- "$BIN" deploy --board pynq-z2 --config $CFG --bitstream "$TMP/synzu.bit" --sysroot "$R5"
expect_in "a ZynqMP .bit on the PYNQ-Z2" err "built for part xczu3eg-sbva484-1-e"
# refusals, nothing written: a .bit for another part, a file with no sync word, no configfs
R3=$TMP/zroot-bad
make_root "$R3"
expect 2 "a .bit for the 7z010" -- "$BIN" deploy --board pynq-z2 --config $CFG --bitstream "$TMP/syn7010.bit" --sysroot "$R3"
expect_in "a .bit for the 7z010" err "built for part 7z010clg400, not pynq-z2's xc7z020clg400-1"
head -c 512 /dev/zero >"$TMP/zero.bin"
expect 2 "no sync word" -- "$BIN" deploy --board pynq-z2 --config $CFG --bitstream "$TMP/zero.bin" --sysroot "$R3"
expect_in "no sync word" err "no Xilinx sync word"
expect 2 "zynq without a config" -- "$BIN" deploy --board pynq-z2 --bitstream "$TMP/syn.bit" --sysroot "$R3"
mkdir -p "$TMP/noconfigfs"
expect 2 "no overlay configfs" -- "$BIN" deploy --board pynq-z2 --config $CFG --bitstream "$TMP/syn.bit" --sysroot "$TMP/noconfigfs"
expect_in "no overlay configfs" err "device-tree overlay configfs"
left=$(ls -A "$R3/lib/firmware"; ls -A "$R3/sys/kernel/config/device-tree/overlays")
[ -z "$left" ] && ok || bad "a refused deploy wrote: $left"
# a failure half way (the overlay directory cannot be made): the files put back as they were
echo old >"$R3/lib/firmware/tessera.bin"
: >"$R3/sys/kernel/config/device-tree/overlays/tessera"
expect 2 "overlay cannot be made" -- "$BIN" deploy --board pynq-z2 --config $CFG --bitstream "$TMP/syn.bit" --sysroot "$R3"
[ "$(cat "$R3/lib/firmware/tessera.bin")" = old ] && ok || bad "failed deploy: tessera.bin not restored"
[ -e "$R3/lib/firmware/tessera.dtbo" ] && bad "failed deploy: tessera.dtbo left" || ok
[ -z "$(find "$R3" -name '*.tmp.*' -o -name '*.old.*')" ] && ok || bad "failed deploy: temporaries left"
# --dry-run writes nothing
R4=$TMP/zroot-dry
make_root "$R4"
run 0 deploy --board pynq-z2 --config $CFG --bitstream "$TMP/syn.bit" --sysroot "$R4" --dry-run &&
	expect_in "zynq dry run" out "echo tessera.dtbo >"
left=$(ls -A "$R4/lib/firmware"; ls -A "$R4/sys/kernel/config/device-tree/overlays")
[ -z "$left" ] && ok || bad "zynq --dry-run wrote: $left"

# ---- a vboard's sysroot: the kernel's part played by the vboard; deploy finds uio0 -------
S=$TMP/vb
mkdir -p "$S"
VB_PID=
trap '[ -z "$VB_PID" ] || kill $VB_PID 2>/dev/null; rm -rf "$TMP"' EXIT
"$BIN" vboard --config $CFG --sysroot "$S" -q >"$TMP/vb.out" 2>"$TMP/vb.err" &
VB_PID=$!
i=0
while [ ! -f "$S/vboard.pid" ] && [ $i -lt 1800 ] && kill -0 $VB_PID 2>/dev/null; do
	sleep 0.2
	i=$((i + 1))
done
if [ -f "$S/vboard.pid" ]; then
	ok
	make_root "$S"
	if run 0 deploy --board pynq-z2 --config $CFG --bitstream "$TMP/syn.bit" --sysroot "$S" --json; then
		if why=$($PY - "$TMP/out" "$S" <<'EOF'
import json, sys
r, root = json.load(open(sys.argv[1])), sys.argv[2]
d = r["device"]
assert d is not None, r["warning"]
assert d["node"] == "uio0" and d["path"] == root + "/dev/uio0" and d["reg_addr"] == 0x43c00000, d
assert d["config_match"] is True and "not checked against --config" in r["warning"], r
EOF
		); then ok; else bad "deploy on the vboard: $why"; fi
	fi
	run 0 deploy --board pynq-z2 --config $CFG --bitstream "$TMP/syn.bit" --sysroot "$S" &&
		expect_in "deploy again (replaces the overlay)" out "removed the overlay applied before"
	if run 0 devices --sysroot "$S" --config $CFG --json; then
		if why=$($PY - "$TMP/out" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))["devices"]
assert len(d) == 1 and d[0]["node"] == "uio0" and d[0]["usable"] and d[0]["config_match"] is True, d
EOF
		); then ok; else bad "devices after deploy: $why"; fi
	fi
	# a config the device is not: deployed, then exit 1 naming what differs
	run 1 deploy --board pynq-z2 --config icebreaker --bitstream "$TMP/syn.bit" --sysroot "$S" --timeout 1 &&
		expect_in "device of another config" err "is not config 'icebreaker'"
else
	bad "vboard did not start: $(head -c 300 "$TMP/vb.err")"
fi
kill $VB_PID 2>/dev/null
wait $VB_PID 2>/dev/null
VB_PID=
finish
