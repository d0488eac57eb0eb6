/* test_cosim.c — co-simulation of the Verilated RTL against the golden model
 * and the C descriptor model: bit-exact outputs and rtl_cycles == model_cycles
 * for every layer, on configs that together cover every PE type, both
 * dataflows, square and non-square arrays, multi-word beats and zero latency,
 * and the serial requantizer (requant.cycles 2, 8 and 32).
 * Each config is one Verilator build (cached in build/simcache). Seed: TS_SEED. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "tessera/cost.h"
#include "tessera/desc.h"
#include "tessera/hwcfg.h"
#include "tessera/quant.h"
#include "tessera/runtime.h"
#include "tessera/device.h"
#include "test_cfg.h"
#include "test_seed.h"

#define SIM_BASE 0x10000000ull
#define SIM_SIZE (4ull << 20)
#define CYCLE_LIMIT 50000000ull

static uint64_t g_seed;

/* ---- configs ------------------------------------------------------------------ */
enum { CFG_2X2_INT8_WS, CFG_4X4_INT16_OS, CFG_8X8_INT4_WS, CFG_3X5_LP1_OS, CFG_4X8_LP2_WS,
       CFG_5X3_BIN_OS, CFG_3X5_INT4_WS_B3, CFG_2X2_INT8_WS_RQ8, CFG_4X4_INT4_WS_RQ8,
       CFG_3X4_INT16_OS_RQ32, CFG_4X2_BIN_WS_RQ2, CFG_COUNT };

static const cfg_spec specs[CFG_COUNT] = {
	/* docs/timing.md §8: the worked example (GEMM 3x3x3 = 371 cycles) */
	TS_TEST_CFG_2X2_INT8_WS,
	{ "cosim-4x4-int16-os", 4, 4, TS_DF_OS, TS_PE_INT16, 32, 128, 128, 256, 8, 3, 1 },
	/* 16-byte beats carry four 4-byte words; zero latency */
	{ "cosim-8x8-int4-ws", 8, 8, TS_DF_WS, TS_PE_INT4, 32, 256, 128, 1024, 16, 0, 1 },
	/* small scratchpads: OS chunks and streamed operands */
	TS_TEST_CFG_3X5_LP1_OS,
	{ "cosim-4x8-lightpe2-ws", 4, 8, TS_DF_WS, TS_PE_LIGHTPE2, 32, 48, 64, 384, 4, 7, 1 },
	{ "cosim-5x3-binary-os", 5, 3, TS_DF_OS, TS_PE_BINARY, 32, 40, 40, 96, 1, 2, 1 },
	/* 3-byte beats: 4 scratchpad banks that a beat fills unevenly, and 6
	 * store lanes (int4 outputs) over 8 accumulator banks per column */
	{ "cosim-3x5-int4-ws-b3", 3, 5, TS_DF_WS, TS_PE_INT4, 32, 90, 60, 400, 3, 1, 1 },
	/* the serial requantizer (docs/timing.md §1: STORE beats requant.cycles apart):
	 * the worked example's config with M = 8; the hx8k preset's kind (int4, 24-bit
	 * accumulators, a 1-byte port: two lanes); int16 outputs (two beats per
	 * element) from 48-bit accumulators, 3-byte beats, zero latency, M = 32;
	 * binary outputs (eight lanes per byte) with M = 2 */
	{ "cosim-2x2-int8-ws-rq8", 2, 2, TS_DF_WS, TS_PE_INT8, 32, 64, 64, 256, 4, 10, 8 },
	{ "cosim-4x4-int4-ws-rq8", 4, 4, TS_DF_WS, TS_PE_INT4, 24, 64, 32, 256, 1, 2, 8 },
	{ "cosim-3x4-int16-os-rq32", 3, 4, TS_DF_OS, TS_PE_INT16, 48, 96, 96, 512, 3, 0, 32 },
	{ "cosim-4x2-binary-ws-rq2", 4, 2, TS_DF_WS, TS_PE_BINARY, 16, 32, 32, 64, 1, 3, 2 },
};

static ts_hwcfg cfgs[CFG_COUNT];
static tsd_dev *sims[CFG_COUNT], *refs[CFG_COUNT]; /* rtl and desc devices of each config */

static tsd_dev *get_sim(int i)
{
	if (!sims[i]) {
		ts_diag d = { { 0 } };
		make_cfg(&specs[i], &cfgs[i]);
		tsd_opts o = { 0 };
		o.mem_base = SIM_BASE;
		o.mem_size = SIM_SIZE;
		if (tsd_open("rtl", &cfgs[i], &o, &sims[i], &d) || tsd_open("desc", &cfgs[i], &o, &refs[i], &d))
			fail_msg("config %s: %s", specs[i].name, d.msg);
	}
	return sims[i];
}

/* ---- one layer: the same image on the RTL and the descriptor model ------------------------
 * tsd_cosim_layer: seeded operands, one image, both devices; every output compared (and
 * with the golden kernels for plain GEMMs), cycles against the cost model. */
typedef struct layer_result {
	uint64_t rtl_cycles, model_cycles, descsim_cycles, descriptors, checked, mismatches;
} layer_result;

