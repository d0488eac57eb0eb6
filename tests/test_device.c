/* test_device.c — the device layer (device.h): opening by URI, the desc backend's
 * emulated registers against the RTL's, one layer image on both devices (bit-exact,
 * same cycles), cycle and time limits then a reset, and bad memory ranges. Seed: TS_SEED. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tessera/cost.h"
#include "tessera/device.h"
#include "util/bits.h"
#include "test_cfg.h"
#include "test_seed.h"

#define MEM_BASE 0x10000000ull
#define MEM_SIZE (4ull << 20)

static uint64_t g_seed;

/* Two of the co-simulation suite's configs (test_cfg.h: the same cached models). */
static void cfg_2x2_int8_ws(ts_hwcfg *c)
{
	static const cfg_spec spec = TS_TEST_CFG_2X2_INT8_WS;
	make_cfg(&spec, c);
}

static void cfg_3x5_lp1_os(ts_hwcfg *c)
{
	static const cfg_spec spec = TS_TEST_CFG_3X5_LP1_OS;
	make_cfg(&spec, c);
}

static tsd_dev *open_dev(const char *uri, const ts_hwcfg *c)
{
	tsd_opts o = { 0 };
	o.mem_base = MEM_BASE;
	o.mem_size = MEM_SIZE;
	o.quiet = 1;
	tsd_dev *dev = NULL;
	ts_diag d = { { 0 } };
	if (tsd_open(uri, c, &o, &dev, &d))
		fail_msg("open %s for %s: %s", uri, c->name, d.msg);
	assert_string_equal(tsd_backend(dev), uri);
	assert_int_equal(tsd_mem_base(dev), MEM_BASE);
	assert_int_equal(tsd_mem_size(dev), MEM_SIZE);
	return dev;
}

static void test_open_unknown(void **state)
{
	(void)state;
	ts_hwcfg c;
	cfg_2x2_int8_ws(&c);
	tsd_dev *dev = (tsd_dev *)1;
	ts_diag d = { { 0 } };
	assert_int_equal(tsd_open("spi:/dev/nothing", &c, NULL, &dev, &d), TS_ERR_INPUT);
	assert_null(dev);
	assert_non_null(strstr(d.msg, "spi:/dev/nothing"));
	assert_non_null(strstr(d.msg, "rtl, desc"));
	assert_non_null(strstr(d.msg, "uart"));
	/* a known backend, a tty that is not there: its own message, not "unknown" */
	ts_diag_clear(&d);
	dev = (tsd_dev *)1;
	assert_int_equal(tsd_open("uart:/dev/nothing,baud=115200", &c, NULL, &dev, &d), TS_ERR_INPUT);
	assert_null(dev);
	assert_non_null(strstr(d.msg, "/dev/nothing: cannot open"));
	ts_diag_clear(&d);
	assert_int_equal(tsd_open("uart:/dev/null", &c, NULL, &dev, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "not a tty"));
	ts_diag_clear(&d);
	assert_int_equal(tsd_open("uart:/dev/null,latency_ms=-1", &c, NULL, &dev, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "latency_ms='-1'"));
}

