#!/bin/sh
# cli_kernels.sh — `tessera onnx-test` on the ONNX backend quantization node tests and
# on those of the glue operators (Debian libonnx-testdata; all must pass, on the auto and
# the scalar ISA) and on small hand-made ones, its error exits, and `tessera quant` (table,
# --json, determinism, the same table on every ISA, errors).
# Run from the repo root: TS_BIN=build/bin/tessera sh tests/cli_kernels.sh
set -eu

# shellcheck source=tests/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
NODE=/usr/share/libonnx-testdata/data/node
DATA=tests/data/kernels
SHOW_LAST=400

# run CMD...: keep stdout/stderr in files and the exit code in rc.
run() {
	if "$@" >"$TMP/out" 2>"$TMP/err"; then rc=0; else rc=$?; fi
}

need_bin

# ---- onnx-test on the ONNX backend node tests ---------------------------------------
TESTS="test_qlinearconv test_qlinearmatmul_2D test_qlinearmatmul_3D test_matmulinteger
test_basic_convinteger test_convinteger_with_padding test_convinteger_without_padding
test_quantizelinear test_quantizelinear_axis test_dequantizelinear test_dequantizelinear_axis
test_dynamicquantizelinear test_dynamicquantizelinear_max_adjusted
test_dynamicquantizelinear_min_adjusted"
dirs=""
for t in $TESTS; do dirs="$dirs $NODE/$t"; done

# Every single-node test of the glue operators (host/src/kernels/onnx_glue.c) for the types
# tessera has (float, uint8, int8, int16, int32, int64). Left out: the other types (Cast
# from / to double, float16, bfloat16, string; Min / Max of float16, double, uint16..64),
# MaxPool's Indices output (with_argmax), Identity of optionals and sequences, and the
# multi-node *_expanded tests (the graph runner's).
GLUE_TESTS="test_add test_add_bcast test_add_uint8
test_averagepool_1d_default test_averagepool_2d_ceil test_averagepool_2d_default
test_averagepool_2d_pads test_averagepool_2d_pads_count_include_pad
test_averagepool_2d_precomputed_pads test_averagepool_2d_precomputed_pads_count_include_pad
test_averagepool_2d_precomputed_same_upper test_averagepool_2d_precomputed_strides
test_averagepool_2d_same_lower test_averagepool_2d_same_upper test_averagepool_2d_strides
test_averagepool_3d_default
test_clip test_clip_default_inbounds test_clip_default_int8_inbounds test_clip_default_int8_max
test_clip_default_int8_min test_clip_default_max test_clip_default_min test_clip_example
test_clip_inbounds test_clip_outbounds test_clip_splitbounds
test_concat_1d_axis_0 test_concat_1d_axis_negative_1 test_concat_2d_axis_0
test_concat_2d_axis_1 test_concat_2d_axis_negative_1 test_concat_2d_axis_negative_2
test_concat_3d_axis_0 test_concat_3d_axis_1 test_concat_3d_axis_2
test_concat_3d_axis_negative_1 test_concat_3d_axis_negative_2 test_concat_3d_axis_negative_3
test_div test_div_bcast test_div_example test_div_uint8
test_exp test_exp_example
test_flatten_axis0 test_flatten_axis1 test_flatten_axis2 test_flatten_axis3
test_flatten_default_axis test_flatten_negative_axis1 test_flatten_negative_axis2
test_flatten_negative_axis3 test_flatten_negative_axis4
test_gather_0 test_gather_1 test_gather_2d_indices test_gather_negative_indices
test_globalaveragepool test_globalaveragepool_precomputed
test_identity
test_max_example test_max_float32 test_max_int16 test_max_int32 test_max_int64 test_max_int8
test_max_one_input test_max_two_inputs test_max_uint8
test_maxpool_1d_default test_maxpool_2d_ceil test_maxpool_2d_default test_maxpool_2d_dilations
test_maxpool_2d_pads test_maxpool_2d_precomputed_pads test_maxpool_2d_precomputed_same_upper
test_maxpool_2d_precomputed_strides test_maxpool_2d_same_lower test_maxpool_2d_same_upper
test_maxpool_2d_strides test_maxpool_2d_uint8 test_maxpool_3d_default
test_min_example test_min_float32 test_min_int16 test_min_int32 test_min_int64 test_min_int8
test_min_one_input test_min_two_inputs test_min_uint8
test_mul test_mul_bcast test_mul_example test_mul_uint8
test_reduce_max_default_axes_keepdim_example test_reduce_max_default_axes_keepdims_random
test_reduce_max_do_not_keepdims_example test_reduce_max_do_not_keepdims_random
test_reduce_max_keepdims_example test_reduce_max_keepdims_random
test_reduce_max_negative_axes_keepdims_example test_reduce_max_negative_axes_keepdims_random
test_reduce_min_default_axes_keepdims_example test_reduce_min_default_axes_keepdims_random
test_reduce_min_do_not_keepdims_example test_reduce_min_do_not_keepdims_random
test_reduce_min_keepdims_example test_reduce_min_keepdims_random
test_reduce_min_negative_axes_keepdims_example test_reduce_min_negative_axes_keepdims_random
test_reduce_sum_default_axes_keepdims_example test_reduce_sum_default_axes_keepdims_random
test_reduce_sum_do_not_keepdims_example test_reduce_sum_do_not_keepdims_random
test_reduce_sum_empty_axes_input_noop_example test_reduce_sum_empty_axes_input_noop_random
test_reduce_sum_keepdims_example test_reduce_sum_keepdims_random
test_reduce_sum_negative_axes_keepdims_example test_reduce_sum_negative_axes_keepdims_random
test_relu
test_reshape_allowzero_reordered test_reshape_extended_dims test_reshape_negative_dim
test_reshape_negative_extended_dims test_reshape_one_dim test_reshape_reduced_dims
test_reshape_reordered_all_dims test_reshape_reordered_last_dims
test_reshape_zero_and_negative_dim test_reshape_zero_dim
test_round
test_shape test_shape_clip_end test_shape_clip_start test_shape_end_1 test_shape_end_negative_1
test_shape_example test_shape_start_1 test_shape_start_1_end_2
test_shape_start_1_end_negative_1 test_shape_start_negative_1
test_softmax_axis_0 test_softmax_axis_1 test_softmax_axis_2 test_softmax_default_axis
test_softmax_example test_softmax_large_number test_softmax_negative_axis
test_squeeze test_squeeze_negative_axes
test_sub test_sub_bcast test_sub_example test_sub_uint8
test_transpose_all_permutations_0 test_transpose_all_permutations_1
test_transpose_all_permutations_2 test_transpose_all_permutations_3
test_transpose_all_permutations_4 test_transpose_all_permutations_5 test_transpose_default
test_unsqueeze_axis_0 test_unsqueeze_axis_1 test_unsqueeze_axis_2 test_unsqueeze_axis_3
test_unsqueeze_negative_axes test_unsqueeze_three_axes test_unsqueeze_two_axes
test_unsqueeze_unsorted_axes"
glue_dirs=""
for t in $GLUE_TESTS; do glue_dirs="$glue_dirs $NODE/$t"; done