static void run_layer(int ci, const ts_layer *l, uint64_t seed, layer_result *res)
{
	tsd_dev *rtl = get_sim(ci);
	const ts_hwcfg *c = &cfgs[ci];
	ts_diag d = { { 0 } };
	const tsd_limit lim = { CYCLE_LIMIT, 0 };
	tsd_cosim_result r;
	if (tsd_cosim_layer(rtl, refs[ci], c, l, seed, &lim, &r, &d))
		fail_msg("%s on %s: %s (seed %llu)", l->name, c->name, d.msg, (unsigned long long)seed);
	res->rtl_cycles = r.dut_cycles;
	res->model_cycles = r.model_cycles;
	res->descsim_cycles = r.ref_cycles;
	res->descriptors = r.descriptors;
	res->checked = r.checked;
	res->mismatches = r.mismatches;
	if (r.mismatches || r.dut_cycles != r.model_cycles || r.dut_cycles != r.ref_cycles ||
	    r.descriptors != r.expected_descriptors || r.mem_oob)
		print_error("%s on %s: rtl %llu cycles, model %llu, descsim %llu; descriptors %llu of %llu; "
			    "%llu mismatches (first: %s); %llu bytes out of window (seed %llu)\n", l->name,
			    c->name, (unsigned long long)r.dut_cycles, (unsigned long long)r.model_cycles,
			    (unsigned long long)r.ref_cycles, (unsigned long long)r.descriptors,
			    (unsigned long long)r.expected_descriptors, (unsigned long long)r.mismatches,
			    r.first_mismatch, (unsigned long long)r.mem_oob, (unsigned long long)seed);
	assert_int_equal(r.checked, ts_layer_output_elems(l));
	assert_int_equal(r.mismatches, 0);
	assert_int_equal(r.dut_cycles, r.model_cycles);
	assert_int_equal(r.dut_cycles, r.ref_cycles);
	assert_int_equal(r.descriptors, r.expected_descriptors);
	assert_int_equal(r.mem_oob, 0);
}

/* A random GEMM or conv layer small enough to simulate quickly, ragged on purpose. */
static ts_layer random_layer(int ci, int k)
{
	const ts_hwcfg *c = &cfgs[ci];
	char name[32];
	snprintf(name, sizeof name, "rand%d", k);
	ts_layer l;
	uint32_t kind = (uint32_t)rng_range(0, 3);
	if (kind <= 1) {
		l = ts_layer_gemm(name, 1, (uint32_t)rng_range(1, 3 * c->rows + 2),
				  (uint32_t)rng_range(1, 3 * c->rows + 3), (uint32_t)rng_range(1, 3 * c->cols + 1));
	} else if (kind == 2) {
		uint32_t y = (uint32_t)rng_range(3, 7), r = (uint32_t)rng_range(1, 3);
		l = ts_layer_conv(name, (uint32_t)rng_range(1, 2 * c->cols + 1), (uint32_t)rng_range(1, 4), y,
				  y + (uint32_t)rng_range(0, 2), r, r, (uint32_t)rng_range(1, 2),
				  (uint32_t)rng_range(0, r / 2), 1);
	} else {
		/* depthwise (group packing) unless binary, which cannot pack groups */
		uint32_t ch = (uint32_t)rng_range(2, 6);
		l = ts_layer_conv(name, ch, ch, 5, 5, 3, 3, 1, 1, c->pe == TS_PE_BINARY ? 1 : ch);
		if (c->pe != TS_PE_BINARY)
			l.op = TS_OP_DWCONV;
	}
	return l;
}

static uint64_t g_layers, g_checked;

static void run_random_layers(int ci, int count)
{
	rng_seed(g_seed ^ (0x1234567ull * (uint64_t)(ci + 1)));
	get_sim(ci);
	for (int k = 0; k < count; k++) {
		ts_layer l = random_layer(ci, k);
		ts_diag d = { { 0 } };
		if (ts_layer_validate(&l, &d)) {
			k--;
			continue;
		}
		layer_result r;
		run_layer(ci, &l, rng_next(), &r);
		g_layers++;
		g_checked += r.checked;
	}
}

/* ---- tests ----------------------------------------------------------------------------- */
static void test_worked_example(void **state)
{
	(void)state;
	ts_layer l = ts_layer_gemm("gemm3", 1, 3, 3, 3);
	layer_result r;
	run_layer(CFG_2X2_INT8_WS, &l, g_seed, &r);
	assert_int_equal(r.rtl_cycles, 442); /* docs/timing.md §8 */
}

/* The worked example with a serial requantizer, M = 8 (docs/timing.md §8): its two
 * STOREs of 6 and 3 bytes (2 and 1 beats) take 7 more cycles per beat. */
static void test_worked_example_rq8(void **state)
{
	(void)state;
	ts_layer l = ts_layer_gemm("gemm3", 1, 3, 3, 3);
	layer_result r;
	run_layer(CFG_2X2_INT8_WS_RQ8, &l, g_seed, &r);
	assert_int_equal(r.rtl_cycles, 442 + 7 * (2 + 1));
	/* and the device says how many cycles its requantizer takes */
	uint32_t pe = tsd_reg_read(get_sim(CFG_2X2_INT8_WS_RQ8), TS_REG_HW_PE);
	assert_int_equal((pe & TS_HW_PE_REQUANT_CYCLES) >> TS_HW_PE_REQUANT_CYCLES_LSB, 8);
}

static void test_worked_example_os(void **state)
{
	(void)state;
	/* same layer, OS: 4x4 int16 gives other numbers, so check against the model only */
	ts_layer l = ts_layer_gemm("gemm3", 1, 3, 3, 3);
	layer_result r;
	run_layer(CFG_4X4_INT16_OS, &l, g_seed, &r);
	assert_int_equal(r.rtl_cycles, r.model_cycles);
}

