/* test_dataflow.c — the ConfuciuX-style dataflow model family (ts_df_*):
 * hand-derived cases per style, monotonicity sweeps over all 12 x 12
 * (PE level, buffer level) pairs and over every PE count 1..4096 on random
 * layers, lower bounds (MACs / PEs and the NoC's pes / 8 bytes per cycle),
 * memory-bound layers that still speed up with PEs, depthwise on nvdla vs
 * shidiannao, bad input.
 * Seed: TS_SEED, else time (printed). Formulas: docs/dataflow.md. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "test_seed.h"

#include "tessera/cost.h"
#include "tessera/workload.h"

static unsigned long long seed_used;

static int setup_seed(void **state)
{
	(void)state;
	seed_used = ts_test_seed("test_dataflow");
	rng_seed(seed_used);
	return 0;
}

/* Per-byte SRAM energy of the family (docs/dataflow.md §7). */
static double sram_pj_per_byte(double bytes)
{
	return 5.0 / 4.0 * sqrt(bytes / 8192.0);
}

static void assert_close(double got, double want, const char *what)
{
	if (!(fabs(got - want) <= 1e-9 * fabs(want) + 1e-9)) {
		fprintf(stderr, "%s: got %.9f, want %.9f\n", what, got, want);
		fail();
	}
}

static ts_df_cost eval_ok(ts_df_style st, const ts_layer *l, uint32_t pes, uint32_t level)
{
	ts_df_cost c;
	ts_diag d = { { 0 } };
	ts_status s = ts_df_eval(st, l, pes, level, &c, &d);
	if (s != TS_OK) {
		fprintf(stderr, "ts_df_eval(%s, '%s', %u, %u): %s\n", ts_df_style_name(st), l->name, pes,
			level, d.msg);
		fail();
	}
	return c;
}

/* nvdla, 1x1 conv K=8 C=4 on a 4x4 input (4x4 outputs), 4 PEs, level 1.
 * Level 1: L1 = 5 B (tile of 1 entry), L2 = 4 * 5 = 20 B; NoC 4 / 8 B/cycle.
 * W = 8*4 = 32 B, I = 4*16 = 64 B, O = 8*16 = 128 B, MACs = 512, NPQ = 16.
 * C first: fc = 1, pc = 4, 4/4 = 1 PE left for K: pk = 1, fk = 8.
 *   compute = fk*fc*R*S*P*Q = 8*1*16 = 128, fill = 1 + log2(4) = 3 -> 131;
 *   traffic = W*ceil(16/1) + I*fk + O = 512 + 512 + 128 = 1152 B
 *   -> 8*1152/4 = 2304 cycles; cycles = max(131, 2304) = 2304.
 * K first: fk = 2, pk = 4, 1 PE left for C: pc = 1, fc = 4.
 *   compute = 2*4*16 = 128, fill = 1 + 0 -> 129;
 *   traffic = 512 + 64*2 + 128 = 768 B -> 1536; cycles = 1536.  <- chosen
 * Energy (K first, psum run = pc = 1): L1 bytes = 768 + 512 + 8*512 = 5376,
 *   L2 bytes = 2*768, DRAM bytes = 768:
 *   512*0.3 + 5376*e(5) + 1536*e(20) + 768*160 ~= 123294.5 pJ.
 * Area = 4*(1100 + 300 + 40*5) + 5*20 = 6500 um^2. */