/* Every register of the map reads the same on both devices. */
static void same_registers(tsd_dev *rtl, tsd_dev *desc)
{
#define TS_REG(name, offset, access, description)                                              \
	if (tsd_reg_read(rtl, TS_REG_##name) != tsd_reg_read(desc, TS_REG_##name))                \
		fail_msg("register %s: rtl 0x%x, desc 0x%x", #name, tsd_reg_read(rtl, TS_REG_##name), \
			 tsd_reg_read(desc, TS_REG_##name));
#include "tessera/regmap.def"
#undef TS_REG
}

/* Every register the host can read after reset, and a read/write one, on both devices. */
static void test_registers_match_rtl(void **state)
{
	(void)state;
	ts_hwcfg c;
	cfg_3x5_lp1_os(&c);
	tsd_dev *rtl = open_dev("rtl", &c), *desc = open_dev("desc", &c);
	assert_int_equal(tsd_reg_read(desc, TS_REG_ID), TS_REG_ID_MAGIC);
	assert_int_equal(tsd_reg_read(desc, TS_REG_HW_SPAD_IN), 20); /* 60 B / 3 B */
	assert_int_equal(tsd_reg_read(desc, TS_REG_HW_SPAD_ACC), 8); /* 160 B / 20 B */
	same_registers(rtl, desc);
	tsd_reg_write(desc, TS_REG_DESC_MAX, 0x12345678u);
	assert_int_equal(tsd_reg_read(desc, TS_REG_DESC_MAX), 0x12345678u);
	tsd_reg_write(desc, TS_REG_HW_ROWS, 99); /* read-only */
	assert_int_equal(tsd_reg_read(desc, TS_REG_HW_ROWS), 3);
	tsd_close(rtl);
	tsd_close(desc);
}

/* A failed run, then SOFT_RESET: both devices leave every register alike; the reset
 * clears the run's results and keeps what the host programmed (ts_ctrl). */
static void test_soft_reset_after_error(void **state)
{
	(void)state;
	ts_hwcfg c;
	cfg_2x2_int8_ws(&c);
	tsd_dev *devs[2] = { open_dev("rtl", &c), open_dev("desc", &c) };
	ts_layer l = ts_layer_gemm("g", 1, 4, 4, 4);
	ts_diag d = { { 0 } };
	for (int k = 0; k < 2; k++) {
		ts_layer_image img;
		tsd_run_result r;
		assert_int_equal(ts_layer_image_build(&c, &l, MEM_BASE, NULL, NULL, NULL, &img, &d), TS_OK);
		img.bytes[img.b.desc_off + 2 * TS_DESC_BYTES] = 0x3f; /* descriptor 2: no such opcode */
		assert_int_equal(tsd_run_layer(devs[k], &c, &l, &img, NULL, &r, NULL, &d), TS_ERR_MISMATCH);
		assert_int_equal(r.err, TS_HWERR_BAD_OPCODE);
		assert_int_equal(r.err_desc, 2);
		ts_layer_image_free(&img);
		ts_diag_clear(&d);
	}
	same_registers(devs[0], devs[1]);
	uint32_t desc_max = tsd_reg_read(devs[1], TS_REG_DESC_MAX);
	for (int k = 0; k < 2; k++)
		tsd_reg_write(devs[k], TS_REG_CTRL, TS_CTRL_SOFT_RESET);
	same_registers(devs[0], devs[1]);
	assert_int_equal(tsd_reg_read(devs[1], TS_REG_STATUS), 0);
	assert_int_equal(tsd_reg_read(devs[1], TS_REG_ERR_CODE), TS_HWERR_NONE);
	assert_int_equal(tsd_reg_read(devs[1], TS_REG_DESC_MAX), desc_max);
	tsd_close(devs[0]);
	tsd_close(devs[1]);
}

/* One image, both devices: the same output bytes and the cost model's cycles. */
static void test_same_image_two_devices(void **state)
{
	(void)state;
	ts_hwcfg c;
	cfg_2x2_int8_ws(&c);
	tsd_dev *rtl = open_dev("rtl", &c), *desc = open_dev("desc", &c);
	ts_layer l = ts_layer_conv("conv", 5, 3, 6, 6, 3, 3, 1, 1, 1);
	tsd_cosim_result r;
	ts_diag d = { { 0 } };
	tsd_limit lim = { 10000000, 0 };
	if (tsd_cosim_layer(rtl, desc, &c, &l, g_seed, &lim, &r, &d))
		fail_msg("cosim: %s", d.msg);
	if (r.mismatches)
		fail_msg("%llu mismatches: %s", (unsigned long long)r.mismatches, r.first_mismatch);
	assert_int_equal(r.checked, ts_layer_output_elems(&l));
	assert_int_equal(r.dut_cycles, r.model_cycles);
	assert_int_equal(r.ref_cycles, r.model_cycles);
	assert_int_equal(r.descriptors, r.expected_descriptors);
	assert_int_equal(r.mem_oob, 0);
	tsd_close(rtl);
	tsd_close(desc);
}

/* A run cut by a cycle or a time limit is "did not finish" and soft-resets the device;
 * the next layer runs right. */
static void test_limits_then_reset(void **state)
{
	(void)state;
	ts_hwcfg c;
	cfg_2x2_int8_ws(&c);
	tsd_dev *rtl = open_dev("rtl", &c), *desc = open_dev("desc", &c);
	ts_layer big = ts_layer_gemm("big", 1, 64, 64, 64);
	ts_cost cost;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_cost_layer(&c, &big, &cost, &d), TS_OK);
	assert_true(cost.cycles > 200000); /* longer than a wait slice */
	ts_layer_operands op;
	assert_int_equal(ts_layer_operands_random(&c, &big, g_seed, &op, &d), TS_OK);
	ts_layer_image img;
	assert_int_equal(ts_layer_image_build(&c, &big, MEM_BASE, op.w, op.x, &op.q.q, &img, &d), TS_OK);
	tsd_run_result r;
	tsd_limit by_cycles = { 1000, 0 }, by_time = { 0, 1e-9 };
	assert_int_equal(tsd_run_layer(rtl, &c, &big, &img, &by_cycles, &r, NULL, &d), TS_ERR_INTERNAL);
	assert_non_null(strstr(d.msg, "did not finish within 1000 cycles"));
	assert_int_equal(r.waited, 1000);
	assert_non_null(strstr(d.msg, "reset it (CTRL.SOFT_RESET)"));
	assert_int_equal(tsd_reg_read(rtl, TS_REG_STATUS), 0); /* reset: idle, no result */
	ts_diag_clear(&d);
	assert_int_equal(tsd_run_layer(rtl, &c, &big, &img, &by_time, &r, NULL, &d), TS_ERR_INTERNAL);
	assert_non_null(strstr(d.msg, "did not finish within"));
	assert_true(r.waited < cost.cycles);
	ts_layer_image_free(&img);
	ts_layer_operands_free(&op);

	ts_layer small = ts_layer_gemm("small", 1, 5, 7, 3);
	tsd_cosim_result cr;
	tsd_limit lim = { 1000000, 0 };
	ts_diag_clear(&d);
	if (tsd_cosim_layer(rtl, desc, &c, &small, g_seed + 1, &lim, &cr, &d))
		fail_msg("after reset: %s", d.msg);
	assert_int_equal(cr.mismatches, 0);
	assert_int_equal(cr.dut_cycles, cr.model_cycles);
	tsd_close(rtl);
	tsd_close(desc);
}

/* Host memory access outside the window, an image too big for the device, and a
 * hardware error named with its descriptor. */
static void test_bad_ranges_and_errors(void **state)
{
	(void)state;
	ts_hwcfg c;
	cfg_2x2_int8_ws(&c);
	tsd_dev *desc = open_dev("desc", &c);
	uint8_t buf[64] = { 0 };
	ts_diag d = { { 0 } };
	assert_int_equal(tsd_mem_write(desc, MEM_BASE - 1, buf, 2, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "outside the window"));
	ts_diag_clear(&d);
	assert_int_equal(tsd_mem_read(desc, MEM_BASE + MEM_SIZE - 32, buf, 64, &d), TS_ERR_INPUT);
	assert_int_equal(tsd_mem_read(desc, MEM_BASE + MEM_SIZE - 64, buf, 64, NULL), TS_OK);

	ts_layer l = ts_layer_gemm("g", 1, 4, 4, 4);
	ts_layer_image img;
	tsd_run_result r;
	ts_diag_clear(&d);
	assert_int_equal(ts_layer_image_build(&c, &l, MEM_BASE + MEM_SIZE - 64, NULL, NULL, NULL, &img, &d), TS_OK);
	assert_int_equal(tsd_run_layer(desc, &c, &l, &img, NULL, &r, NULL, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "exceeds the desc device's memory"));
	ts_layer_image_free(&img);

	/* Corrupt the first descriptor's opcode: ERR_BAD_OPCODE at descriptor 0. */
	ts_diag_clear(&d);
	assert_int_equal(ts_layer_image_build(&c, &l, MEM_BASE, NULL, NULL, NULL, &img, &d), TS_OK);
	img.bytes[img.b.desc_off] = 0x3f;
	assert_int_equal(tsd_run_layer(desc, &c, &l, &img, NULL, &r, NULL, &d), TS_ERR_MISMATCH);
	assert_int_equal(r.err, TS_HWERR_BAD_OPCODE);
	assert_int_equal(r.err_desc, 0);
	assert_non_null(strstr(d.msg, "ERR_BAD_OPCODE at descriptor 0"));
	assert_true(tsd_reg_read(desc, TS_REG_STATUS) & TS_STATUS_ERROR);
	tsd_reg_write(desc, TS_REG_STATUS, TS_STATUS_ERROR);
	assert_int_equal(tsd_reg_read(desc, TS_REG_STATUS) & TS_STATUS_ERROR, 0);
	ts_layer_image_free(&img);
	tsd_close(desc);
}

/* ---- the requantization table across resets --------------------------------------------
 * desc.h: the LOAD_TO_Q table is zero after reset and kept until overwritten; SOFT_RESET
 * keeps it like the scratchpads. A 3x3x3 GEMM on the 2x2 array has two LOAD_TO_Qs
 * (descriptors 5: channels 0-1 into entries 0-1, and 11: channel 2 into entry 0). With
 * them turned into LOADs of one unused input word, the STOREs use whatever the table
 * holds: after a full run entry 0 = channel 2, entry 1 = channel 1; after a reset zeros
 * (mult 0: every output is the zero point, clamped). */
static void qtable_resets(const char *uri)
{
	ts_hwcfg c;
	cfg_2x2_int8_ws(&c);
	tsd_dev *dev = open_dev(uri, &c);
	ts_layer l = ts_layer_gemm("g", 1, 3, 3, 3);
	ts_diag d = { { 0 } };
	ts_layer_operands op;
	assert_int_equal(ts_layer_operands_random(&c, &l, g_seed, &op, &d), TS_OK);
	op.q.q.x_zp = 0; /* the fold would tie the bias to channel 0's weights */
	ts_layer_image full, patched;
	assert_int_equal(ts_layer_image_build(&c, &l, MEM_BASE, op.w, op.x, &op.q.q, &full, &d), TS_OK);
	assert_int_equal(ts_layer_image_build(&c, &l, MEM_BASE, op.w, op.x, &op.q.q, &patched, &d), TS_OK);
	ts_hwcfg_derived dv;
	ts_hwcfg_derive(&c, &dv);
	for (uint64_t i = 5; i <= 11; i += 6) {
		ts_desc q;
		ts_desc_decode(patched.bytes + patched.b.desc_off + i * TS_DESC_BYTES, &q);
		assert_int_equal(TS_DESC_FLAGS(&q), TS_LOAD_TO_Q);
		ts_desc_set(&q, TS_FLD_FLAGS, 0);
		ts_desc_set(&q, TS_FLD_LOAD_WORD, (uint32_t)dv.d_in - 1);
		ts_desc_set(&q, TS_FLD_LOAD_ROWS, 1);
		ts_desc_set(&q, TS_FLD_LOAD_ROW_ELEMS, 1);
		ts_desc_set(&q, TS_FLD_LOAD_BYTES, 1);
		ts_desc_encode(&q, patched.bytes + patched.b.desc_off + i * TS_DESC_BYTES);
	}
	int32_t y_full[9], y[9], want[9];
	tsd_run_result r;
	/* after open (reset): zeros */
	assert_int_equal(tsd_run_layer(dev, &c, &l, &patched, NULL, &r, y, &d), TS_OK);
	int32_t zp = op.q.q.zp < op.q.q.lo ? op.q.q.lo : op.q.q.zp > op.q.q.hi ? op.q.q.hi : op.q.q.zp;
	for (int i = 0; i < 9; i++)
		assert_int_equal(y[i], zp);
	/* a full run loads the table; after SOFT_RESET it still holds its last records */
	assert_int_equal(tsd_run_layer(dev, &c, &l, &full, NULL, &r, y_full, &d), TS_OK);
	assert_int_equal(ts_layer_ref(&c, &l, op.w, op.x, &op.q.q, want, NULL, &d), TS_OK);
	assert_memory_equal(y_full, want, sizeof want);
	tsd_reg_write(dev, TS_REG_CTRL, TS_CTRL_SOFT_RESET);
	assert_int_equal(tsd_run_layer(dev, &c, &l, &patched, NULL, &r, y, &d), TS_OK);
	/* y [n][m]: channel 0 requantized with channel 2's record, channels 1 and 2 right */
	op.q.bias[0] = op.q.bias[2];
	op.q.mult[0] = op.q.mult[2];
	op.q.shift[0] = op.q.shift[2];
	assert_int_equal(ts_layer_ref(&c, &l, op.w, op.x, &op.q.q, want, NULL, &d), TS_OK);
	assert_memory_equal(y, want, sizeof want);
	/* a reset clears it */
	tsd_reset(dev);
	assert_int_equal(tsd_run_layer(dev, &c, &l, &patched, NULL, &r, y, &d), TS_OK);
	for (int i = 0; i < 9; i++)
		assert_int_equal(y[i], zp);
	ts_layer_image_free(&full);
	ts_layer_image_free(&patched);
	ts_layer_operands_free(&op);
	tsd_close(dev);
}

static void test_qtable_resets_desc(void **state)
{
	(void)state;
	qtable_resets("desc");
}

static void test_qtable_resets_rtl(void **state)
{
	(void)state;
	qtable_resets("rtl");
}

/* tsd_cosim_layer with two desc devices, every PE type and dataflow: random per-channel
 * requantization, both devices equal ts_layer_ref (checked inside: mismatches 0) and
 * the cost model's cycles. */
static void test_desc_pair_every_pe(void **state)
{
	(void)state;
	static const uint32_t acc[] = { 32, 24 };
	uint64_t layers = 0, checked = 0;
	for (int pe = 0; pe < TS_PE_COUNT; pe++)
		for (int df = 0; df < 2; df++)
			for (int ai = 0; ai < 2; ai++) {
				ts_hwcfg c;
				cfg_2x2_int8_ws(&c);
				c.rows = 3;
				c.cols = 4;
				c.pe = (ts_pe_type)pe;
				c.dataflow = (ts_dataflow)df;
				c.acc_bits = pe == TS_PE_INT16 ? 32 + 16 * (uint32_t)ai : acc[ai];
				c.spad_input_bytes = (uint32_t)ts_nbytes(c.rows, ts_pe_abits(c.pe)) * 12;
				c.spad_weight_bytes = (uint32_t)ts_nbytes(c.cols, ts_pe_wbits(c.pe)) * 12;
				c.spad_acc_bytes = c.cols * c.acc_bits / 8 * 12;
				tsd_dev *a = open_dev("desc", &c), *b = open_dev("desc", &c);
				ts_layer ls[4] = {
					ts_layer_gemm("gemm", 1, 7, 9, 10),
					ts_layer_conv("conv", 5, 3, 6, 5, 3, 3, 1, 1, 1),
					ts_layer_conv("dw", 4, 4, 5, 5, 3, 3, 2, 1, 4),
					ts_layer_fc("fc", 2, 6, 11),
				};
				ls[2].op = TS_OP_DWCONV;
				for (int i = 0; i < 4; i++) {
					tsd_cosim_result r;
					ts_diag d = { { 0 } };
					tsd_limit lim = { 10000000, 0 };
					uint64_t seed = g_seed + (uint64_t)(pe * 100 + df * 10 + ai * 4 + i);
					if (tsd_cosim_layer(a, b, &c, &ls[i], seed, &lim, &r, &d))
						fail_msg("%s on %s %s acc %u: %s", ls[i].name, ts_pe_type_name(c.pe),
							 ts_dataflow_name(c.dataflow), c.acc_bits, d.msg);
					if (r.mismatches)
						fail_msg("%s on %s %s acc %u: %llu mismatches: %s", ls[i].name,
							 ts_pe_type_name(c.pe), ts_dataflow_name(c.dataflow), c.acc_bits,
							 (unsigned long long)r.mismatches, r.first_mismatch);
					assert_int_equal(r.dut_cycles, r.model_cycles);
					assert_int_equal(r.ref_cycles, r.model_cycles);
					assert_int_equal(r.descriptors, r.expected_descriptors);
					layers++;
					checked += r.checked;
				}
				tsd_close(a);
				tsd_close(b);
			}
	printf("  %llu layers, %llu outputs on desc pairs (seed %llu)\n", (unsigned long long)layers,
	       (unsigned long long)checked, (unsigned long long)g_seed);
}

int main(void)
{
	g_seed = ts_test_seed("test_device");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_unknown),
		cmocka_unit_test(test_registers_match_rtl),
		cmocka_unit_test(test_soft_reset_after_error),
		cmocka_unit_test(test_same_image_two_devices),
		cmocka_unit_test(test_limits_then_reset),
		cmocka_unit_test(test_bad_ranges_and_errors),
		cmocka_unit_test(test_qtable_resets_desc),
		cmocka_unit_test(test_desc_pair_every_pe),
		cmocka_unit_test(test_qtable_resets_rtl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