static void test_regs(void **state)
{
	(void)state;
	tsd_dev *s = get_sim(CFG_3X5_LP1_OS);
	assert_int_equal(tsd_reg_read(s, TS_REG_ID), TS_REG_ID_MAGIC);
	assert_int_equal(tsd_reg_read(s, TS_REG_VERSION), TS_REGMAP_VERSION);
	assert_int_equal(tsd_reg_read(s, TS_REG_HW_ROWS), 3);
	assert_int_equal(tsd_reg_read(s, TS_REG_HW_COLS), 5);
	assert_int_equal(tsd_reg_read(s, TS_REG_HW_PE), TS_PE_LIGHTPE1 << TS_HW_PE_PE_LSB |
							       TS_DF_OS << TS_HW_PE_DATAFLOW_LSB |
							       32 << TS_HW_PE_ACC_BITS_LSB |
							       1 << TS_HW_PE_REQUANT_CYCLES_LSB);
	assert_int_equal(tsd_reg_read(s, TS_REG_HW_SPAD_IN), 20);  /* 60 B / 3 B */
	assert_int_equal(tsd_reg_read(s, TS_REG_HW_SPAD_W), 8);    /* 24 B / 3 B */
	assert_int_equal(tsd_reg_read(s, TS_REG_HW_SPAD_ACC), 8);  /* 160 B / 20 B */
	assert_int_equal(tsd_reg_read(s, TS_REG_HW_DRAM), 2);
	tsd_reg_write(s, TS_REG_DESC_MAX, 0x12345678u);
	assert_int_equal(tsd_reg_read(s, TS_REG_DESC_MAX), 0x12345678u);
}

#define RANDOM_TEST(fn, ci, count)              \
	static void fn(void **state)            \
	{                                       \
		(void)state;                    \
		run_random_layers(ci, count);   \
	}
RANDOM_TEST(test_random_2x2_int8_ws, CFG_2X2_INT8_WS, 12)
RANDOM_TEST(test_random_4x4_int16_os, CFG_4X4_INT16_OS, 10)
RANDOM_TEST(test_random_8x8_int4_ws, CFG_8X8_INT4_WS, 10)
RANDOM_TEST(test_random_3x5_lightpe1_os, CFG_3X5_LP1_OS, 10)
RANDOM_TEST(test_random_4x8_lightpe2_ws, CFG_4X8_LP2_WS, 10)
RANDOM_TEST(test_random_5x3_binary_os, CFG_5X3_BIN_OS, 10)
RANDOM_TEST(test_random_3x5_int4_ws_b3, CFG_3X5_INT4_WS_B3, 10)
RANDOM_TEST(test_random_2x2_int8_ws_rq8, CFG_2X2_INT8_WS_RQ8, 8)
RANDOM_TEST(test_random_4x4_int4_ws_rq8, CFG_4X4_INT4_WS_RQ8, 8)
RANDOM_TEST(test_random_3x4_int16_os_rq32, CFG_3X4_INT16_OS_RQ32, 6)
RANDOM_TEST(test_random_4x2_binary_ws_rq2, CFG_4X2_BIN_WS_RQ2, 6)

/* ---- error paths: a hand-built list, run on the RTL and on descsim ----------------------- */
/* put_desc(mem, i, opcode, flags, F(field, value)...): descriptor i of the list
 * at mem, the fields not named zero. */
#define F(name, value) (int)TS_FLD_##name, (uint32_t)(value)
#define put_desc(mem, i, ...) put_desc_fields((mem), (i), __VA_ARGS__, 0)
static void put_desc_fields(uint8_t *mem, size_t i, uint32_t opcode, uint32_t flags, ...)
{
	ts_desc dsc = ts_desc_make(opcode, flags);
	va_list ap;
	va_start(ap, flags);
	for (int f; (f = va_arg(ap, int)) != 0;) /* no field is 0: its width is at least 1 */
		ts_desc_set(&dsc, (ts_desc_field)f, va_arg(ap, uint32_t));
	va_end(ap);
	ts_desc_encode(&dsc, mem + i * TS_DESC_BYTES);
}

/* One-segment LOAD, COMPUTE, LOAD_TO_Q of `rows` records into entries word.., STORE
 * with zero point 0 and the clamp range lo..hi, FENCE. */
#define LOAD(flags, addr, word, rows, elems, bytes)                                                   \
	TS_DESC_LOAD, (flags), F(LOAD_ADDR_LO, addr), F(LOAD_WORD, word), F(LOAD_ROWS, rows),         \
		F(LOAD_ROW_ELEMS, elems), F(LOAD_BYTES, bytes)
#define QLOAD(addr, word, rows)                                                                      \
	TS_DESC_LOAD, TS_LOAD_TO_Q, F(LOAD_ADDR_LO, addr), F(LOAD_WORD, word), F(LOAD_ROWS, rows),   \
		F(LOAD_ROW_ELEMS, TS_DESC_QREC_BYTES), F(LOAD_BYTES, TS_DESC_QREC_BYTES * (rows))
#define COMPUTE(flags, mt, kt, nt) TS_DESC_COMPUTE, (flags), F(COMP_MT, mt), F(COMP_KT, kt), F(COMP_NT, nt)
#define STORE_CLAMP(addr, rows, cols, lo, hi)                                                         \
	TS_DESC_STORE, 0, F(STORE_ADDR_LO, addr), F(STORE_ROWS, rows), F(STORE_COLS, cols),          \
		F(STORE_CLAMP_LO, (uint16_t)(lo)), F(STORE_CLAMP_HI, (uint16_t)(hi))