if [ -d "$NODE" ]; then
	# shellcheck disable=SC2086
	run "$BIN" onnx-test $dirs
	expect_rc "onnx-test node tests" 0
	expect_in "onnx-test node tests" out "onnx-test: 14 passed, 0 failed"
	expect_in "onnx-test node tests" out "test_qlinearconv"
	# the portable path gives the same results
	# shellcheck disable=SC2086
	run env TESSERA_ISA=scalar "$BIN" onnx-test $dirs
	expect_rc "onnx-test TESSERA_ISA=scalar" 0
	expect_in "onnx-test TESSERA_ISA=scalar" out "onnx-test: 14 passed, 0 failed"
	# shellcheck disable=SC2086
	run "$BIN" onnx-test $glue_dirs
	expect_rc "onnx-test glue node tests" 0
	expect_in "onnx-test glue node tests" out "onnx-test: 172 passed, 0 failed"
	expect_in "onnx-test glue node tests" out "test_maxpool_2d_uint8"
	# shellcheck disable=SC2086
	run env TESSERA_ISA=scalar "$BIN" onnx-test $glue_dirs
	expect_rc "onnx-test glue TESSERA_ISA=scalar" 0
	expect_in "onnx-test glue TESSERA_ISA=scalar" out "onnx-test: 172 passed, 0 failed"
	# what tessera does not run is named: MaxPool's Indices, a type it does not have
	run "$BIN" onnx-test "$NODE/test_maxpool_with_argmax_2d_precomputed_pads"
	expect_rc "onnx-test MaxPool Indices" 2
	expect_in "onnx-test MaxPool Indices" err "MaxPool: output 'Indices' not supported"
	run "$BIN" onnx-test "$NODE/test_cast_FLOAT_to_DOUBLE"
	expect_rc "onnx-test Cast to double" 2
	expect_in "onnx-test Cast to double" err "Cast: attribute 'to' = 11 not supported"
	run "$BIN" onnx-test --threads 2 --isa avx2 "$NODE/test_qlinearmatmul_3D" "$NODE/test_convinteger_with_padding"
	if grep -q avx2 /proc/cpuinfo 2>/dev/null; then
		expect_rc "onnx-test --isa avx2" 0
	fi
	# an operator tessera does not run: exit 2, the message names it
	run "$BIN" onnx-test "$NODE/test_conv_with_strides_padding"
	expect_rc "onnx-test Conv" 2
	expect_in "onnx-test Conv" err "operator 'Conv' not supported"
	# multi-node graphs (the function-expanded variants: Constant, ReduceMin, Min, Div, Clip,
	# Round, Cast, ... then QuantizeLinear), run node by node
	run "$BIN" onnx-test "$NODE/test_dynamicquantizelinear_expanded" \
		"$NODE/test_dynamicquantizelinear_max_adjusted_expanded" \
		"$NODE/test_dynamicquantizelinear_min_adjusted_expanded"
	expect_rc "onnx-test expanded" 0
	expect_in "onnx-test expanded" out "onnx-test: 3 passed, 0 failed"
	# operators tessera does not run inside a graph (Ceil, Loop with a subgraph): the message
	# names the first such node
	run "$BIN" onnx-test "$NODE/test_range_float_type_positive_delta_expanded"
	expect_rc "onnx-test graph with an unsupported node" 2
	expect_in "onnx-test graph with an unsupported node" err "model.onnx: node '"
	# a bad ISA request is bad input
	run env TESSERA_ISA=sse9 "$BIN" onnx-test "$NODE/test_matmulinteger"
	expect_rc "onnx-test TESSERA_ISA=sse9" 2
	expect_in "onnx-test TESSERA_ISA=sse9" err "TESSERA_ISA 'sse9'"