static void test_nvdla_hand(void **state)
{
	(void)state;
	ts_layer l = ts_layer_conv("pw", 8, 4, 4, 4, 1, 1, 1, 0, 1);
	ts_df_cost c = eval_ok(TS_STYLE_NVDLA, &l, 4, 1);
	assert_int_equal(c.cycles, 1536);
	assert_int_equal(c.l1_bytes_per_pe, 5);
	assert_int_equal(c.l2_bytes, 20);
	double e = 512 * 0.3 + 5376 * sram_pj_per_byte(5) + 1536 * sram_pj_per_byte(20) + 768 * 160.0;
	assert_close(c.energy_pj, e, "nvdla energy");
	assert_true(c.energy_pj > 123294.0 && c.energy_pj < 123295.0);
	assert_close(c.area_um2, 6500.0, "nvdla area");
	assert_close(c.power_mw, e / 1536.0 + 1e-5 * 6500.0, "nvdla power");

	/* Level 5 (tile of 5 pixels, ceil(16/5) = 4 tiles): weights load 4x,
	 * W*4 = 128. C first: 128 + 512 + 128 = 768 B -> 1536. K first:
	 * 128 + 128 + 128 = 384 B -> 768 cycles (chosen). L1 = 25 B, L2 = 100 B. */
	c = eval_ok(TS_STYLE_NVDLA, &l, 4, 5);
	assert_int_equal(c.cycles, 768);
	assert_int_equal(c.l1_bytes_per_pe, 25);
	assert_int_equal(c.l2_bytes, 100);
	e = 512 * 0.3 + (384 + 512 + 8 * 512) * sram_pj_per_byte(25) + 2 * 384 * sram_pj_per_byte(100) +
	    384 * 160.0;
	assert_close(c.energy_pj, e, "nvdla energy level 5");
	assert_close(c.area_um2, 4 * (1100 + 300 + 25 * 40.0) + 100 * 5.0, "nvdla area level 5");
	/* 64 PEs, level 12 (2 pixel tiles): K first pk = 8, pc = 4, one fold:
	 * compute 16 + fill 3 = 19; traffic 64 + 64 + 128 = 256 B -> 8*256/64 = 32. */
	assert_int_equal(eval_ok(TS_STYLE_NVDLA, &l, 64, 12).cycles, 32);
}

/* nvdla, FC 64 -> 64 (N = 1), 128 PEs, level 1: memory bound.
 * W = 4096 B, I = 64 B, O = 64 B, NPQ = 1; NoC 128 / 8 = 16 B/cycle.
 * C first: pc = 64, 128/64 = 2 left: pk = 2, fk = 32; compute 32 + fill 7 = 39;
 *   traffic 4096 + 64*32 + 64 = 6208 B -> 388 cycles.
 * K first: pk = 64, 2 left: pc = 2, fc = 32; compute 32 + fill 2 = 34;
 *   traffic 4096 + 64*1 + 64 = 4224 B -> 264 cycles.  <- chosen */
static void test_nvdla_fc_memory_bound(void **state)
{
	(void)state;
	ts_layer l = ts_layer_fc("fc", 1, 64, 64);
	ts_df_cost c = eval_ok(TS_STYLE_NVDLA, &l, 128, 1);
	assert_int_equal(c.cycles, 264);
	/* Psum run = pc = 2: L1 bytes = 4224 + 4096 + 8*4096/2. */
	double e = 4096 * 0.3 + (4224 + 4096 + 16384) * sram_pj_per_byte(5) +
		   2 * 4224 * sram_pj_per_byte(640) + 4224 * 160.0;
	assert_close(c.energy_pj, e, "fc energy");
	/* Memory bound, but the NoC grows with the array, so more PEs still help:
	 * 64 PEs (K first, pk = 64, fc = 64: compute 65) move 4224 B in
	 * 8*4224/64 = 528 cycles; 4096 PEs (one fold, fill 7 -> 8) in
	 * 8*4224/4096 = 8.25 -> 9. */
	assert_int_equal(eval_ok(TS_STYLE_NVDLA, &l, 64, 1).cycles, 528);
	assert_int_equal(eval_ok(TS_STYLE_NVDLA, &l, 4096, 1).cycles, 9);
}

/* shidiannao, 3x3 conv K=2 C=2 on 6x6 (4x4 outputs), 4 PEs, level 2 (tile 2).
 * W = 2*2*9 = 36 B, I = 2*36 = 72 B, O = 2*16 = 32 B, MACs = 576.
 * P first: fp = 1, py = 4, 1 left: qx = 1, fq = 4 (Q first is the mirror).
 *   compute = Kg*Cg*R*S*fp*fq = 2*2*9*4 = 144, fill 1 -> 145;
 *   traffic = W*N*fp*fq + I*ceil(Kg/2) + O = 144 + 72 + 32 = 248 B
 *   -> 8*248/4 = 496; cycles = 496 (memory bound).
 * Energy: the tile holds both output channels, so every MAC visits its
 *   psum in L1 (psum run 1): L1 bytes = 248 + 576 + 8*576 = 5432,
 *   L1 = 10 B, L2 = 40 B. Area = 4*(1100 + 250 + 40*10) + 5*40 = 7200. */