#define STORE(addr, rows, cols) STORE_CLAMP(addr, rows, cols, -128, 127)
#define FENCE TS_DESC_FENCE, 0

/* A requantization record (desc.h LOAD_TO_Q) at p. */
static void put_qrec(uint8_t *p, int32_t bias, uint32_t mult, uint8_t shift)
{
	for (int i = 0; i < 4; i++) {
		p[i] = (uint8_t)((uint32_t)bias >> (8 * i));
		p[4 + i] = (uint8_t)(mult >> (8 * i));
	}
	p[8] = shift;
	p[9] = p[10] = p[11] = 0xee; /* ignored */
}

/* Run the list at big + list_off (big: the whole SIM_SIZE window) on the RTL of
 * config ci and on descsim; both must end with want at want_idx (TS_HWERR_NONE:
 * a FENCE) after the same cycles and leave the same window (descsim's copy is
 * big itself). Returns the RTL's cycles. */
static uint64_t run_both(int ci, uint8_t *big, size_t list_off, uint32_t desc_max, ts_hw_err want,
			 uint32_t want_idx)
{
	tsd_dev *devs[2] = { get_sim(ci), refs[ci] };
	tsd_run_result r[2];
	ts_diag d = { { 0 } };
	const tsd_limit lim = { 100000, 0 };
	for (int k = 0; k < 2; k++) {
		assert_int_equal(tsd_mem_write(devs[k], SIM_BASE, big, SIM_SIZE, &d), TS_OK);
		if (tsd_run(devs[k], SIM_BASE + list_off, desc_max, &lim, &r[k], &d))
			fail_msg("%s: run did not end: %s", tsd_backend(devs[k]), d.msg);
		if (r[k].err != want || r[k].err_desc != want_idx)
			print_error("%s: want %s at %u, got %s at %u\n", tsd_backend(devs[k]), ts_hw_err_name(want),
				    want_idx, ts_hw_err_name(r[k].err), r[k].err_desc);
		assert_int_equal(r[k].err, want);
		assert_int_equal(r[k].err_desc, want_idx);
		assert_int_equal(!!(tsd_reg_read(devs[k], TS_REG_STATUS) & TS_STATUS_ERROR), want != TS_HWERR_NONE);
	}
	if (r[0].cycles != r[1].cycles)
		print_error("rtl %llu cycles, descsim %llu (desc.h: cycles of a failed run)\n",
			    (unsigned long long)r[0].cycles, (unsigned long long)r[1].cycles);
	assert_int_equal(r[0].cycles, r[1].cycles);
	assert_int_equal(r[0].descriptors, r[1].descriptors);
	uint8_t *rtl = malloc(SIM_SIZE);
	assert_non_null(rtl);
	assert_int_equal(tsd_mem_read(devs[0], SIM_BASE, rtl, SIM_SIZE, &d), TS_OK);
	assert_int_equal(tsd_mem_read(devs[1], SIM_BASE, big, SIM_SIZE, &d), TS_OK);
	for (size_t i = 0; i < SIM_SIZE; i++)
		if (rtl[i] != big[i]) {
			print_error("memory byte 0x%zx: rtl 0x%02x, descsim 0x%02x\n", i, rtl[i], big[i]);
			fail();
		}
	free(rtl);
	return r[0].cycles;
}

static uint64_t expect_error(uint8_t *mem, size_t list_off, uint32_t desc_max, ts_hw_err want,
			     uint32_t want_idx)
{
	uint8_t *big = calloc(1, SIM_SIZE);
	assert_non_null(big);
	memcpy(big, mem, 4096);
	uint64_t cycles = run_both(CFG_2X2_INT8_WS, big, list_off, desc_max, want, want_idx);
	free(big);
	return cycles;
}

#define LOAD_A(rows, elems, bytes) LOAD(0, SIM_BASE + 1024, 0, rows, elems, bytes)

static void test_err_bad_opcode(void **state)
{
	(void)state;
	uint8_t mem[4096] = { 0 };
	put_desc(mem, 0, LOAD_A(2, 2, 4));
	put_desc(mem, 1, 9, 0);
	put_desc(mem, 2, FENCE);
	expect_error(mem, 0, 16, TS_HWERR_BAD_OPCODE, 1);
	put_desc(mem, 1, FENCE, F(RESERVED, 1)); /* reserved bits */
	expect_error(mem, 0, 16, TS_HWERR_BAD_OPCODE, 1);
}

static void test_err_zero_length(void **state)
{
	(void)state;
	uint8_t mem[4096] = { 0 };
	put_desc(mem, 0, LOAD_A(2, 2, 4));
	put_desc(mem, 1, LOAD_A(0, 2, 0));
	put_desc(mem, 2, FENCE);
	expect_error(mem, 0, 16, TS_HWERR_ZERO_LENGTH, 1);
	put_desc(mem, 1, COMPUTE(0, 0, 1, 1)); /* mt = 0 */
	expect_error(mem, 0, 16, TS_HWERR_ZERO_LENGTH, 1);
}

static void test_err_addr_range(void **state)
{
	(void)state;
	uint8_t mem[4096] = { 0 };
	put_desc(mem, 0, LOAD_A(2, 2, 4));
	put_desc(mem, 1, LOAD(0, SIM_BASE + SIM_SIZE - 2, 0, 2, 2, 4));
	put_desc(mem, 2, FENCE);
	expect_error(mem, 0, 16, TS_HWERR_ADDR_RANGE, 1);
	/* a misaligned list */
	put_desc(mem, 1, FENCE);
	expect_error(mem, 8, 16, TS_HWERR_ADDR_RANGE, 0);
}

