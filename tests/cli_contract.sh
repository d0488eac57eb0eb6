#!/bin/sh
# cli_contract.sh — no fact of the hardware/software contract is typed outside
# its table (host/include/tessera/*.def): a grep of the code (comments removed)
# of rtl/, sim/, host/ and tests/ for literal opcodes, error codes, PE codes and
# widths, descriptor word / bit positions, register bits, timing constants and
# the ID magic. Every check first proves it catches a sample of what it looks
# for. Also: the RTL includes the generated files, and docs/timing.md's table
# has timing.def's values. Values of C vs Verilog: tests/test_contract.c.
# Run from the repo root: TS_BIN=build/bin/tessera sh tests/cli_contract.sh
# shellcheck source=tests/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"

# "file:line: code" of every line, comments removed (// and /* */, also over lines).
code() {
	awk 'FNR == 1 { inc = 0 }
	{
		line = $0; out = ""
		while (length(line) > 0) {
			if (inc) {
				i = index(line, "*/")
				if (i == 0) { line = ""; break }
				line = substr(line, i + 2); inc = 0; continue
			}
			a = index(line, "/*"); b = index(line, "//")
			if (b && (!a || b < a)) { out = out substr(line, 1, b - 1); break }
			if (a) { out = out substr(line, 1, a - 1); line = substr(line, a + 2); inc = 1; continue }
			out = out line; line = ""
		}
		if (out ~ /[^ \t]/) printf "%s:%d: %s\n", FILENAME, FNR, out
	}' "$@"
}