static void test_shidiannao_hand(void **state)
{
	(void)state;
	ts_layer l = ts_layer_conv("c3", 2, 2, 6, 6, 3, 3, 1, 0, 1);
	ts_df_cost c = eval_ok(TS_STYLE_SHIDIANNAO, &l, 4, 2);
	assert_int_equal(c.cycles, 496);
	assert_int_equal(c.l1_bytes_per_pe, 10);
	assert_int_equal(c.l2_bytes, 40);
	double e = 576 * 0.3 + 5432 * sram_pj_per_byte(10) + 2 * 248 * sram_pj_per_byte(40) + 248 * 160.0;
	assert_close(c.energy_pj, e, "shidiannao energy");
	assert_close(c.area_um2, 7200.0, "shidiannao area");

	/* Level 1 (one-channel tile): the psum stays in a register for
	 * Cg*R*S = 18 MACs. Inputs reload per channel: I*Kg = 144, traffic
	 * 144 + 144 + 32 = 320 B -> 640 cycles.
	 * L1 bytes = 320 + 576 + 8*576/18 = 1152; L1 = 5 B, L2 = 20 B. */
	c = eval_ok(TS_STYLE_SHIDIANNAO, &l, 4, 1);
	assert_int_equal(c.cycles, 640);
	e = 576 * 0.3 + 1152 * sram_pj_per_byte(5) + 2 * 320 * sram_pj_per_byte(20) + 320 * 160.0;
	assert_close(c.energy_pj, e, "shidiannao energy level 1");

	/* 16 PEs: py = 4, qx = 4, one fold: compute 36 + 1 = 37;
	 * traffic 36 + 72 + 32 = 140 B -> 8*140/16 = 70; cycles 70.
	 * 128 PEs: the same 140 B -> 8.75 -> 9 cycles, compute 37: compute bound. */
	assert_int_equal(eval_ok(TS_STYLE_SHIDIANNAO, &l, 16, 2).cycles, 70);
	assert_int_equal(eval_ok(TS_STYLE_SHIDIANNAO, &l, 128, 2).cycles, 37);
}

/* eyeriss, the same 3x3 conv K=2 C=2 on 6x6, 6 PEs, level 1.
 * R first: fr = 1, pr = 3, 6/3 = 2 left: fp = 2, py = 2.
 *   compute = Kg*Cg*S*Q*fr*fp = 2*2*3*4*1*2 = 96, fill 1 + log2(3) = 3 -> 99;
 *   traffic = W*N*fp + I*ceil(Kg/1)*fr + O = 72 + 144 + 32 = 248 B
 *   -> 8*248/6 = 330.7 -> 331; cycles = 331.  <- chosen
 * P first: fp = 1, py = 4, 1 left: pr = 1, fr = 3.
 *   compute = 2*2*3*4*3 = 144, fill 1 -> 145;
 *   traffic = 36 + 72*2*3 + 32 + 32*8*2 (psum spills) = 1012 B -> 1350.
 * Energy: one-channel tile, so psum run = S*pr = 9: L1 bytes = 248 + 576 + 512 = 1336,
 *   L1 = 5 B, L2 = 30 B. Area = 6*(1100 + 350 + 40*5) + 5*30 = 10050. */
static void test_eyeriss_hand(void **state)
{
	(void)state;
	ts_layer l = ts_layer_conv("c3", 2, 2, 6, 6, 3, 3, 1, 0, 1);
	ts_df_cost c = eval_ok(TS_STYLE_EYERISS, &l, 6, 1);
	assert_int_equal(c.cycles, 331);
	double e = 576 * 0.3 + 1336 * sram_pj_per_byte(5) + 2 * 248 * sram_pj_per_byte(30) + 248 * 160.0;
	assert_close(c.energy_pj, e, "eyeriss energy");
	assert_close(c.area_um2, 10050.0, "eyeriss area");
	assert_close(c.power_mw, e / 331.0 + 1e-5 * 10050.0, "eyeriss power");

	/* 1 PE: fr = 3, fp = 4 either way; compute 2*2*3*4*12 = 576 + 1;
	 * traffic 36*4 + 72*2*3 + 32 + 512 = 1120 B -> 8960 cycles. */
	assert_int_equal(eval_ok(TS_STYLE_EYERISS, &l, 1, 1).cycles, 8960);
}