static void test_err_ranges(void **state)
{
	(void)state;
	uint8_t mem[4096] = { 0 };
	put_desc(mem, 0, LOAD_A(31, 2, 62));
	put_desc(mem, 1, LOAD(0, SIM_BASE + 1024, 31, 2, 2, 4)); /* words 31, 32 */
	put_desc(mem, 2, FENCE);
	expect_error(mem, 0, 16, TS_HWERR_SPAD_RANGE, 1);
	put_desc(mem, 1, COMPUTE(TS_COMP_ACC_FIRST, 2, 3, 2)); /* kt 3 > R */
	expect_error(mem, 0, 16, TS_HWERR_TILE_RANGE, 1);
	put_desc(mem, 1, LOAD_A(2, 2, 5));
	expect_error(mem, 0, 16, TS_HWERR_BYTES_MISMATCH, 1);
}

static void test_err_no_fence(void **state)
{
	(void)state;
	uint8_t mem[4096] = { 0 };
	for (int i = 0; i < 4; i++)
		put_desc(mem, (size_t)i, LOAD_A(2, 2, 4));
	put_desc(mem, 4, FENCE);
	/* no fetch for the failing one: 4 + 3 * (19 + 13) + 1 */
	assert_int_equal(expect_error(mem, 0, 3, TS_HWERR_NO_FENCE, 3), 4 + 3 * 32 + 1);
	/* the same list with room for its FENCE finishes */
	/* 4 + 5 fetches of 10 + 8 + 1, four LOADs of 2 + 10 + 1, + 1 */
	assert_int_equal(expect_error(mem, 0, 5, TS_HWERR_NONE, 0), 4 + 5 * 19 + 4 * 13 + 1);
	assert_int_equal(tsd_reg_read(get_sim(CFG_2X2_INT8_WS), TS_REG_DESC_DONE), 5);
}

/* desc.h: a STORE clamp range outside QMIN <= LO <= HI <= QMAX, a flag and reserved bits
 * are BAD_OPCODE (checked before ZERO_LENGTH: rows 0 here). A failed run counts
 * T_START + the completed descriptors + the failing one's fetch + 1. */
static void test_err_store_fields(void **state)
{
	(void)state;
	static const int32_t bad[][4] = {
		/* lo, hi, reserved, flags */
		{ 5, 4, 0, 0 },          /* lo > hi */
		{ -129, 0, 0, 0 },       /* lo below int8 */
		{ 0, 128, 0, 0 },        /* hi above int8 */
		{ 127, -128, 0, 0 },
		{ -128, 127, 1, 0 },     /* lowest reserved bit */
		{ -128, 127, 1 << 15, 0 }, /* highest reserved bit */
		{ -128, 127, 0, 1 },     /* a flag */
	};
	uint8_t mem[4096] = { 0 };
	put_desc(mem, 0, LOAD_A(2, 2, 4));
	put_desc(mem, 2, FENCE);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		put_desc(mem, 1, TS_DESC_STORE, (uint32_t)bad[i][3], F(STORE_ADDR_LO, SIM_BASE + 2048), F(STORE_COLS, 2),
			 F(STORE_CLAMP_LO, (uint16_t)bad[i][0]), F(STORE_CLAMP_HI, (uint16_t)bad[i][1]),
			 F(STORE_ZP, 0x8000), F(STORE_RESERVED, bad[i][2]));
		/* 4 + (fetch 19 + LOAD 2 + 10 + 1) + fetch 19 + 1 */
		assert_int_equal(expect_error(mem, 0, 16, TS_HWERR_BAD_OPCODE, 1), 4 + 32 + 19 + 1);
	}
	/* the same STORE with legal fields (any int16 zero point) and rows 0 is ZERO_LENGTH */
	put_desc(mem, 1, TS_DESC_STORE, 0, F(STORE_ADDR_LO, SIM_BASE + 2048), F(STORE_COLS, 2),
		 F(STORE_CLAMP_LO, (uint16_t)-128), F(STORE_CLAMP_HI, 127), F(STORE_ZP, 0x8000));
	expect_error(mem, 0, 16, TS_HWERR_ZERO_LENGTH, 1);
}

/* desc.h LOAD_TO_Q: its checks in the documented order, and its cycles (those of any
 * LOAD of its bytes). The 2x2 table has 2 entries. */
