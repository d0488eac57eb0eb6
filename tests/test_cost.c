/* test_cost.c — the cost model: hand-derived cases, the closed forms against
 * the literal walk of the descriptor stream (ts_cost_walk) on random layers
 * and configs, monotonicity, resources (against the committed synthesis
 * points of tests/data/resources/synth.json) and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <jansson.h>

#include "test_seed.h"

#include "tessera/cost.h"
#include "tessera/runtime.h"
#include "tessera/hwcfg.h"
#include "tessera/util.h"
#include "tessera/workload.h"
#include "util/bits.h"

static unsigned seed;

/* 2x2 int8 array, 4 B/cycle DRAM with 10 cycles latency, 32-word scratchpads. */
static void small_cfg(ts_hwcfg *c, ts_dataflow df)
{
	ts_hwcfg_default(c);
	c->rows = 2;
	c->cols = 2;
	c->dataflow = df;
	c->pe = TS_PE_INT8;
	c->acc_bits = 32;
	c->spad_input_bytes = 64;  /* 32 words of 2 int8 */
	c->spad_weight_bytes = 64; /* 32 words of 2 int8 */
	c->spad_acc_bytes = 256;   /* 32 words of 2 x 32 bit */
	c->dram_bytes_per_cycle = 4;
	c->dram_latency = 10;
	c->sparse_formats = 0;
}

/* Derivation in docs/timing.md §8 (worked example 1). */
static void test_ws_hand(void **state)
{
	(void)state;
	ts_hwcfg c;
	small_cfg(&c, TS_DF_WS);
	ts_layer l = ts_layer_gemm("g", 1, 3, 3, 3);
	ts_cost o;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_cost_layer(&c, &l, &o, &d), TS_OK);
	assert_int_equal(o.compute_cycles, 38);
	assert_int_equal(o.dma_cycles, 133);
	assert_int_equal(o.descriptors, 14);
	assert_int_equal(o.ctrl_cycles, 271);
	assert_int_equal(o.cycles, 442);
	assert_int_equal(o.macs, 27);
	/* A, W, the requantization records (2 + 1), the descriptors */
	assert_int_equal(o.dram_read_bytes, 9 + 9 + 3 * 12 + 14 * 32);
	assert_int_equal(o.dram_write_bytes, 9);
	ts_tiling t;
	assert_int_equal(ts_tiling_plan(&c, &l, &t, &d), TS_OK);
	assert_true(t.a_resident);
	assert_int_equal(t.m_tile, 3);
	assert_int_equal(t.group_pack, 1);
}

/* The worked examples with a serial requantizer of 8 cycles per element (docs/timing.md
 * §8): every STORE beat takes 8 cycles instead of 1, nothing else changes. */
static void test_hand_serial_requant(void **state)
{
	(void)state;
	ts_hwcfg c;
	ts_cost o;
	ts_diag d = { { 0 } };
	ts_layer l = ts_layer_gemm("g", 1, 3, 3, 3);
	small_cfg(&c, TS_DF_WS);
	c.requant_cycles = 8;
	assert_int_equal(ts_cost_layer(&c, &l, &o, &d), TS_OK);
	/* WS: STOREs of 6 B (2 beats) and 3 B (1 beat): 133 + 7 * 3 */
	assert_int_equal(o.dma_cycles, 154);
	assert_int_equal(o.compute_cycles, 38);
	assert_int_equal(o.descriptors, 14);
	assert_int_equal(o.cycles, 463);
	uint64_t walk, descs;
	assert_int_equal(ts_cost_walk(&c, &l, &walk, &descs, NULL), TS_OK);
	assert_int_equal(walk, 463);
	/* OS: four STOREs of 4, 2, 2, 1 B, one beat each: 211 + 7 * 4 */
	small_cfg(&c, TS_DF_OS);
	c.requant_cycles = 8;
	assert_int_equal(ts_cost_layer(&c, &l, &o, &d), TS_OK);
	assert_int_equal(o.dma_cycles, 239);
	assert_int_equal(o.cycles, 645);
	assert_int_equal(ts_cost_walk(&c, &l, &walk, &descs, NULL), TS_OK);
	assert_int_equal(walk, 645);
	/* M = 32, a 1-byte port: the WS STOREs are 6 and 3 beats of 32 cycles */
	small_cfg(&c, TS_DF_WS);
	c.dram_bytes_per_cycle = 1;
	ts_cost one;
	assert_int_equal(ts_cost_layer(&c, &l, &one, &d), TS_OK);
	c.requant_cycles = 32;
	assert_int_equal(ts_cost_layer(&c, &l, &o, &d), TS_OK);
	assert_int_equal(o.cycles - one.cycles, 31 * (6 + 3));
	assert_int_equal(ts_cost_walk(&c, &l, &walk, &descs, NULL), TS_OK);
	assert_int_equal(walk, o.cycles);
}