/* A GEMM is a 1x1 conv with P = M, Q = 1 (independent matmuls are groups):
 * same numbers for every style. */
static void test_gemm_as_conv(void **state)
{
	(void)state;
	ts_layer g = ts_layer_gemm("g", 2, 24, 40, 12);
	ts_layer c = ts_layer_conv("c", 24, 80, 24, 1, 1, 1, 1, 0, 2);
	for (int st = 0; st < TS_STYLE_COUNT; st++)
		for (int i = 0; i < TS_DF_LEVELS; i++) {
			ts_df_cost a = eval_ok((ts_df_style)st, &g, ts_df_pe_levels[i], (uint32_t)(i % 12) + 1);
			ts_df_cost b = eval_ok((ts_df_style)st, &c, ts_df_pe_levels[i], (uint32_t)(i % 12) + 1);
			assert_int_equal(a.cycles, b.cycles);
			assert_true(a.energy_pj == b.energy_pj);
		}
	/* shidiannao over M = 24 rows, 4 PEs: fp = 6, compute = G*Kg*Cg*fp
	 * = 2*12*40*6 = 5760 + 1. Traffic (level 1): W*N*fp = 960*6 = 5760,
	 * I*Kg = 1920*12 = 23040, O = 576 -> 29376 B -> 8*29376/4 = 58752 cycles.
	 * Level 12 (one channel tile): 5760 + 1920 + 576 = 8256 B -> 16512. */
	assert_int_equal(eval_ok(TS_STYLE_SHIDIANNAO, &g, 4, 1).cycles, 58752);
	assert_int_equal(eval_ok(TS_STYLE_SHIDIANNAO, &g, 4, 12).cycles, 16512);
}

/* Depthwise: C per group = 1, so nvdla's K x C parallelism collapses to one
 * PE, while shidiannao spreads the output pixels. 3x3 dw, 32 channels,
 * 58x58 input (56x56 outputs), 64 PEs (8 B/cycle), level 4 (tile 4):
 *   nvdla: compute 32*9*3136 = 903168 + 1; traffic 288*784 + 107648 + 100352
 *     = 433792 B -> 54224; cycles 903169 (one PE computes).
 *   shidiannao: py = 56, qx = 1, fq = 56: compute 32*9*56 = 16128 + 1;
 *     traffic 288*56 + 107648 + 100352 = 224128 B -> 28016; cycles 28016. */
static void test_depthwise_nvdla_vs_shidiannao(void **state)
{
	(void)state;
	ts_layer dw = ts_layer_conv("dw", 32, 32, 58, 58, 3, 3, 1, 0, 32);
	assert_int_equal(dw.op, TS_OP_DWCONV);
	assert_int_equal(eval_ok(TS_STYLE_NVDLA, &dw, 64, 4).cycles, 903169);
	assert_int_equal(eval_ok(TS_STYLE_SHIDIANNAO, &dw, 64, 4).cycles, 28016);
	/* 1 PE: both memory bound at 1/8 B/cycle; nvdla moves 433792 B
	 * (3470336 cycles), shidiannao re-broadcasts every weight per pixel:
	 * 288*3136 + 208000 = 1111168 B (8889344 cycles). 24 PEs (shidiannao:
	 * py = 24, fp = 3, fq = 56: 288*168 + 208000 = 256384 B -> 85462) is the
	 * first level where nvdla is >= 10x slower; from 4 PEs on nvdla is
	 * compute bound at 903169 (8*433792/4 = 867584 < 903169). */
	assert_int_equal(eval_ok(TS_STYLE_NVDLA, &dw, 1, 4).cycles, 3470336);
	assert_int_equal(eval_ok(TS_STYLE_SHIDIANNAO, &dw, 1, 4).cycles, 8889344);
	assert_int_equal(eval_ok(TS_STYLE_SHIDIANNAO, &dw, 24, 4).cycles, 85462);
	ts_layer dense = ts_layer_conv("conv", 32, 32, 58, 58, 3, 3, 1, 0, 1);
	for (int i = 2; i < TS_DF_LEVELS; i++) {
		uint32_t p = ts_df_pe_levels[i];
		uint64_t nv = eval_ok(TS_STYLE_NVDLA, &dw, p, 4).cycles;
		uint64_t sh = eval_ok(TS_STYLE_SHIDIANNAO, &dw, p, 4).cycles;
		assert_int_equal(nv, 903169); /* more PEs never help nvdla here */
		if (p >= 24)
			assert_true(nv >= 10 * sh);
		/* A dense conv of the same size is not penalized on nvdla. */
		uint64_t nvd = eval_ok(TS_STYLE_NVDLA, &dense, p, 4).cycles;
		uint64_t shd = eval_ok(TS_STYLE_SHIDIANNAO, &dense, p, 4).cycles;
		if (p >= 12)
			assert_true(nvd <= 2 * shd);
	}
}