static void test_err_load_q(void **state)
{
	(void)state;
	uint8_t mem[4096] = { 0 };
	const uint32_t rec = (uint32_t)SIM_BASE + 3072;
	put_desc(mem, 0, LOAD_A(2, 2, 4));
	put_desc(mem, 2, FENCE);
	put_desc(mem, 1, QLOAD(rec, 0, 2));
	/* 4 + fetch 19 + LOAD(4 B) 13 + fetch 19 + LOAD(24 B) 2 + 10 + 6 + fetch 19 + 1 */
	assert_int_equal(expect_error(mem, 0, 16, TS_HWERR_NONE, 0), 4 + 32 + 19 + 18 + 19 + 1);
	put_desc(mem, 1, TS_DESC_LOAD, TS_LOAD_TO_Q | TS_LOAD_TO_W, F(LOAD_ADDR_LO, rec), F(LOAD_ROWS, 1),
		 F(LOAD_ROW_ELEMS, 12), F(LOAD_BYTES, 12));
	expect_error(mem, 0, 16, TS_HWERR_BAD_OPCODE, 1);
	put_desc(mem, 1, QLOAD(rec, 0, 1), F(LOAD_ROW_ELEMS, 11));
	expect_error(mem, 0, 16, TS_HWERR_BAD_OPCODE, 1);
	put_desc(mem, 1, QLOAD(rec, 0, 1), F(LOAD_ROWS2, 1), F(LOAD_ROW_ELEMS2, 12), F(LOAD_BYTES, 24));
	expect_error(mem, 0, 16, TS_HWERR_BAD_OPCODE, 1);
	put_desc(mem, 1, QLOAD(rec, 0, 1), F(LOAD_ROW_ELEMS2, 12));
	expect_error(mem, 0, 16, TS_HWERR_BAD_OPCODE, 1);
	put_desc(mem, 1, QLOAD(rec, 0, 0)); /* zero records, zero bytes */
	expect_error(mem, 0, 16, TS_HWERR_ZERO_LENGTH, 1);
	put_desc(mem, 1, QLOAD(rec, 0, 1), F(LOAD_BYTES, 13));
	expect_error(mem, 0, 16, TS_HWERR_BYTES_MISMATCH, 1);
	put_desc(mem, 1, QLOAD(rec, 1, 2)); /* entries 1..2 of 2 */
	expect_error(mem, 0, 16, TS_HWERR_SPAD_RANGE, 1);
	put_desc(mem, 1, QLOAD(rec, 0, 3));
	expect_error(mem, 0, 16, TS_HWERR_SPAD_RANGE, 1);
	put_desc(mem, 1, QLOAD(SIM_BASE + SIM_SIZE - 12, 0, 2));
	expect_error(mem, 0, 16, TS_HWERR_ADDR_RANGE, 1);
}

/* desc.h has no limit on LOAD rows / rows2 but the scratchpad: 32-bit counts. */
static void test_err_load_row_counts(void **state)
{
	(void)state;
	uint8_t mem[4096] = { 0 };
	put_desc(mem, 0, LOAD_A(0x10001, 2, 0x20002)); /* bytes match; 65537 words > 32 */
	put_desc(mem, 1, FENCE);
	expect_error(mem, 0, 16, TS_HWERR_SPAD_RANGE, 0);
	/* row counts beyond the scratchpad fail SPAD_RANGE before the byte count is
	 * compared (desc.h), whether or not it matches modulo 2^32 */
	put_desc(mem, 0, LOAD_A(0x80000001u, 2, 2)); /* 2 * rows wraps to 2 in 32 bits */
	expect_error(mem, 0, 16, TS_HWERR_SPAD_RANGE, 0);
	put_desc(mem, 0, LOAD(0, SIM_BASE + 1024, 0, 1, 2, 2), F(LOAD_ROW_ELEMS2, 2),
		 F(LOAD_ROWS2, 0x80000000u)); /* 2 + rows2 * 2 = 2^32 + 2: 2 only modulo 2^32 */
	expect_error(mem, 0, 16, TS_HWERR_SPAD_RANGE, 0);
	put_desc(mem, 0, LOAD(0, SIM_BASE + 1024, 0, 1, 2, 3), F(LOAD_ROW_ELEMS2, 2),
		 F(LOAD_ROWS2, 31)); /* 32 words fit: 2 + 31 * 2 = 64 bytes, not 3 */
	expect_error(mem, 0, 16, TS_HWERR_BYTES_MISMATCH, 0);
	/* a fetch outside the window: the failing descriptor's fetch is not counted */
	uint8_t *big = calloc(1, SIM_SIZE);
	assert_non_null(big);
	put_desc(big, SIM_SIZE / TS_DESC_BYTES - 1, LOAD_A(2, 2, 4));
	assert_int_equal(run_both(CFG_2X2_INT8_WS, big, SIM_SIZE - TS_DESC_BYTES, 16,
				  TS_HWERR_ADDR_RANGE, 1), 4 + 19 + 13 + 1);
	free(big);
}

/* desc.h LOAD: word elements >= row_elems are zero, including the padding bits
 * of a partial last byte; WS COMPUTE writes all C columns. Hand-computed
 * outputs, and the same memory as descsim. */