/* Derivation in docs/timing.md §8 (worked example 2). */
static void test_os_hand(void **state)
{
	(void)state;
	ts_hwcfg c;
	small_cfg(&c, TS_DF_OS);
	ts_layer l = ts_layer_gemm("g", 1, 3, 3, 3);
	ts_cost o;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_cost_layer(&c, &l, &o, &d), TS_OK);
	assert_int_equal(o.compute_cycles, 40);
	assert_int_equal(o.dma_cycles, 211);
	assert_int_equal(o.descriptors, 19);
	assert_int_equal(o.ctrl_cycles, 366);
	assert_int_equal(o.cycles, 617);
	ts_tiling t;
	assert_int_equal(ts_tiling_plan(&c, &l, &t, &d), TS_OK);
	assert_true(t.w_resident);
	assert_int_equal(t.k_tile, 3);
}

static uint32_t rnd(uint32_t lo, uint32_t hi)
{
	return lo + (uint32_t)(rand() % (int)(hi - lo + 1));
}

static void random_cfg(ts_hwcfg *c)
{
	ts_hwcfg_default(c);
	c->rows = rnd(1, 12);
	c->cols = rnd(1, 12);
	c->dataflow = rand() % 2 ? TS_DF_WS : TS_DF_OS;
	c->pe = (ts_pe_type)rnd(0, TS_PE_COUNT - 1);
	c->acc_bits = 32;
	uint32_t wb = ts_pe_wbits(c->pe), ab = ts_pe_abits(c->pe);
	c->spad_input_bytes = c->rows * (uint32_t)ts_nbytes(c->rows, ab) * rnd(1, 40);
	c->spad_weight_bytes = c->rows * (uint32_t)ts_nbytes(c->cols, wb) * rnd(1, 40);
	c->spad_acc_bytes = c->rows * c->cols * 4 * rnd(1, 40);
	c->dram_bytes_per_cycle = rnd(1, 64);
	c->dram_latency = rnd(0, 100);
	/* the serial requantizer in a third of the configs: 2 .. 32 cycles per element */
	c->requant_cycles = rand() % 3 ? 1 : 1u << rnd(1, 5);
	c->sparse_formats = 0;
}

static ts_layer random_layer(void)
{
	switch (rand() % 4) {
	case 0:
		return ts_layer_gemm("g", rnd(1, 3), rnd(1, 70), rnd(1, 70), rnd(1, 70));
	case 1: {
		uint32_t c = rnd(1, 16), r = rnd(1, 5);
		return ts_layer_conv("conv", rnd(1, 40), c, rnd(r, 20), rnd(r, 20), r, r, rnd(1, 2), rnd(0, 2), 1);
	}
	case 2: {
		uint32_t c = rnd(1, 40), r = rnd(1, 3) * 2 + 1;
		return ts_layer_conv("dw", c, c, rnd(r, 20), rnd(r, 20), r, r, rnd(1, 2), r / 2, c);
	}
	default: {
		uint32_t g = rnd(2, 4);
		return ts_layer_conv("gconv", g * rnd(1, 8), g * rnd(1, 8), rnd(3, 14), rnd(3, 14), 3, 3, 1, 1, g);
	}
	}
}