/* Zoo-like layers, built here so the test does not depend on the zoo. */
static size_t zoo_like(ts_layer *out)
{
	size_t n = 0;
	out[n++] = ts_layer_conv("vgg_conv1", 64, 3, 224, 224, 3, 3, 1, 1, 1);
	out[n++] = ts_layer_conv("vgg_conv4", 256, 128, 56, 56, 3, 3, 1, 1, 1);
	out[n++] = ts_layer_conv("resnet_res5_3x3", 512, 512, 7, 7, 3, 3, 1, 1, 1);
	out[n++] = ts_layer_conv("alexnet_conv1", 96, 3, 227, 227, 11, 11, 4, 0, 1);
	out[n++] = ts_layer_conv("mbv2_dw_s2", 144, 144, 56, 56, 3, 3, 2, 1, 144);
	out[n++] = ts_layer_conv("mbv2_pw", 24, 144, 56, 56, 1, 1, 1, 0, 1);
	out[n++] = ts_layer_conv("resnext_g32", 256, 256, 28, 28, 3, 3, 1, 1, 32);
	out[n++] = ts_layer_fc("fc1000", 1, 1000, 1280);
	out[n++] = ts_layer_fc("fc_b8", 8, 4096, 4096);
	out[n++] = ts_layer_gemm("attn_qk", 12, 197, 64, 197);
	return n;
}

static void check_monotone_layer(const ts_layer *l)
{
	for (int st = 0; st < TS_STYLE_COUNT; st++) {
		ts_df_cost grid[TS_DF_LEVELS][TS_DF_LEVELS];
		for (int i = 0; i < TS_DF_LEVELS; i++)
			for (int b = 0; b < TS_DF_LEVELS; b++)
				grid[i][b] = eval_ok((ts_df_style)st, l, ts_df_pe_levels[i], (uint32_t)b + 1);
		for (int i = 0; i < TS_DF_LEVELS; i++)
			for (int b = 0; b < TS_DF_LEVELS; b++) {
				const ts_df_cost *c = &grid[i][b];
				uint32_t p = ts_df_pe_levels[i];
				if (!(c->energy_pj > 0 && c->power_mw > 0 && c->cycles > 0)) {
					fprintf(stderr, "%s %s p=%u b=%d: non-positive cost\n", l->name,
						ts_df_style_name((ts_df_style)st), p, b + 1);
					fail();
				}
				/* Lower bound: p PEs do at most p MACs per cycle. */
				if (c->cycles * p < ts_layer_macs(l)) {
					fprintf(stderr, "%s %s p=%u: %llu cycles < MACs / PEs\n", l->name,
						ts_df_style_name((ts_df_style)st), p,
						(unsigned long long)c->cycles);
					fail();
				}
				if (i > 0 && c->cycles > grid[i - 1][b].cycles) {
					fprintf(stderr, "%s %s b=%d: %u PEs %llu cycles > %u PEs %llu cycles\n",
						l->name, ts_df_style_name((ts_df_style)st), b + 1, p,
						(unsigned long long)c->cycles, ts_df_pe_levels[i - 1],
						(unsigned long long)grid[i - 1][b].cycles);
					fail();
				}
				if (i > 0 && !(c->area_um2 > grid[i - 1][b].area_um2))
					fail_msg("%s: area not increasing in PEs at %u", l->name, p);
				if (b > 0 && !(c->area_um2 > grid[i][b - 1].area_um2))
					fail_msg("%s: area not increasing in level at %d", l->name, b + 1);
				if (c->l1_bytes_per_pe != 5u * (uint32_t)(b + 1))
					fail_msg("%s: L1 is not 5 B per level", l->name);
				/* A larger tile never adds traffic: cycles never grow with the level. */
				if (b > 0 && c->cycles > grid[i][b - 1].cycles)
					fail_msg("%s %s p=%u: level %d %llu cycles > level %d", l->name,
						 ts_df_style_name((ts_df_style)st), p, b + 1,
						 (unsigned long long)c->cycles, b);
				/* The NoC moves p / 8 bytes per cycle and every tensor crosses it once. */
				if (c->cycles * p < 8 * (ts_layer_weight_elems(l) + ts_layer_input_elems(l) +
							 ts_layer_output_elems(l)))
					fail_msg("%s %s p=%u: %llu cycles beat the NoC bound", l->name,
						 ts_df_style_name((ts_df_style)st), p, (unsigned long long)c->cycles);
				if (c->l2_bytes != c->l1_bytes_per_pe * p)
					fail_msg("%s: L2 != PEs * L1", l->name);
			}
	}
}