static void test_load_zero_pad(void **state)
{
	(void)state;
	uint8_t *big = calloc(1, SIM_SIZE);
	assert_non_null(big);
	/* 2x2 int8 WS: A word 0 = {5, 7}, then reloaded with one element {3}; W
	 * rows {1, 2} and {4, 8} (row 1 reloaded with one element {4}); out = A . W
	 * with scale 1: column 0 = 3*1 + 0*4 = 3, column 1 = 3*2 + 0*0 = 6 (stale
	 * data would give 3 + 28 and 6 + 56). COMPUTE nt = 1: column 1 is written
	 * all the same. */
	const uint32_t data = (uint32_t)SIM_BASE + 1024, out = (uint32_t)SIM_BASE + 2048;
	const uint32_t ident = (uint32_t)SIM_BASE + 3072; /* 8 identity records */
	static const uint8_t bytes[] = { 5, 7, 3, 1, 2, 4, 8, 4 };
	memcpy(big + 1024, bytes, sizeof bytes);
	for (int i = 0; i < 8; i++)
		put_qrec(big + 3072 + 12 * i, 0, 1u << 30, 30);
	size_t k = 0;
	put_desc(big, k++, LOAD(0, data, 0, 1, 2, 2));                /* A0 = 5 7 */
	put_desc(big, k++, LOAD(0, data + 2, 0, 1, 1, 1));            /* A0 = 3 (0) */
	put_desc(big, k++, LOAD(TS_LOAD_TO_W, data + 3, 0, 2, 2, 4)); /* W0, W1 */
	put_desc(big, k++, LOAD(TS_LOAD_TO_W, data + 7, 1, 1, 1, 1)); /* W1 = 4 (0) */
	put_desc(big, k++, COMPUTE(TS_COMP_ACC_FIRST, 1, 2, 1));
	put_desc(big, k++, QLOAD(ident, 0, 2));
	put_desc(big, k++, STORE(out, 1, 2));
	put_desc(big, k++, FENCE);
	run_both(CFG_2X2_INT8_WS, big, 0, 16, TS_HWERR_NONE, 0);
	assert_int_equal(big[2048], 3);
	assert_int_equal(big[2049], 6);

	/* 8x8 int4 WS: a row of 3 elements from bytes 0x21 0xF3: element 2 = 3 and
	 * the high nibble (element 3) is padding, i.e. 0, not -1. Weights: rows
	 * 0..3 = 1 in column 0. out col 0 = 1 + 2 + 3 + 0 = 6 (-1 unmasked: 5). */
	memset(big, 0, SIM_SIZE);
	static const uint8_t b4[] = { 0x21, 0xF3, 0x01, 0x01, 0x01, 0x01 };
	memcpy(big + 1024, b4, sizeof b4);
	for (int i = 0; i < 8; i++)
		put_qrec(big + 3072 + 12 * i, 0, 1u << 30, 30);
	k = 0;
	put_desc(big, k++, LOAD(0, data, 0, 1, 3, 2));
	put_desc(big, k++, LOAD(TS_LOAD_TO_W, data + 2, 0, 4, 1, 4));
	put_desc(big, k++, COMPUTE(TS_COMP_ACC_FIRST, 1, 4, 1));
	put_desc(big, k++, QLOAD(ident, 0, 2));
	put_desc(big, k++, STORE_CLAMP(out, 1, 2, -8, 7));
	put_desc(big, k++, FENCE);
	run_both(CFG_8X8_INT4_WS, big, 0, 16, TS_HWERR_NONE, 0);
	assert_int_equal(big[2048] & 0xF, 6);
	free(big);
}

/* desc.h STORE with the LOAD_TO_Q table, by hand on both devices: column j uses entry j;
 * entries keep their value until overwritten (a LOAD_TO_Q at word 1 leaves entry 0);
 * mult bit 31 and shift bits 7:6 are ignored; shift 0 and 63; clamp and int16 zero point.
 * 2x2 int8 WS, A = {3, 0}, W rows {1, 2}, {4, 8}: accumulators (3, 6). */
static void store_table(int ci)
{
	uint8_t *big = calloc(1, SIM_SIZE);
	assert_non_null(big);
	const uint32_t data = (uint32_t)SIM_BASE + 1024, out = (uint32_t)SIM_BASE + 2048;
	const uint32_t recs = (uint32_t)SIM_BASE + 3072;
	static const uint8_t bytes[] = { 3, 0, 1, 2, 4, 8 };
	memcpy(big + 1024, bytes, sizeof bytes);
	/* entry 0: bias 7, scale 1/2 (shift 31 + 0x40: bits 7:6 ignored): (10 * 2^30 + 2^30) >> 31 = 5
	 * entry 1: bias -20, mult 0xffffffff -> 2^31 - 1, shift 0: -14 * (2^31 - 1), clamps to lo
	 * then entry 1 again: bias 2^31 - 1 (+ 6 passes int32: exact), mult 1, shift 63: 0 */
	put_qrec(big + 3072, 7, 1u << 30, 31 | 0x40);
	put_qrec(big + 3072 + 12, -20, 0xffffffffu, 0);
	put_qrec(big + 3072 + 24, INT32_MAX, 1, 63);
	size_t k = 0;
	put_desc(big, k++, LOAD(0, data, 0, 1, 2, 2));
	put_desc(big, k++, LOAD(TS_LOAD_TO_W, data + 2, 0, 2, 2, 4));
	put_desc(big, k++, COMPUTE(TS_COMP_ACC_FIRST, 1, 2, 2));
	put_desc(big, k++, QLOAD(recs, 0, 2));
	put_desc(big, k++, STORE_CLAMP(out, 1, 2, -10, 100), F(STORE_ZP, (uint16_t)-3));
	put_desc(big, k++, QLOAD(recs + 24, 1, 1));
	put_desc(big, k++, STORE_CLAMP(out + 2, 1, 2, -128, 127), F(STORE_ZP, (uint16_t)-3));
	put_desc(big, k++, STORE_CLAMP(out + 4, 1, 2, -128, 127), F(STORE_ZP, 1000)); /* clamps to 127 */
	put_desc(big, k++, FENCE);
	run_both(ci, big, 0, 16, TS_HWERR_NONE, 0);
	assert_int_equal((int8_t)big[2048], 5 - 3);
	assert_int_equal((int8_t)big[2049], -10);
	assert_int_equal((int8_t)big[2050], 5 - 3);
	assert_int_equal((int8_t)big[2051], 0 - 3);
	assert_int_equal((int8_t)big[2052], 127);
	assert_int_equal((int8_t)big[2053], 127);
	free(big);
}

/* The requantizer's edges, random: every STORE of an accumulator pair (A = 2 random
 * int8, W = 2x2 random int8, plus random biases up to +-2^31) through records with a
 * random multiplier of random magnitude and a shift 0..63 (mostly near the product's
 * size, where the result crosses the int16 range), a random zero point and clamp
 * range: the RTL's narrow round/shift/clamp (ts_requant.v) against descsim's. */
