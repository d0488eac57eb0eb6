#!/bin/sh
# cli_models.sh — `tessera models`: exit codes (0 ok, 2 bad input/usage),
# nothing on stdout when a command fails, the stable --csv header, import -o
# writing a file that re-imports to the same MACs, and no output file (nor a
# leftover temporary) when an import fails. Run from the repo root:
#   TS_BIN=build/bin/tessera sh tests/cli_models.sh
# shellcheck source=tests/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
DATA=tests/data/import

# run_fail ARGS...: exit 2, empty stdout, a message on stderr
run_fail() {
	run 2 "$@" || return 1
	if [ -s "$TMP/out" ]; then bad "tessera $*: printed on stdout while failing"; else ok; fi
	if [ -s "$TMP/err" ]; then ok; else bad "tessera $*: no error message"; fi
}

expect_err() { # substring: in the last stderr
	if grep -qF -- "$1" "$TMP/err"; then ok; else bad "stderr lacks '$1': $(head -c 300 "$TMP/err")"; fi
}

expect_out() { # substring: in the last stdout
	if grep -qF -- "$1" "$TMP/out"; then ok; else bad "stdout lacks '$1'"; fi
}

json_int() { # key: the integer value of "key" in the last stdout
	sed -n "s/.*\"$1\": *\([0-9][0-9]*\).*/\1/p" "$TMP/out" | head -1
}

# ---- help and usage errors --------------------------------------------------
run 0 models --help && expect_out "usage: tessera models list"
run 0 models show --help && expect_out "tessera models import FILE"
run_fail models
run_fail models frobnicate
run_fail models show
run_fail models show a b
run_fail models list extra
run_fail models list --csv
run_fail models show "$DATA/confuciux_small.csv" --format bogus
run_fail models show "$DATA/confuciux_small.csv" --json --csv
run_fail models show "$DATA/confuciux_small.csv" -o "$TMP/x.csv"
run_fail models import "$DATA/confuciux_small.csv" --to xml -o "$TMP/x.csv"
run_fail models import "$DATA/confuciux_small.csv" --to confuciux
run_fail models import "$DATA/confuciux_small.csv" --bogus
run_fail models import "$DATA/confuciux_small.csv" -o
[ -e "$TMP/x.csv" ] && bad "a usage error wrote $TMP/x.csv" || ok

# ---- list ------------------------------------------------------------------------
run 0 models list && expect_out "MACs"
if run 0 models list --json; then
	expect_out '"models"'
	expect_out '"description"'
fi

# ---- show ---------------------------------------------------------------------------
CSV_HEADER="index,name,op,n,k,c,y,x,r,s,stride_y,stride_x,pad_top,pad_left,pad_bottom,pad_right,groups,out_h,out_w,macs"
if run 0 models show "$DATA/confuciux_small.csv" --csv; then
	[ "$(head -1 "$TMP/out")" = "$CSV_HEADER" ] && ok || bad "--csv header changed: $(head -1 "$TMP/out")"
	[ "$(wc -l <"$TMP/out")" -eq 5 ] && ok || bad "--csv: expected 4 layer rows"
	# hand-computed MACs (tests/test_import.c): total 54,651,904
	total=$(awk -F, 'NR > 1 { s += $NF } END { print s }' "$TMP/out")
	[ "$total" = "54651904" ] && ok || bad "--csv MACs sum $total, expected 54651904"
	# layer 1 is depthwise, 3x3 on 112x112 without padding: 110x110
	[ "$(sed -n 3p "$TMP/out")" = "1,layer1,dwconv,1,32,32,112,112,3,3,1,1,0,0,0,0,32,110,110,3484800" ] && ok ||
		bad "--csv row 1: $(sed -n 3p "$TMP/out")"
fi
run 0 models show "$DATA/scalesim_conv.csv" && expect_out "total: 4 layers, 109398400 MACs"
if run 0 models show "$DATA/small_cnn.onnx" --json; then
	[ "$(json_int total_macs)" = "147616" ] && ok || bad "small_cnn total_macs $(json_int total_macs), expected 147616"
	expect_out '"name": "conv1"'
fi
run 0 models show "$DATA/small_cnn.onnx" --format onnx && expect_out "dwconv"
run_fail models show "$DATA/no_such_file.csv" && expect_err "no_such_file.csv: cannot open"
run_fail models show "$DATA/bad_confuciux.csv" && expect_err "bad_confuciux.csv:3:19: T = 3"
run_fail models show "$DATA/bad_scalesim.csv" && expect_err "bad_scalesim.csv:3:13: "
run_fail models show "$DATA/garbage.onnx" && expect_err "garbage.onnx: not a valid ONNX model (protobuf parse failed)"
run_fail models show "$DATA/unknown_format.csv" && expect_err "unrecognized workload format"
run_fail models show "$DATA/confuciux_small.csv" --format onnx && expect_err "not a valid ONNX model"

# ---- import ---------------------------------------------------------------------------
if run 0 models import "$DATA/small_cnn.onnx" -o "$TMP/cnn.csv"; then
	[ -s "$TMP/cnn.csv" ] && ok || bad "import -o did not write $TMP/cnn.csv"
	expect_out "147616 MACs"
	if run 0 models import "$TMP/cnn.csv" --json; then
		[ "$(json_int macs)" = "147616" ] && ok || bad "re-imported MACs $(json_int macs), expected 147616"
		[ "$(json_int layers)" = "3" ] && ok || bad "re-imported layers $(json_int layers), expected 3"
	fi
fi
# ConfuciuX: stride-1 layers convert and re-import to the same MACs
if run 0 models import "$DATA/scalesim_gemm.csv" -o "$TMP/gemm_cfx.csv" --to confuciux; then
	[ "$(head -1 "$TMP/gemm_cfx.csv")" = "K,C,Y,X,R,S,T" ] && ok || bad "ConfuciuX header: $(head -1 "$TMP/gemm_cfx.csv")"
	run 0 models import "$TMP/gemm_cfx.csv" --json && { [ "$(json_int macs)" = "303038464" ] && ok || bad "gemm MACs $(json_int macs)"; }
fi
# -o -: the CSV on stdout, the summary on stderr
if run 0 models import "$DATA/confuciux_small.csv" -o -; then
	head -1 "$TMP/out" | grep -q "^Layer name" && ok || bad "import -o - did not print the CSV"
	expect_err "54651904 MACs"
fi
# failures leave nothing behind
run_fail models import "$DATA/small_cnn.onnx" -o "$TMP/cfx.csv" --to confuciux && expect_err "stride 2x2 not representable"
[ -e "$TMP/cfx.csv" ] && bad "failed conversion left $TMP/cfx.csv" || ok
run_fail models import "$DATA/bad_scalesim.csv" -o "$TMP/bad.csv"
[ -e "$TMP/bad.csv" ] && bad "bad input left $TMP/bad.csv" || ok
run_fail models import "$DATA/garbage.onnx" -o "$TMP/garbage.csv"
[ -e "$TMP/garbage.csv" ] && bad "bad input left $TMP/garbage.csv" || ok
run_fail models import "$DATA/small_cnn.onnx" -o "$TMP/no_such_dir/out.csv" && expect_err "cannot write"
leftover=$(find "$TMP" -name '*.tmp.*' | head -1)
[ -z "$leftover" ] && ok || bad "temporary file left: $leftover"

finish