static void test_monotone_zoo_like(void **state)
{
	(void)state;
	ts_layer ls[16];
	size_t n = zoo_like(ls);
	for (size_t i = 0; i < n; i++)
		check_monotone_layer(&ls[i]);
}

/* Larger buffers cut refetches: vgg_conv4 on nvdla, 64 PEs (8 B/cycle),
 * 3136 output pixels, weights (W = 294912 B) refetched once per pixel
 * tile: 3136x at level 1, ceil(3136/12) = 262x at level 12. Level 1 is
 * memory bound (>= 8 * W * 3136 / 64 cycles) and DRAM dominates its energy;
 * level 12 moves about 12x fewer bytes and, at 64 PEs, is compute bound
 * (>= MACs / 64), so it is several times faster. */
static void test_buffer_level_tradeoff(void **state)
{
	(void)state;
	ts_layer l = ts_layer_conv("vgg_conv4", 256, 128, 56, 56, 3, 3, 1, 1, 1);
	ts_df_cost lo = eval_ok(TS_STYLE_NVDLA, &l, 64, 1);
	ts_df_cost hi = eval_ok(TS_STYLE_NVDLA, &l, 64, 12);
	assert_true(lo.cycles >= 294912ull * 3136 * 8 / 64);
	assert_true(hi.energy_pj < lo.energy_pj / 5);
	assert_true(hi.cycles * 3 < lo.cycles);
	assert_true(hi.cycles * 64 >= ts_layer_macs(&l));
	assert_true(hi.area_um2 > lo.area_um2);
	/* Level 12 area: 64 * (1100 + 300 + 40 * 60) + 5 * 64 * 60. */
	assert_close(hi.area_um2, 64 * (1100 + 300 + 40 * 60.0) + 5 * 64 * 60.0, "level 12 area");
}

/* Random layers: monotone in every PE count 1..4096 (not only the 12
 * levels), cycles >= MACs / PEs and >= (W + I + O) / (PEs / 8). */
static ts_layer random_layer(int idx)
{
	char name[32];
	snprintf(name, sizeof name, "rand%d", idx);
	uint32_t kind = rng_range(0, 4);
	if (kind == 3)
		return ts_layer_fc(name, rng_range(1, 8), rng_range(1, 3000), rng_range(1, 3000));
	if (kind == 4)
		return ts_layer_gemm(name, rng_range(1, 12), rng_range(1, 400), rng_range(1, 800),
				     rng_range(1, 400));
	uint32_t r = rng_range(1, 7), s = rng_range(1, 7);
	uint32_t pad = rng_range(0, 3), stride = rng_range(1, 3);
	uint32_t y = rng_range(r > 2 * pad ? r - 2 * pad : 1, 80);
	uint32_t x = rng_range(s > 2 * pad ? s - 2 * pad : 1, 80);
	uint32_t c = rng_range(1, 300), k = rng_range(1, 300), g = 1;
	if (kind == 1) { /* depthwise */
		g = c;
		k = c * rng_range(1, 2);
	} else if (kind == 2) { /* grouped */
		g = rng_range(2, 8);
		c = g * rng_range(1, 32);
		k = g * rng_range(1, 32);
	}
	ts_layer l = ts_layer_conv(name, k, c, y, x, r, s, stride, pad, g);
	l.n = rng_range(1, 3);
	return l;
}