static void test_walk_matches_closed_form(void **state)
{
	(void)state;
	srand(seed);
	for (int i = 0; i < 3000; i++) {
		ts_hwcfg c;
		random_cfg(&c);
		ts_layer l = random_layer();
		ts_cost o;
		ts_diag d = { { 0 } };
		ts_status st = ts_cost_layer(&c, &l, &o, &d);
		if (st != TS_OK) {
			print_error("seed %u case %d: %s\n", seed, i, d.msg);
			fail();
		}
		uint64_t descs, want;
		assert_int_equal(ts_cost_walk(&c, &l, &want, &descs, NULL), TS_OK);
		if (want != o.cycles || descs != o.descriptors) {
			print_error("seed %u case %d: %s %ux%u %s %s, layer %s K%u C%u Y%u X%u R%u g%u: "
				    "closed form %llu cycles / %llu descriptors, walk %llu / %llu\n",
				    seed, i, ts_dataflow_name(c.dataflow), c.rows, c.cols, ts_pe_type_name(c.pe),
				    c.name, l.name, l.k, l.c, l.y, l.x, l.r, l.groups, (unsigned long long)o.cycles,
				    (unsigned long long)o.descriptors, (unsigned long long)want,
				    (unsigned long long)descs);
			fail();
		}
		/* The array cannot do more than rows x cols MACs a cycle. */
		assert_true(o.compute_cycles * c.rows * c.cols >= o.macs);
		assert_true(o.utilization > 0 && o.utilization <= 1.0);
	}
}

static void test_monotone(void **state)
{
	(void)state;
	srand(seed + 1);
	for (int i = 0; i < 500; i++) {
		ts_hwcfg c;
		random_cfg(&c);
		ts_layer l = random_layer();
		ts_cost base, o;
		assert_int_equal(ts_cost_layer(&c, &l, &base, NULL), TS_OK);
		/* More DRAM bandwidth or less latency never costs cycles. */
		ts_hwcfg c2 = c;
		c2.dram_bytes_per_cycle *= 2;
		assert_int_equal(ts_cost_layer(&c2, &l, &o, NULL), TS_OK);
		assert_true(o.cycles <= base.cycles);
		c2 = c;
		c2.dram_latency += 5;
		assert_int_equal(ts_cost_layer(&c2, &l, &o, NULL), TS_OK);
		assert_true(o.cycles > base.cycles);
		/* A slower requantizer costs cycles: every plan has STOREs. */
		if (c.requant_cycles < 32) {
			c2 = c;
			c2.requant_cycles *= 2;
			assert_int_equal(ts_cost_layer(&c2, &l, &o, NULL), TS_OK);
			assert_true(o.cycles > base.cycles);
		}
		/* More output channels never make a layer cheaper. (Grouped layers
		 * are excluded: the planner tries only a few group packings, so a
		 * larger layer can pack better than a smaller one.) */
		ts_layer l2 = l;
		l2.k += l2.groups;
		if (l.groups == 1 && ts_layer_validate(&l2, NULL) == TS_OK) {
			assert_int_equal(ts_cost_layer(&c, &l2, &o, NULL), TS_OK);
			if (o.cycles < base.cycles)
				print_error("seed %u case %d: %s %ux%u %s, layer %s K%u C%u Y%u X%u R%u g%u: "
					    "%llu cycles, with K + groups %llu\n", seed + 1, i,
					    ts_dataflow_name(c.dataflow), c.rows, c.cols, ts_pe_type_name(c.pe), l.name,
					    l.k, l.c, l.y, l.x, l.r, l.groups, (unsigned long long)base.cycles,
					    (unsigned long long)o.cycles);
			assert_true(o.cycles >= base.cycles);
			/* More MACs always cost more compute energy. (Not total energy:
			 * the planner minimizes cycles, and a larger layer may pick a plan
			 * that moves fewer bytes.) */
			assert_true(o.energy_pj[TS_E_MAC] > base.energy_pj[TS_E_MAC]);
		}
		/* A higher clock: same cycles, shorter latency. */
		c2 = c;
		c2.clock_mhz *= 2;
		assert_int_equal(ts_cost_layer(&c2, &l, &o, NULL), TS_OK);
		assert_int_equal(o.cycles, base.cycles);
		assert_true(o.latency_s < base.latency_s);
	}
}