static void test_store_table(void **state)
{
	(void)state;
	store_table(CFG_2X2_INT8_WS);
}

/* The same STOREs through the serial requantizer (M = 8): outputs and cycles. */
static void test_store_table_rq8(void **state)
{
	(void)state;
	store_table(CFG_2X2_INT8_WS_RQ8);
}

static void store_requant_random(int ci)
{
	uint8_t *big = calloc(1, SIM_SIZE);
	assert_non_null(big);
	/* the list at 0 (244 descriptors), data at 64 KiB, records at 80 KiB, outputs at 96 KiB */
	const uint32_t data = (uint32_t)SIM_BASE + 65536, out = (uint32_t)SIM_BASE + 98304;
	const uint32_t recs = (uint32_t)SIM_BASE + 81920;
	enum { STORES = 120 };
	for (int round = 0; round < 3; round++) {
		memset(big, 0, SIM_SIZE);
		for (int i = 0; i < 6; i++)
			big[65536 + i] = (uint8_t)rng_next();
		size_t k = 0;
		put_desc(big, k++, LOAD(0, data, 0, 1, 2, 2));
		put_desc(big, k++, LOAD(TS_LOAD_TO_W, data + 2, 0, 2, 2, 4));
		put_desc(big, k++, COMPUTE(TS_COMP_ACC_FIRST, 1, 2, 2));
		for (int t = 0; t < STORES; t++) {
			for (int c = 0; c < 2; c++) {
				int mag = (int)rng_range(0, 31);
				uint32_t mult = mag ? (uint32_t)(rng_next() >> (64 - mag)) | 1u << (mag - 1) : 0;
				int bmag = (int)rng_range(0, 32);
				int64_t bias = bmag ? (int64_t)(rng_next() >> (64 - bmag)) - ((int64_t)1 << (bmag - 1)) : 0;
				uint8_t shift = (uint8_t)(rng_next() & 1 ? rng_range(mag + bmag - 20, mag + bmag + 4)
									 : rng_range(0, 63));
				shift &= 63;
				if (rng_next() % 8 == 0)
					shift = (uint8_t)(rng_next() % 2 ? 0 : 63);
				put_qrec(big + 81920 + 24 * t + 12 * c, (int32_t)bias, mult, shift);
			}
			int lo = (int)rng_range(-128, 127), hi = (int)rng_range(-128, 127);
			if (lo > hi) {
				int x = lo;
				lo = hi;
				hi = x;
			}
			put_desc(big, k++, QLOAD(recs + 24 * (uint32_t)t, 0, 2));
			put_desc(big, k++, STORE_CLAMP(out + 2 * (uint32_t)t, 1, 2, lo, hi),
				 F(STORE_ZP, (uint16_t)rng_range(-32768, 32767)));
		}
		put_desc(big, k++, FENCE);
		run_both(ci, big, 0, (uint32_t)k, TS_HWERR_NONE, 0);
	}
	free(big);
}

static void test_store_requant_random(void **state)
{
	(void)state;
	store_requant_random(CFG_2X2_INT8_WS);
}

/* The serial multiply (ts_requant.v, M = 8) on the same random edges. */
static void test_store_requant_random_rq8(void **state)
{
	(void)state;
	store_requant_random(CFG_2X2_INT8_WS_RQ8);
}

int main(void)
{
	g_seed = ts_test_seed("test_cosim");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worked_example),
		cmocka_unit_test(test_worked_example_os),
		cmocka_unit_test(test_regs),
		cmocka_unit_test(test_err_bad_opcode),
		cmocka_unit_test(test_err_zero_length),
		cmocka_unit_test(test_err_addr_range),
		cmocka_unit_test(test_err_ranges),
		cmocka_unit_test(test_err_no_fence),
		cmocka_unit_test(test_err_store_fields),
		cmocka_unit_test(test_err_load_q),
		cmocka_unit_test(test_err_load_row_counts),
		cmocka_unit_test(test_load_zero_pad),
		cmocka_unit_test(test_store_table),
		cmocka_unit_test(test_store_requant_random),
		cmocka_unit_test(test_store_table_rq8),
		cmocka_unit_test(test_store_requant_random_rq8),
		cmocka_unit_test(test_worked_example_rq8),
		cmocka_unit_test(test_random_2x2_int8_ws),
		cmocka_unit_test(test_random_4x4_int16_os),
		cmocka_unit_test(test_random_8x8_int4_ws),
		cmocka_unit_test(test_random_3x5_lightpe1_os),
		cmocka_unit_test(test_random_4x8_lightpe2_ws),
		cmocka_unit_test(test_random_5x3_binary_os),
		cmocka_unit_test(test_random_3x5_int4_ws_b3),
		cmocka_unit_test(test_random_2x2_int8_ws_rq8),
		cmocka_unit_test(test_random_4x4_int4_ws_rq8),
		cmocka_unit_test(test_random_3x4_int16_os_rq32),
		cmocka_unit_test(test_random_4x2_binary_ws_rq2),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	fprintf(stderr, "test_cosim: %llu random layers, %llu outputs checked (seed %llu)\n",
		(unsigned long long)g_layers, (unsigned long long)g_checked, (unsigned long long)g_seed);
	for (int i = 0; i < CFG_COUNT; i++) {
		tsd_close(sims[i]);
		tsd_close(refs[i]);
	}
	return rc;
}