static void test_random_monotone_all_pes(void **state)
{
	(void)state;
	for (int t = 0; t < 24; t++) {
		ts_layer l = random_layer(t);
		ts_diag d = { { 0 } };
		if (ts_layer_validate(&l, &d) != TS_OK)
			fail_msg("seed %llu: generated invalid layer: %s", seed_used, d.msg);
		uint64_t macs = ts_layer_macs(&l);
		uint64_t bytes = ts_layer_weight_elems(&l) + ts_layer_input_elems(&l) +
				 ts_layer_output_elems(&l);
		for (int st = 0; st < TS_STYLE_COUNT; st++) {
			uint32_t level = rng_range(1, TS_DF_LEVELS);
			uint64_t prev = UINT64_MAX;
			for (uint32_t p = 1; p <= 4096; p++) {
				ts_df_cost c = eval_ok((ts_df_style)st, &l, p, level);
				if (c.cycles > prev || c.cycles * p < macs || c.cycles * p < 8 * bytes) {
					fprintf(stderr,
						"seed %llu: %s K=%u C=%u Y=%u X=%u R=%u S=%u g=%u n=%u, %s level %u, "
						"p=%u: %llu cycles (p-1: %llu, MACs %llu, bytes %llu)\n",
						seed_used, l.name, l.k, l.c, l.y, l.x, l.r, l.s, l.groups, l.n,
						ts_df_style_name((ts_df_style)st), level, p,
						(unsigned long long)c.cycles, (unsigned long long)prev,
						(unsigned long long)macs, (unsigned long long)bytes);
					fail();
				}
				prev = c.cycles;
			}
		}
	}
}

/* An absurd but valid shape: a 2^24 x 2^24 input with 2^20 channels read
 * with stride 2^24 (one output pixel, 2^20 MACs): I = 2^68 bytes would wrap
 * 64 bits; the traffic saturates instead, so cycles stay huge (>= 2^59:
 * 8 * 2^64 / 128 = 2^60 at 128 PEs) and still never grow with PEs. */
static void test_saturation(void **state)
{
	(void)state;
	ts_layer l = ts_layer_conv("huge", 1, 1u << 20, 1u << 24, 1u << 24, 1, 1, 1u << 24, 0, 1);
	assert_int_equal(ts_layer_macs(&l), 1u << 20);
	for (int st = 0; st < TS_STYLE_COUNT; st++) {
		uint64_t prev = UINT64_MAX;
		for (int i = 0; i < TS_DF_LEVELS; i++) {
			ts_df_cost c = eval_ok((ts_df_style)st, &l, ts_df_pe_levels[i], 12);
			assert_true(c.cycles >= (1ull << 59));
			assert_true(c.cycles <= prev);
			assert_true(isfinite(c.energy_pj) && c.energy_pj > 1e20);
			prev = c.cycles;
		}
	}
}

/* Same inputs, same outputs, bit for bit. */
static void test_deterministic(void **state)
{
	(void)state;
	ts_layer l = ts_layer_conv("c", 96, 48, 27, 27, 5, 5, 1, 2, 1);
	ts_df_cost a = eval_ok(TS_STYLE_EYERISS, &l, 48, 7);
	ts_df_cost b = eval_ok(TS_STYLE_EYERISS, &l, 48, 7);
	assert_memory_equal(&a, &b, sizeof a);
}