existing() { for f in "$@"; do [ -f "$f" ] && echo "$f"; done; }
RTL=$(existing rtl/*.v rtl/boards/*.v sim/*.v)
CSRC=$(existing host/src/*/*.c host/src/*/*.h host/include/tessera/*.h driver/*.c driver/*.h \
	tests/*.c tests/*.h tests/bench/*.c tests/fuzz/*.c sim/*.cpp sim/*.h)
HOST=$(existing host/src/*/*.c host/src/*/*.h host/include/tessera/*.h driver/*.c driver/*.h)

# check NAME ERE SAMPLE FILES...: SAMPLE must match ERE (else the check could
# not fail), and no code line of FILES may.
check() {
	name=$1; re=$2; sample=$3; shift 3
	if printf '%s\n' "$sample" | grep -qE -- "$re"; then ok; else
		bad "$name: does not catch its own sample: $sample"
	fi
	# shellcheck disable=SC2086
	code "$@" | grep -E -- "$re" >"$TMP/hits"
	if [ -s "$TMP/hits" ]; then bad "$name (the tables are the source):"; head -20 "$TMP/hits"; else ok; fi
}

# ---- RTL -------------------------------------------------------------------------------
# shellcheck disable=SC2086
{
check "rtl: the ID magic" '[0-9]+'"'"'h54535231|54535231' \
	"localparam [31:0] ID_MAGIC = 32'h54535231;" $RTL
check "rtl: an opcode / error / PE code typed as a localparam" \
	'\b(OP|E|ERR|HWERR|PE)_[A-Z0-9_]+ *= *[0-9]' "localparam OP_LOAD = 8'd1, OP_COMPUTE = 8'd2;" $RTL
check "rtl: a timing constant typed" '\bT_[A-Z_]+ *= *[0-9]' "localparam [31:0] T_START = 32'd4;" $RTL
check "rtl: a PE code compared or defaulted" \
	'\bPE *[!=]= *[0-9]|parameter +PE *= *[0-9]|define +TS_PE +[0-9]' \
	"localparam AB = (PE == 0) ? 16 : (PE == 2) ? 4 : 8;" $RTL
check "rtl: a descriptor word or bit position" '\bw *\[ *[0-9]|desc_q *\[ *[0-9]+ *(\]|:|\+:)' \
	"wire [7:0] op = w[0][7:0];" $RTL
check "rtl: an opcode literal compared or as a case label" \
	"\bop *[!=]= *[0-9]|^[^ ]+:[0-9]+: [[:space:]]*[0-9]+'[dhb][0-9a-fA-F_]+[[:space:]]*:" \
	"rtl/ts_ctrl.v:1: 				8'd1: begin" $RTL
check "rtl: an error code literal" "(dec_err|fetch_err|fail_code|err_code[a-z_]*) *<?= *[0-9]+'[dh]" \
	"dec_err = 8'd3;" $RTL
check "rtl: a requantization record's size or shift width typed" \
	"[!=]= *[0-9]+'d12\\b|\\bSHB *= *[0-9]" "if (ld_elems != 32'd12) parameter SHB = 6," $RTL
check "rtl: a descriptor flag bit position" 'flags *\[ *[0-9]' "dec_ld_bits = flags[0] ? WB : AB;" $RTL
check "rtl: a register bit position" \
	"s_wdata_i *\[ *[0-9]|\{ *[0-9]+'d0 *, *(irq_enable|error_i|err_code)|HW_[A-Z]+ *\[ *[0-9]+ *:|reg_write\(.*, *[0-9]+'[dh]" \
	"start_o <= s_wdata_i[0] && !busy_i;" $RTL
}
for f in rtl/ts_ctrl.v rtl/ts_top.v rtl/ts_pe.v rtl/ts_axil_regs.v; do
	grep -q '^`include "ts_contract.vh"' "$f" && ok || bad "$f does not include ts_contract.vh"
done
grep -q '^`include "ts_regmap.vh"' rtl/ts_axil_regs.v && ok || bad "rtl/ts_axil_regs.v does not include ts_regmap.vh"

# ---- C -----------------------------------------------------------------------------------
# shellcheck disable=SC2086
{
check "C: the ID magic" '0[xX]54535231' "#define TS_REG_ID_MAGIC 0x54535231u" $CSRC
check "C: a timing constant defined by hand" '#define +TS_T_|\bTS_T_[A-Z_]+ *= *[0-9]' \
	"#define TS_T_START 4" $CSRC
check "C: a descriptor word indexed" '(\.|->) *w *\[ *[0-9]' "desc.w[4] = (uint32_t)rows;" $CSRC
check "C: an opcode / error / PE code typed" '\bTS_(DESC|HWERR|PE)_[A-Z0-9_]+ *= *[0-9]' \
	"TS_DESC_LOAD = 1,    /* memory -> scratchpad */" $CSRC
check "C: descriptor flags shifted into word 0 by hand" \
	'\bflags *<< *[0-9]|\bTS_(LOAD|COMP)_[A-Z_]+ *\)? *<< *[0-9]' \
	"desc.w[0] = TS_DESC_COMPUTE | flags << 8;" $CSRC
check "C: a register field shifted by hand" \
	'\bTS_(DF|PE)_[A-Z0-9_]+ *\)? *<< *[0-9]|(pe|dataflow|acc_bits) *<< *[0-9]' \
	"regs[TS_REG_HW_PE / 4] = (uint32_t)c->pe | (uint32_t)c->dataflow << 8 | c->acc_bits << 16;" $CSRC
check "C: the STORE shift limit typed" 'shift *> *[0-9]' "rq->shift > 62" \
	$(existing host/src/runtime/*.c host/src/sim/*.c host/src/gen/*.c driver/*.c)
check "C: the PE type names listed" '"int16", *"int8", *"int4"' \
	'static const char *const pe_names[] = { "int16", "int8", "int4", "lightpe1" };' $CSRC
check "C: hardware error names listed" '"ERR_[A-Z_]+"' '"NONE", "ERR_BAD_OPCODE", "ERR_ZERO_LENGTH",' $HOST
}

# ---- docs/timing.md: its constants table shows timing.def's values ----------------------
if [ -x "$BIN" ]; then
	if "$BIN" gen --config tiny-ice40 --out "$TMP/gen" 2>"$TMP/err"; then
		ok
		sed -n "s/^\`define \(TS_T_[A-Z_]*\|TS_DESC_BYTES\) *32'd\([0-9]*\).*/\1 \2/p" \
			"$TMP/gen/ts_contract.vh" >"$TMP/timing"
		[ "$(wc -l <"$TMP/timing")" -ge 6 ] && ok || bad "ts_contract.vh: timing constants missing"
		while read -r name value; do
			grep -qF "| \`$name\` | $value |" docs/timing.md && ok ||
				bad "docs/timing.md: no row '| \`$name\` | $value |'"
		done <"$TMP/timing"
	else
		bad "tessera gen: $(cat "$TMP/err")"
	fi
else
	echo "cli_contract: $BIN not built, docs/timing.md check skipped"
fi

finish