static void test_energy_parts(void **state)
{
	(void)state;
	ts_hwcfg c;
	ts_hwcfg_default(&c);
	ts_layer l = ts_layer_conv("conv", 64, 64, 56, 56, 3, 3, 1, 1, 1);
	ts_cost o;
	assert_int_equal(ts_cost_layer(&c, &l, &o, NULL), TS_OK);
	double sum = 0;
	for (int i = 0; i < TS_E_COUNT; i++) {
		assert_true(o.energy_pj[i] >= 0);
		sum += o.energy_pj[i];
	}
	assert_float_equal(sum, o.energy_total_pj, 1e-6 * sum);
	/* MAC energy of int8 at 32-bit accumulation: 0.2 pJ mult + 0.1 pJ add. */
	assert_float_equal(o.energy_pj[TS_E_MAC], (double)o.macs * 0.3, 1e-9 * o.energy_pj[TS_E_MAC]);
	/* DRAM: 160 pJ per byte moved. */
	assert_float_equal(o.energy_pj[TS_E_DRAM], 160.0 * (double)(o.dram_read_bytes + o.dram_write_bytes), 1.0);
	/* LightPE and binary PEs spend less on compute than int16 (QUIDAM). */
	ts_cost e16, e_l1, e_bin;
	c.pe = TS_PE_INT16;
	assert_int_equal(ts_cost_layer(&c, &l, &e16, NULL), TS_OK);
	c.pe = TS_PE_LIGHTPE1;
	assert_int_equal(ts_cost_layer(&c, &l, &e_l1, NULL), TS_OK);
	c.pe = TS_PE_BINARY;
	assert_int_equal(ts_cost_layer(&c, &l, &e_bin, NULL), TS_OK);
	assert_true(e16.energy_pj[TS_E_MAC] > 4 * e_l1.energy_pj[TS_E_MAC]);
	assert_true(e_l1.energy_pj[TS_E_MAC] > e_bin.energy_pj[TS_E_MAC]);
	/* int16 moves twice the activation and weight bytes of int8. */
	assert_true(e16.dram_read_bytes > e_l1.dram_read_bytes);
}

static void test_group_packing(void **state)
{
	(void)state;
	/* A 3x3 depthwise layer on a 32x32 WS array packs 3 channels per pass
	 * (27 <= 32 rows) and is faster than one channel per pass. */
	ts_hwcfg c;
	ts_hwcfg_default(&c);
	c.rows = 32;
	c.cols = 32;
	c.spad_weight_bytes = 32 * 32 * 4;
	c.spad_acc_bytes = 32 * 32 * 4 * 8;
	c.spad_input_bytes = 32 * 32 * 16;
	ts_layer l = ts_layer_conv("dw", 96, 96, 56, 56, 3, 3, 1, 1, 96);
	ts_tiling t;
	assert_int_equal(ts_tiling_plan(&c, &l, &t, NULL), TS_OK);
	assert_int_equal(t.group_pack, 3);
	assert_int_equal(t.packed_groups, 32);
	assert_int_equal(t.kr, 27);
	assert_int_equal(t.n, 3);
}

static void test_cannot_hold_tile(void **state)
{
	(void)state;
	ts_hwcfg c;
	small_cfg(&c, TS_DF_WS);
	c.spad_weight_bytes = 3; /* 1 word of 2 int8 < rows */
	ts_layer l = ts_layer_gemm("g", 1, 8, 8, 8);
	ts_cost o;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_cost_layer(&c, &l, &o, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "cannot hold one 2x2 tile"));
	/* An invalid layer is bad input too. */
	ts_layer bad = ts_layer_gemm("zero", 1, 0, 8, 8);
	ts_diag d2 = { { 0 } };
	assert_int_equal(ts_cost_layer(&c, &bad, &o, &d2), TS_ERR_INPUT);
	assert_non_null(strstr(d2.msg, "zero"));
}