else
	rc=0
	bad "$NODE missing (install libonnx-testdata: make deps)"
fi

# ---- onnx-test on hand-made tests -------------------------------------------------------
run "$BIN" onnx-test "$DATA/matmulinteger_small"
expect_rc "onnx-test small" 0
expect_in "onnx-test small" out "onnx-test: 1 passed, 0 failed"

run "$BIN" onnx-test "$DATA/matmulinteger_small" "$DATA/matmulinteger_wrong"
expect_rc "onnx-test wrong" 1
expect_in "onnx-test wrong" out "output 'Y'[3]: got 40, want 41"
expect_in "onnx-test wrong" out "onnx-test: 1 passed, 1 failed"

run "$BIN" onnx-test --json "$DATA/matmulinteger_small"
expect_rc "onnx-test --json" 0
expect_in "onnx-test --json" out '"result": "pass"'
expect_in "onnx-test --json" out '"passed": 1, "failed": 0, "errors": 0'

run "$BIN" onnx-test "$DATA/no_such_dir"
expect_rc "onnx-test missing dir" 2
expect_in "onnx-test missing dir" err "$DATA/no_such_dir: not a directory"

run "$BIN" onnx-test
expect_rc "onnx-test no args" 2
expect_stdout_empty "onnx-test no args"
run "$BIN" onnx-test --threads 0 "$DATA/matmulinteger_small"
expect_rc "onnx-test --threads 0" 2
run "$BIN" onnx-test --help
expect_rc "onnx-test --help" 0
expect_in "onnx-test --help" out "usage: tessera onnx-test"

# ---- quant ---------------------------------------------------------------------------------
run "$BIN" quant --model resnet18 --seed 7
expect_rc "quant resnet18" 0
expect_in "quant resnet18" out "lightpe2"
expect_in "quant resnet18" out "mean"
cp "$TMP/out" "$TMP/q7"
# int8 is far better than int4, int4 than binary; int16 better than int8 (mean row)
if awk '$1 == "mean" { exit !($2 > $3 + 20 && $3 > 30 && $3 < 60 && $3 > $4 + 10 && $4 > $7 && $6 > $5) }' "$TMP/q7"; then
	ok
else
	rc=0
	bad "quant resnet18: implausible mean SQNR row: $(grep '^mean' "$TMP/q7")"
fi
run "$BIN" quant --model resnet18 --seed 7
if cmp -s "$TMP/out" "$TMP/q7"; then ok; else bad "quant: same seed, different output"; fi
# the fast kernels (int8 / int4 / LightPE / binary) are bit-exact: every ISA, same table
run env TESSERA_ISA=scalar "$BIN" quant --model resnet18 --seed 7
if cmp -s "$TMP/out" "$TMP/q7"; then ok; else bad "quant: TESSERA_ISA=scalar differs from auto"; fi
if grep -q avx2 /proc/cpuinfo 2>/dev/null; then
	run env TESSERA_ISA=avx2 "$BIN" quant --model resnet18 --seed 7
	if cmp -s "$TMP/out" "$TMP/q7"; then ok; else bad "quant: TESSERA_ISA=avx2 differs from auto"; fi
fi
run "$BIN" quant --model resnet18 --seed 8
if cmp -s "$TMP/out" "$TMP/q7"; then bad "quant: different seed, same output"; else ok; fi

run "$BIN" quant --model mobilenet_v2 --json
expect_rc "quant --json" 0
expect_in "quant --json" out '"mean_sqnr_db": {"int16": '
expect_in "quant --json" out '"types": ["int16", "int8", "int4", "lightpe1", "lightpe2", "binary"]'
if command -v python3 >/dev/null 2>&1; then
	if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["layers"]) == 53, len(d["layers"])' "$TMP/out"; then
		ok
	else
		bad "quant --json: not JSON with 53 layers"
	fi
fi

for args in "" "--model nosuch_model" "--model resnet18 --seed x" "--model resnet18 --bogus"; do
	# shellcheck disable=SC2086
	run "$BIN" quant $args
	expect_rc "quant $args" 2
	expect_stdout_empty "quant $args"
done
run "$BIN" quant --help
expect_rc "quant --help" 0

finish