static void test_style_names(void **state)
{
	(void)state;
	assert_string_equal(ts_df_style_name(TS_STYLE_NVDLA), "nvdla");
	assert_string_equal(ts_df_style_name(TS_STYLE_SHIDIANNAO), "shidiannao");
	assert_string_equal(ts_df_style_name(TS_STYLE_EYERISS), "eyeriss");
	assert_string_equal(ts_df_style_name((ts_df_style)7), "?");
	for (int i = 0; i < TS_STYLE_COUNT; i++) {
		ts_df_style s = TS_STYLE_COUNT;
		assert_int_equal(ts_df_style_from_name(ts_df_style_name((ts_df_style)i), &s), 0);
		assert_int_equal(s, i);
	}
	ts_df_style s = TS_STYLE_COUNT;
	assert_int_equal(ts_df_style_from_name("DLA", &s), 0);
	assert_int_equal(s, TS_STYLE_NVDLA);
	assert_int_equal(ts_df_style_from_name("shi", &s), 0);
	assert_int_equal(s, TS_STYLE_SHIDIANNAO);
	assert_int_equal(ts_df_style_from_name("Eye", &s), 0);
	assert_int_equal(s, TS_STYLE_EYERISS);
	s = TS_STYLE_NVDLA;
	assert_int_equal(ts_df_style_from_name("tpu", &s), -1);
	assert_int_equal(ts_df_style_from_name("", &s), -1);
	assert_int_equal(ts_df_style_from_name("nvdlax", &s), -1);
	assert_int_equal(s, TS_STYLE_NVDLA);
	assert_int_equal(ts_df_pe_levels[0], 1);
	assert_int_equal(ts_df_pe_levels[4], 12);
	assert_int_equal(ts_df_pe_levels[TS_DF_LEVELS - 1], 128);
}

static void expect_input_error(ts_df_style st, const ts_layer *l, uint32_t pes, uint32_t level,
			       const char *want)
{
	ts_df_cost c;
	memset(&c, 0x5a, sizeof c);
	ts_df_cost untouched = c;
	ts_diag d = { { 0 } };
	assert_int_equal(ts_df_eval(st, l, pes, level, &c, &d), TS_ERR_INPUT);
	if (!strstr(d.msg, want)) {
		fprintf(stderr, "message '%s' lacks '%s'\n", d.msg, want);
		fail();
	}
	assert_memory_equal(&c, &untouched, sizeof c); /* no partial output */
}

static void test_errors(void **state)
{
	(void)state;
	ts_layer l = ts_layer_conv("ok", 8, 8, 8, 8, 3, 3, 1, 1, 1);
	expect_input_error(TS_STYLE_NVDLA, &l, 0, 1, "pes = 0, must be 1..4096");
	expect_input_error(TS_STYLE_NVDLA, &l, 4097, 1, "pes = 4097, must be 1..4096");
	expect_input_error(TS_STYLE_EYERISS, &l, 4, 0, "buffer level = 0, must be 1..12");
	expect_input_error(TS_STYLE_EYERISS, &l, 4, 13, "buffer level = 13, must be 1..12");
	expect_input_error((ts_df_style)3, &l, 4, 1, "dataflow style 3, must be 0..2");
	expect_input_error((ts_df_style)-1, &l, 4, 1, "dataflow style -1, must be 0..2");
	ts_layer bad = ts_layer_conv("badk", 0, 8, 8, 8, 3, 3, 1, 1, 1);
	expect_input_error(TS_STYLE_SHIDIANNAO, &bad, 4, 1, "layer 'badk': K (output channels) = 0");
	bad = ts_layer_conv("bigkernel", 8, 8, 4, 4, 7, 7, 1, 0, 1);
	expect_input_error(TS_STYLE_SHIDIANNAO, &bad, 4, 1, "layer 'bigkernel'");
	ts_diag d = { { 0 } };
	assert_int_equal(ts_df_eval(TS_STYLE_NVDLA, NULL, 4, 1, NULL, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "NULL"));
	/* The largest legal sub-accelerator is accepted. */
	ts_df_cost c = eval_ok(TS_STYLE_NVDLA, &l, 4096, 12);
	assert_int_equal(c.l2_bytes, 4096ull * 5 * 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nvdla_hand),
		cmocka_unit_test(test_nvdla_fc_memory_bound),
		cmocka_unit_test(test_shidiannao_hand),
		cmocka_unit_test(test_eyeriss_hand),
		cmocka_unit_test(test_gemm_as_conv),
		cmocka_unit_test(test_depthwise_nvdla_vs_shidiannao),
		cmocka_unit_test(test_monotone_zoo_like),
		cmocka_unit_test(test_buffer_level_tradeoff),
		cmocka_unit_test(test_random_monotone_all_pes),
		cmocka_unit_test(test_saturation),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_style_names),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, setup_seed, NULL);
}