static void test_resources_fit(void **state)
{
	(void)state;
	ts_hwcfg c;
	ts_resources r;
	char why[160];
	/* tiny-ice40's core alone on the UP5K: 6,501 SB_LUT4 of its 5,280 (synth_ice40 -dsp,
	 * tests/data/resources/synth.json), 16 SB_MAC16: 8 PEs, and 2 requantizer lanes
	 * of 4 (33 x 32 bits in 16 x 16 slices). (Its own board is the ULX3S.) */
	assert_int_equal(ts_hwcfg_resolve("tiny-ice40", &c, NULL), TS_OK);
	ts_strlcpy(c.board, "icebreaker", sizeof c.board);
	ts_resources_estimate(&c, &r);
	assert_false(ts_resources_fit(&r, ts_board_find("icebreaker"), why, sizeof why));
	assert_non_null(strstr(why, "LUT: needs"));
	assert_non_null(strstr(why, "board top"));
	assert_int_equal(r.dsp, 8 + 2 * 4);
	assert_int_equal(r.bram, 28);
	/* The board top is part of what must fit: its overhead is measured, and a
	 * board without one adds nothing. */
	ts_res_delta top;
	ts_resources_board_top(ts_board_find("icebreaker"), &top);
	assert_true(top.lut > 0);
	assert_int_equal(top.uram, 4); /* the board memory: the UP5K's four SPRAMs */
	ts_resources_board_top(ts_board_find("pynq-z2"), &top);
	assert_int_equal(top.lut, 0);
	assert_int_equal(top.bram, 0);
	/* edge: one DSP48E1 per int8 PE and 4 per requantizer lane (33 x 32 signed in
	 * 25 x 18 slices, signed only): 192 + 8 x 4 = 224 of the PYNQ-Z2's 220, and
	 * the 8 lanes' accumulator bank multiplexers (ts_acc) are beyond its LUTs */
	assert_int_equal(ts_hwcfg_resolve("edge", &c, NULL), TS_OK);
	ts_strlcpy(c.board, "pynq-z2", sizeof c.board); /* edge's board is the ZCU104 for that */
	ts_resources parts[TS_RM_COUNT];
	ts_resources_modules(&c, parts);
	assert_int_equal(parts[TS_RM_PE].dsp, 12 * 16);
	assert_int_equal(parts[TS_RM_REQUANT].dsp, 8 * 4);
	ts_resources_estimate(&c, &r);
	assert_true(r.dsp >= 224);
	assert_false(ts_resources_fit(&r, ts_board_find("pynq-z2"), why, sizeof why));
	assert_non_null(strstr(why, ": needs"));
	/* ... with a 2-byte port (2 lanes) it fits */
	c.dram_bytes_per_cycle = 2;
	ts_resources_estimate(&c, &r);
	assert_true(ts_resources_fit(&r, ts_board_find("pynq-z2"), why, sizeof why));
	assert_string_equal(why, "");
	/* The cloud design does not fit a PYNQ-Z2, and the reason names the resource. */
	assert_int_equal(ts_hwcfg_resolve("cloud", &c, NULL), TS_OK);
	ts_resources_estimate(&c, &r);
	assert_false(ts_resources_fit(&r, ts_board_find("pynq-z2"), why, sizeof why));
	assert_non_null(strstr(why, "pynq-z2"));
	/* Area grows with the array; LightPE is smaller than int16. */
	ts_hwcfg a;
	ts_hwcfg_default(&a);
	ts_resources r1, r2;
	a.pe = TS_PE_INT16;
	a.acc_bits = 32;
	ts_resources_estimate(&a, &r1);
	a.pe = TS_PE_LIGHTPE2;
	ts_resources_estimate(&a, &r2);
	assert_true(r1.asic_area_mm2 > r2.asic_area_mm2);
	assert_true(r1.lut > r2.lut || r1.dsp > r2.dsp);
}

/* The board each synthesis flow of tests/data/resources/synth.json stands for. */
static const char *flow_board(const char *flow)
{
	static const char *const map[][2] = {
		{ "ice40", "icebreaker" }, { "ice40-nodsp", "hx8k" }, { "ecp5", "ulx3s" },
		{ "xc7", "pynq-z2" }, { "xcup", "zcu102" },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(flow, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* |model - synthesis| / synthesis allowed for LUT and FF per flow. The goal
 * (issue 16) is 10 %; the flows the model does not reach it on yet have the
 * bound it reaches, so that it cannot get worse unnoticed (docs/resources.md). */
static void lut_ff_tolerance(const char *flow, double *lut, double *ff)
{
	static const struct {
		const char *flow;
		double lut, ff;
	} tol[] = {
		/* worst today: iCE40 LUT 10.2 % (held-out a3x5-int8-ws: its 3-byte port's
		 * walk divides by 3, which no fitted config does) */
		{ "ice40", 0.12, 0.10 },
	};
	*lut = *ff = 0.10;
	for (size_t i = 0; i < sizeof tol / sizeof tol[0]; i++)
		if (strcmp(flow, tol[i].flow) == 0) {
			*lut = tol[i].lut;
			*ff = tol[i].ff;
		}
}

/* DSP cells yosys merged in a flattened design, which the model (and the
 * hierarchical synthesis) counts: there the model may be above synthesis by
 * this many, never below. iCE40 a2x8-int16-ws: 21 SB_MAC16 flattened, 24 with
 * -noflatten (16 PEs + 2 lanes x 4); its two requantizer lanes read the same
 * column for 16-bit outputs (docs/resources.md). */
static int dsp_merged(const char *cfg, const char *flow)
{
	return strcmp(cfg, "a2x8-int16-ws") == 0 && strcmp(flow, "ice40") == 0 ? 3 : 0;
}

/* A committed JSON data file, or the test fails naming the line. */
static json_t *load_json(const char *path)
{
	json_error_t je;
	json_t *root = json_load_file(path, 0, &je);
	if (!root)
		fail_msg("%s:%d: %s", path, je.line, je.text);
	return root;
}

/* The model against every flattened synthesis point committed in
 * tests/data/resources/synth.json (scripts/bench_resources.sh): DSP and block
 * RAM exact, LUT and FF within 10 % (issue 16's goal) or the bound of
 * lut_ff_tolerance. A model change that breaks the fit fails here; make
 * bench-resources prints the whole table. */
static void test_resources_synth(void **state)
{
	(void)state;
	const char *path = "tests/data/resources/synth.json";
	json_t *root = load_json(path);
	json_t *pts = json_object_get(root, "points"), *p;
	size_t i;
	int checked = 0, bad = 0;
	json_array_foreach(pts, i, p) {
		const char *cfg = json_string_value(json_object_get(p, "config"));
		const char *flow = json_string_value(json_object_get(p, "flow"));
		const char *board = flow ? flow_board(flow) : NULL;
		if (!cfg || !board)
			continue; /* per-module and board-top points */
		char *txt = json_dumps(json_object_get(p, "hwcfg"), 0);
		ts_hwcfg c;
		assert_non_null(txt);
		assert_int_equal(ts_hwcfg_parse(txt, strlen(txt), path, &c, NULL), TS_OK);
		free(txt);
		snprintf(c.board, sizeof c.board, "%s", board);
		ts_resources r;
		ts_resources_estimate(&c, &r);
		json_t *n = json_object_get(p, "counts");
		double tl, tf;
		lut_ff_tolerance(flow, &tl, &tf);
		const struct {
			const char *what;
			uint32_t model;
			double tol;
		} res[] = { { "lut", r.lut, tl }, { "ff", r.ff, tf }, { "dsp", r.dsp, 0 }, { "bram", r.bram, 0 } };
		for (size_t k = 0; k < sizeof res / sizeof res[0]; k++) {
			double syn = (double)json_integer_value(json_object_get(n, res[k].what));
			double err = res[k].model - syn;
			if (k == 2 && err > 0 && err <= dsp_merged(cfg, flow))
				continue;
			if (err < -res[k].tol * syn || err > res[k].tol * syn) {
				print_error("%s on %s (%s): %s model %u, synthesis %.0f\n", cfg, flow, board,
					    res[k].what, res[k].model, syn);
				bad++;
			}
		}
		checked++;
	}
	json_decref(root);
	assert_true(checked >= 30);
	assert_int_equal(bad, 0);
}

/* The requantizer lane's multipliers: one int8 lane (a 1x1 int8 array with a
 * 1-byte port has one) against the lane synthesized alone per flow and
 * requant.cycles (tests/data/resources/modules.json, MODULES=1): the one-cycle
 * lane's 33 x 32 product, the serial lane's 33 x (32 / M + 1) digit product
 * (M = 2, 4), and none for M >= 8, whose digits are AND-and-add rows. */
static void test_resources_lane_dsp(void **state)
{
	(void)state;
	const char *path = "tests/data/resources/modules.json";
	json_t *root = load_json(path);
	static const char *const dsp_cells[] = { "SB_MAC16", "MULT18X18D", "DSP48E1", "DSP48E2" };
	int checked = 0;
	for (uint32_t m = 1; m <= 32; m *= 2) {
		for (const char *const *fl = (const char *const[]){ "ice40", "ice40-nodsp", "ecp5", "xc7", "xcup", NULL };
		     *fl; fl++) {
			char key[96];
			if (m == 1)
				snprintf(key, sizeof key, "%s|rqw|ACC_BITS=32,OB=8", *fl);
			else
				snprintf(key, sizeof key, "%s|rqw|ACC_BITS=32,OB=8,RQC=%u", *fl, m);
			json_t *cells = json_object_get(json_object_get(root, key), "cells");
			if (!cells)
				fail_msg("%s: no entry %s", path, key);
			json_int_t dsp = 0;
			for (size_t i = 0; i < sizeof dsp_cells / sizeof dsp_cells[0]; i++)
				dsp += json_integer_value(json_object_get(cells, dsp_cells[i]));
			ts_hwcfg c;
			ts_hwcfg_default(&c);
			c.rows = c.cols = 1;
			c.dram_bytes_per_cycle = 1;
			c.requant_cycles = m;
			snprintf(c.board, sizeof c.board, "%s", flow_board(*fl));
			ts_resources parts[TS_RM_COUNT];
			ts_resources_modules(&c, parts);
			if ((json_int_t)parts[TS_RM_REQUANT].dsp != dsp)
				fail_msg("%s: model %u DSP, synthesis %lld", key, parts[TS_RM_REQUANT].dsp, (long long)dsp);
			checked++;
		}
	}
	assert_int_equal(checked, 30);
	json_decref(root);
}

static void test_workload_total(void **state)
{
	(void)state;
	ts_hwcfg c;
	ts_hwcfg_default(&c);
	ts_workload *w = NULL;
	assert_int_equal(ts_zoo_load("mobilenet_v2", &w, NULL), TS_OK);
	ts_cost *per = calloc(w->n_layers, sizeof *per);
	ts_cost tot;
	assert_int_equal(ts_cost_workload(&c, w, per, &tot, NULL), TS_OK);
	uint64_t cyc = 0, macs = 0;
	for (size_t i = 0; i < w->n_layers; i++) {
		cyc += per[i].cycles;
		macs += per[i].macs;
	}
	assert_int_equal(tot.cycles, cyc);
	assert_int_equal(tot.macs, macs);
	assert_int_equal(tot.macs, ts_workload_macs(w));
	assert_float_equal(tot.latency_s, (double)cyc / (c.clock_mhz * 1e6), 1e-12);
	free(per);
	ts_workload_free(w);
}

int main(void)
{
	seed = (unsigned)ts_test_seed("test_cost");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ws_hand),
		cmocka_unit_test(test_os_hand),
		cmocka_unit_test(test_hand_serial_requant),
		cmocka_unit_test(test_walk_matches_closed_form),
		cmocka_unit_test(test_monotone),
		cmocka_unit_test(test_energy_parts),
		cmocka_unit_test(test_group_packing),
		cmocka_unit_test(test_cannot_hold_tile),
		cmocka_unit_test(test_resources_fit),
		cmocka_unit_test(test_resources_synth),
		cmocka_unit_test(test_resources_lane_dsp),
		cmocka_unit_test(test_workload_total),
	};
	return cmocka_run_group_tests_name("cost", tests, NULL, NULL);
}
