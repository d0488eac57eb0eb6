/* axi_test.c — the Zynq top (ts_board_zynq: ts_top and ts_axi4_master) in Verilator
 * (axi_shim.h) driven as a host drives it: each layer's memory image (ts_layer_image_build
 * at a random 32-byte aligned base in a memory of random bytes) in the AXI slave's memory,
 * the run programmed through the AXI4-Lite registers as tsd_run programs it, the
 * interrupt awaited, then the outputs compared element by element with the golden model
 * (ts_layer_ref), every other byte of the memory with what was there (nothing written
 * outside the outputs), and CYCLES with the cost model's ideal port (ts_cost_layer at the
 * config's dram latency): never below it; the difference printed per layer. The slave
 * stalls at random (seeded) with probabilities 0 (latency fixed at the config's: the
 * master's own overhead), 0.1 and 0.3, its latency the config's .. + 8 cycles; its
 * checker (axi_shim.cpp) watches every cycle. Then SLVERR injected on a read and a
 * write: the run completes and AXI_STATUS (0xFF0) shows both, cleared bit by bit.
 * Usage: axi_test --config PRESET_OR_JSON [--seed N] (TS_SEED too). One line per
 * failure, then "axi_test <config> AXI_DW=<n>: N passed, M failed"; exit 0 when none. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "axi_shim.h"
#include "tb_check.h"
#include "tessera/cost.h"
#include "tessera/desc.h"
#include "tessera/hwcfg.h"
#include "tessera/regmap.h"
#include "tessera/runtime.h"
#include "tessera/workload.h"

#define MEM_BASE  0x10000000ull   /* the slave's memory: 4 KiB aligned */
#define MEM_BYTES (1u << 20)
#define REG_AXI_STATUS 0xFF0u    /* ts_board_zynq's board register */

static uint64_t rng_state;
static uint32_t rnd(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return (uint32_t)((z ^ (z >> 31)) >> 32);
}

/* What a run measured. */
typedef struct run_result {
	int ok;
	uint64_t cycles, ideal, transfers;
	uint64_t priced;   /* the cost model at dram.latency + AXI_PRICE_L (docs/axi.md) */
	uint64_t reads, writes, read_cycles, read_beats, write_cycles, write_beats;
} run_result;

/* What docs/axi.md tells a user to add to the AXI slave's latency in dram.latency. */
#define AXI_PRICE_L 2

/* One layer at a random base: image, run, outputs, the rest of the memory, cycles. */
static run_result run_layer(tsa *a, const ts_hwcfg *c, const ts_layer *l, uint64_t seed, const char *tag)
{
	run_result rr = { 0 };
	ts_cost priced;
	ts_hwcfg cp = *c;
	cp.dram_latency += AXI_PRICE_L;
	ts_diag d = { "" };
	ts_layer_operands op;
	ts_layer_image img = { 0 };
	ts_cost cost;
	size_t yn = ts_layer_output_elems(l);
	int32_t *y = calloc(yn, sizeof *y), *gold = calloc(yn, sizeof *gold);
	uint8_t *expect = malloc(MEM_BYTES);
	if (!y || !gold || !expect || ts_layer_operands_random(c, l, seed, &op, &d)) {
		check(0, "layer %s: operands: %s", l->name, d.msg);
		free(y);
		free(gold);
		free(expect);
		return rr;
	}
	uint64_t base = MEM_BASE;
	if (ts_layer_buffers_plan(c, l, base, &img.b, &d) == TS_OK && img.b.total < MEM_BYTES)
		base = MEM_BASE + 32ull * (rnd() % ((MEM_BYTES - img.b.total) / 32 + 1));
	if (ts_layer_image_build(c, l, base, op.w, op.x, &op.q.q, &img, &d) ||
	    ts_layer_ref(c, l, op.w, op.x, &op.q.q, gold, NULL, &d) || ts_cost_layer(c, l, &cost, &d) ||
	    ts_cost_layer(&cp, l, &priced, &d)) {
		check(0, "layer %s: %s", l->name, d.msg);
		goto out;
	}
	const ts_layer_buffers *b = &img.b;
	if (base + b->total > MEM_BASE + MEM_BYTES) {
		check(0, "layer %s: image of %" PRIu64 " bytes, memory %u", l->name, b->total, MEM_BYTES);
		goto out;
	}
	/* the memory: random bytes, the image at base */
	uint8_t *mem = tsa_mem(a);
	for (size_t i = 0; i < MEM_BYTES; i++)
		mem[i] = (uint8_t)rnd();
	memcpy(mem + (base - MEM_BASE), img.bytes, b->total);
	memcpy(expect, mem, MEM_BYTES);

	/* the run, as tsd_run programs it; the interrupt ends it */
	uint64_t desc = base + b->desc_off;
	tsa_stats_clear(a);
	tsa_reg_write(a, TS_REG_STATUS, TS_STATUS_DONE | TS_STATUS_ERROR);
	tsa_reg_write(a, TS_REG_MEM_LO, (uint32_t)MEM_BASE);
	tsa_reg_write(a, TS_REG_MEM_HI, (uint32_t)(MEM_BASE >> 32));
	tsa_reg_write(a, TS_REG_MEM_SIZE, MEM_BYTES);
	tsa_reg_write(a, TS_REG_DESC_LO, (uint32_t)desc);
	tsa_reg_write(a, TS_REG_DESC_HI, (uint32_t)(desc >> 32));
	tsa_reg_write(a, TS_REG_DESC_MAX, (uint32_t)b->desc_count);
	tsa_reg_write(a, TS_REG_CTRL, TS_CTRL_START | TS_CTRL_IRQ_ENABLE);
	uint64_t limit = tsa_cycle(a) + 40 * cost.cycles + 100000;
	while (!tsa_irq(a) && tsa_cycle(a) < limit)
		tsa_step(a, 16);
	uint32_t status = tsa_reg_read(a, TS_REG_STATUS);
	uint64_t cycles = tsa_reg_read(a, TS_REG_CYCLES_LO) | (uint64_t)tsa_reg_read(a, TS_REG_CYCLES_HI) << 32;
	uint32_t err = tsa_reg_read(a, TS_REG_ERR_CODE), done = tsa_reg_read(a, TS_REG_DESC_DONE);
	int ok = (status & TS_STATUS_DONE) && !(status & TS_STATUS_ERROR) && err == 0 && done == b->desc_count;
	check(ok, "layer %s (%s): STATUS 0x%x, ERR_CODE %u at descriptor %u, %u of %" PRIu64 " descriptors", l->name,
	      tag, status, err, tsa_reg_read(a, TS_REG_ERR_DESC), done, b->desc_count);
	tsa_reg_write(a, TS_REG_STATUS, TS_STATUS_DONE | TS_STATUS_ERROR);
	check(!tsa_irq(a), "layer %s: irq still high after STATUS cleared", l->name);

	/* the outputs, bit-exact */
	const uint8_t *view = mem + (base - MEM_BASE);
	size_t bad = 0, first = 0;
	if (ts_unpack_output(c, l, b, view, y, &d)) {
		check(0, "layer %s: outputs: %s", l->name, d.msg);
		ok = 0;
	} else {
		for (size_t i = 0; i < yn; i++)
			if (y[i] != gold[i] && !bad++)
				first = i;
		check(!bad, "layer %s (%s): %zu of %zu outputs differ from the golden model, first [%zu]: %d, golden %d "
		      "(seed %" PRIu64 ")", l->name, tag, bad, yn, first, bad ? y[first] : 0, bad ? gold[first] : 0, seed);
	}
	/* nothing else written */
	uint64_t o_lo = base - MEM_BASE + b->o_off, o_hi = o_lo + b->o_bytes;
	size_t changed = 0, at = 0;
	for (size_t i = 0; i < MEM_BYTES; i++)
		if ((i < o_lo || i >= o_hi) && mem[i] != expect[i] && !changed++)
			at = i;
	check(!changed, "layer %s (%s): %zu bytes outside the outputs changed, first at 0x%" PRIx64, l->name, tag,
	      changed, (uint64_t)(MEM_BASE + at));
	check(cycles >= cost.cycles, "layer %s (%s): CYCLES %" PRIu64 " below the ideal port's %" PRIu64, l->name, tag,
	      cycles, cost.cycles);

	const tsa_stats *s = tsa_get_stats(a);
	double pct = cost.cycles ? 100.0 * ((double)cycles - (double)cost.cycles) / (double)cost.cycles : 0;
	printf("layer %-8s %s: %zu outputs bit-exact: %s; %" PRIu64 " cycles, ideal port %" PRIu64 " (%+" PRId64
	       ", %+.1f %%); %" PRIu64 " transfers (%" PRIu64 " unaligned), %" PRIu64 " AR + %" PRIu64
	       " AW bursts (%" PRIu64 " split at 4 KiB, longest %" PRIu64 " beats), %" PRIu64 " stalled cycles\n",
	       l->name, tag, yn, bad ? "no" : "yes", cycles, cost.cycles, (int64_t)(cycles - cost.cycles), pct,
	       s->transfers, s->unaligned, s->ar_bursts, s->aw_bursts, s->split_4k, s->max_beats, s->stalls);
	rr.ok = ok && !bad && !changed;
	rr.cycles = cycles;
	rr.ideal = cost.cycles;
	rr.transfers = s->transfers;
	rr.priced = priced.cycles;
	rr.reads = s->reads;
	rr.writes = s->writes;
	rr.read_cycles = s->read_cycles;
	rr.read_beats = s->read_beats;
	rr.write_cycles = s->write_cycles;
	rr.write_beats = s->write_beats;
out:
	ts_layer_operands_free(&op);
	ts_layer_image_free(&img);
	free(y);
	free(gold);
	free(expect);
	return rr;
}

/* Long transfers at odd addresses: a LOAD filling the whole input scratchpad, a
 * LOAD_TO_Q of zero records, a STORE of every accumulator word (all outputs 0 with the
 * zero table), a FENCE: both cross a 4 KiB boundary, bursts split there and at 256
 * beats (when that many bus words are in a page). The checker compares every read
 * beat with the memory; the STORE's bytes must be 0 and nothing else may change. */
static void run_long(tsa *a, const ts_hwcfg *c, const char *tag)
{
	uint8_t *mem = tsa_mem(a);
	uint8_t *expect = malloc(MEM_BYTES);
	if (!expect) {
		check(0, "long transfers: out of memory");
		return;
	}
	uint32_t ab = ts_pe_abits(c->pe);
	uint32_t d_in = tsa_reg_read(a, TS_REG_HW_SPAD_IN), d_acc = tsa_reg_read(a, TS_REG_HW_SPAD_ACC);
	uint32_t ld_bytes = d_in * ((c->rows * ab + 7) / 8);
	uint32_t st_bytes = d_acc * ((c->cols * ab + 7) / 8);
	uint32_t q_bytes = c->cols * TS_DESC_QREC_BYTES;
	/* regions: the list at 0, zero records at 4 KiB, the LOAD's and the STORE's bytes
	 * after them, each at an odd place in the last KiB of a page that it crosses */
	uint64_t list = MEM_BASE + 32ull * (rnd() % 64);
	uint64_t qrec = MEM_BASE + 4096 + rnd() % 1024;
	uint64_t ld = MEM_BASE + 3 * 4096 - 1 - rnd() % (ld_bytes - 1 < 1023 ? ld_bytes - 1 : 1023);
	uint64_t st = (ld + ld_bytes + 4096) / 4096 * 4096 + 4095 - rnd() % (st_bytes - 1 < 1023 ? st_bytes - 1 : 1023);
	if (st + st_bytes > MEM_BASE + MEM_BYTES) {
		check(0, "long transfers: %u + %u bytes do not fit the test memory", ld_bytes, st_bytes);
		free(expect);
		return;
	}
	for (size_t i = 0; i < MEM_BYTES; i++)
		mem[i] = (uint8_t)(rnd() | 1);
	memset(mem + (qrec - MEM_BASE), 0, q_bytes);
	ts_desc dl[4];
	dl[0] = ts_desc_make(TS_DESC_LOAD, 0);
	ts_desc_set(&dl[0], TS_FLD_LOAD_ADDR_LO, (uint32_t)ld);
	ts_desc_set(&dl[0], TS_FLD_LOAD_ADDR_HI, (uint32_t)(ld >> 32));
	ts_desc_set(&dl[0], TS_FLD_LOAD_ROWS, d_in);
	ts_desc_set(&dl[0], TS_FLD_LOAD_ROW_ELEMS, c->rows);
	ts_desc_set(&dl[0], TS_FLD_LOAD_BYTES, ld_bytes);
	dl[1] = ts_desc_make(TS_DESC_LOAD, TS_LOAD_TO_Q);
	ts_desc_set(&dl[1], TS_FLD_LOAD_ADDR_LO, (uint32_t)qrec);
	ts_desc_set(&dl[1], TS_FLD_LOAD_ADDR_HI, (uint32_t)(qrec >> 32));
	ts_desc_set(&dl[1], TS_FLD_LOAD_ROWS, c->cols);
	ts_desc_set(&dl[1], TS_FLD_LOAD_ROW_ELEMS, TS_DESC_QREC_BYTES);
	ts_desc_set(&dl[1], TS_FLD_LOAD_BYTES, q_bytes);
	dl[2] = ts_desc_make(TS_DESC_STORE, 0);
	ts_desc_set(&dl[2], TS_FLD_STORE_ADDR_LO, (uint32_t)st);
	ts_desc_set(&dl[2], TS_FLD_STORE_ADDR_HI, (uint32_t)(st >> 32));
	ts_desc_set(&dl[2], TS_FLD_STORE_ROWS, d_acc);
	ts_desc_set(&dl[2], TS_FLD_STORE_COLS, c->cols);
	ts_desc_set(&dl[2], TS_FLD_STORE_CLAMP_LO, (uint32_t)(-(1 << (ab - 1))) & 0xffffu);
	ts_desc_set(&dl[2], TS_FLD_STORE_CLAMP_HI, (uint32_t)((1 << (ab - 1)) - 1));
	dl[3] = ts_desc_make(TS_DESC_FENCE, 0);
	uint64_t ideal = 4 + 1;   /* T_START + the final cycle (docs/timing.md §1) */
	for (int k = 0; k < 4; k++) {
		for (int w = 0; w < TS_DESC_WORDS; w++)
			for (int i = 0; i < 4; i++)
				mem[list - MEM_BASE + 32u * k + 4u * w + i] = (uint8_t)(dl[k].w[w] >> (8 * i));
		ideal += ts_desc_fetch_cycles(c) + ts_desc_exec_cycles(c, &dl[k]);
	}
	memcpy(expect, mem, MEM_BYTES);
	if (ab > 1)
		memset(expect + (st - MEM_BASE), 0, st_bytes);

	tsa_stats_clear(a);
	tsa_reg_write(a, TS_REG_STATUS, TS_STATUS_DONE | TS_STATUS_ERROR);
	tsa_reg_write(a, TS_REG_MEM_LO, (uint32_t)MEM_BASE);
	tsa_reg_write(a, TS_REG_MEM_HI, (uint32_t)(MEM_BASE >> 32));
	tsa_reg_write(a, TS_REG_MEM_SIZE, MEM_BYTES);
	tsa_reg_write(a, TS_REG_DESC_LO, (uint32_t)list);
	tsa_reg_write(a, TS_REG_DESC_HI, (uint32_t)(list >> 32));
	tsa_reg_write(a, TS_REG_DESC_MAX, 4);
	tsa_reg_write(a, TS_REG_CTRL, TS_CTRL_START | TS_CTRL_IRQ_ENABLE);
	uint64_t limit = tsa_cycle(a) + 40 * ideal + 100000;
	while (!tsa_irq(a) && tsa_cycle(a) < limit)
		tsa_step(a, 16);
	uint32_t status = tsa_reg_read(a, TS_REG_STATUS);
	uint64_t cycles = tsa_reg_read(a, TS_REG_CYCLES_LO) | (uint64_t)tsa_reg_read(a, TS_REG_CYCLES_HI) << 32;
	check((status & TS_STATUS_DONE) && !(status & TS_STATUS_ERROR), "long transfers (%s): STATUS 0x%x, ERR_CODE %u",
	      tag, status, tsa_reg_read(a, TS_REG_ERR_CODE));
	tsa_reg_write(a, TS_REG_STATUS, TS_STATUS_DONE | TS_STATUS_ERROR);
	size_t changed = 0, at = 0;
	for (size_t i = 0; i < MEM_BYTES; i++)
		if ((ab > 1 || i < st - MEM_BASE || i >= st - MEM_BASE + st_bytes) && mem[i] != expect[i] && !changed++)
			at = i;
	check(!changed, "long transfers (%s): %zu bytes differ from the expected memory, first at 0x%" PRIx64
	      " (the STORE [0x%" PRIx64 ", +%u))", tag, changed, (uint64_t)(MEM_BASE + at), st, st_bytes);
	check(cycles >= ideal, "long transfers (%s): CYCLES %" PRIu64 " below the ideal port's %" PRIu64, tag, cycles,
	      ideal);
	const tsa_stats *s = tsa_get_stats(a);
	check(s->split_4k >= 2 && (s->max_beats == 256 || (uint64_t)ld_bytes < 256u * tsa_axi_dw() / 8),
	      "long transfers (%s): %" PRIu64 " bursts split at 4 KiB, longest %" PRIu64 " beats", tag, s->split_4k,
	      s->max_beats);
	printf("long %s: LOAD %u bytes at 0x%" PRIx64 ", STORE %u bytes at 0x%" PRIx64 ": %s; %" PRIu64
	       " cycles, ideal port %" PRIu64 " (%+" PRId64 "); %" PRIu64 " AR + %" PRIu64 " AW bursts, %" PRIu64
	       " split at 4 KiB, longest %" PRIu64 " beats\n", tag, ld_bytes, ld, st_bytes, st,
	       changed ? "memory WRONG" : "memory as expected", cycles, ideal, (int64_t)(cycles - ideal), s->ar_bursts,
	       s->aw_bursts, s->split_4k, s->max_beats);
	free(expect);
}

/* A random small layer that the config can run. */
static ts_layer random_layer(const ts_hwcfg *c, int i, char *name, size_t name_size)
{
	ts_diag d = { "" };
	for (int tries = 0;; tries++) {
		ts_layer l;
		if (tries == 1000) {   /* nothing random fits: the smallest layer */
			snprintf(name, name_size, "fc%d", i);
			return ts_layer_fc(name, 1, 1, 1);
		}
		uint32_t kind = i == 0 ? 4 : rnd() % 4;
		if (kind == 4) {   /* many output pixels: long LOADs (bursts split at 256 beats, 4 KiB) */
			uint32_t hw = 24 + rnd() % 17;
			snprintf(name, name_size, "wide%d", i);
			l = ts_layer_conv(name, 1 + rnd() % 8, 1 + rnd() % 4, hw, hw, 1, 1, 1, 0, 1);
		} else if (kind == 0) {
			snprintf(name, name_size, "fc%d", i);
			l = ts_layer_fc(name, 1 + rnd() % 3, 1 + rnd() % 24, 1 + rnd() % 40);
		} else {
			uint32_t ch = 1 + rnd() % 12, k = 1 + rnd() % 12, h = 3 + rnd() % 7, w = 3 + rnd() % 7;
			uint32_t r = (rnd() % 2) ? 3 : 1, stride = 1 + rnd() % 2, pad = r == 3 ? rnd() % 2 : 0;
			uint32_t groups = 1;
			if (kind == 3) {   /* depthwise */
				k = ch;
				groups = ch;
			}
			snprintf(name, name_size, "%s%d", kind == 3 ? "dw" : "conv", i);
			l = ts_layer_conv(name, k, ch, h, w, r, r, stride, pad, groups);
		}
		ts_layer_buffers b;
		if (ts_layer_validate(&l, &d) == TS_OK && ts_layer_buffers_plan(c, &l, MEM_BASE, &b, &d) == TS_OK &&
		    b.total < MEM_BYTES / 2)
			return l;
	}
}

int main(int argc, char **argv)
{
	const char *config = NULL;
	uint64_t seed = (uint64_t)time(NULL);
	const char *env = getenv("TS_SEED");
	int layers_n = 4;
	if (env && *env)
		seed = strtoull(env, NULL, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			config = argv[++i];
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--layers") && i + 1 < argc)
			layers_n = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: %s --config PRESET_OR_JSON [--seed N] [--layers N]\n", argv[0]);
			return 2;
		}
	}
	ts_hwcfg c;
	ts_diag d = { "" };
	if (!config || ts_hwcfg_resolve(config, &c, &d)) {
		fprintf(stderr, "axi_test: --config: %s\n", config ? d.msg : "missing (the config the model was built for)");
		return 2;
	}
	if (c.dram_bytes_per_cycle != tsa_bpc()) {
		fprintf(stderr, "axi_test: config %s has %u bytes per cycle, the model was built for %u\n", config,
			c.dram_bytes_per_cycle, tsa_bpc());
		return 2;
	}
	if (layers_n < 1 || layers_n > 64) {
		fprintf(stderr, "axi_test: --layers %d: must be 1..64\n", layers_n);
		return 2;
	}
	printf("axi_test %s AXI_DW=%u B=%u: seed %" PRIu64 " (TS_SEED=%" PRIu64 " reproduces)\n", c.name,
	       tsa_axi_dw(), tsa_bpc(), seed, seed);
	rng_state = seed;

	tsa *a = tsa_create(MEM_BASE, MEM_BYTES);
	if (!a) {
		fprintf(stderr, "axi_test: out of memory\n");
		return 1;
	}
	check(tsa_reg_read(a, TS_REG_ID) == TS_REG_ID_MAGIC, "ID register through the AXI4-Lite slave");
	check(tsa_reg_read(a, TS_REG_HW_ROWS) == c.rows && tsa_reg_read(a, TS_REG_HW_COLS) == c.cols,
	      "HW_ROWS / HW_COLS");
	check((tsa_reg_read(a, TS_REG_HW_DRAM) & TS_HW_DRAM_BYTES_PER_CYCLE) == c.dram_bytes_per_cycle, "HW_DRAM");
	check(tsa_reg_read(a, REG_AXI_STATUS) == 0, "AXI_STATUS after reset");

	ts_layer layers[64];
	char names[64][16];
	for (int i = 0; i < layers_n; i++)
		layers[i] = random_layer(&c, i, names[i], sizeof names[i]);

	static const double stall[] = { 0.0, 0.1, 0.3 };
	for (size_t k = 0; k < sizeof stall / sizeof *stall; k++) {
		tsa_slave s = { stall[k], c.dram_latency, stall[k] > 0 ? c.dram_latency + 8 : c.dram_latency,
				seed + k };
		tsa_set_slave(a, &s);
		char tag[32];
		snprintf(tag, sizeof tag, "stall %.1f", stall[k]);
		uint64_t cyc = 0, ideal = 0, transfers = 0, priced = 0;
		run_result sum = { 0 };
		for (int i = 0; i < layers_n; i++) {
			run_result r = run_layer(a, &c, &layers[i], seed + 100 * k + (uint64_t)i, tag);
			cyc += r.cycles;
			ideal += r.ideal;
			transfers += r.transfers;
			priced += r.priced;
			sum.reads += r.reads;
			sum.writes += r.writes;
			sum.read_cycles += r.read_cycles;
			sum.read_beats += r.read_beats;
			sum.write_cycles += r.write_cycles;
			sum.write_beats += r.write_beats;
		}
		double over = (double)cyc - (double)ideal;
		printf("%s: latency %u..%u, %d layers: %" PRIu64 " cycles over the ideal port's %" PRIu64
		       " (%+.1f %%), %.2f cycles per transfer (%" PRIu64 " transfers)\n", tag, s.lat_min, s.lat_max,
		       layers_n, (uint64_t)over, ideal, ideal ? 100.0 * over / (double)ideal : 0,
		       transfers ? over / (double)transfers : 0, transfers);
		run_long(a, &c, tag);
		if (stall[k] == 0 && sum.reads && sum.writes) {
			/* per transfer, request to last beat, beyond the ideal port's: reads
			 * L + n - 1, writes L + M (n - 1) (docs/timing.md) */
			double rd = ((double)sum.read_cycles - (double)sum.read_beats -
				     (double)sum.reads * (c.dram_latency - 1)) / (double)sum.reads;
			double wr = ((double)sum.write_cycles - (double)c.requant_cycles * (double)sum.write_beats -
				     (double)sum.writes * ((double)c.dram_latency - (double)c.requant_cycles)) / (double)sum.writes;
			printf("%s: the master's own latency, request to last beat beyond the ideal port's: reads %+.2f "
			       "cycles (%" PRIu64 "), writes %+.2f cycles (%" PRIu64 ")\n", tag, rd, sum.reads, wr,
			       sum.writes);
		}
		if (stall[k] == 0) {
			/* the fixed overhead priced: dram.latency = the slave's + AXI_PRICE_L */
			double err = (double)cyc - (double)priced;
			printf("%s: the cost model at dram.latency %u + %d: %" PRIu64 " cycles, the top %" PRIu64
			       " (%+.2f %%)\n", tag, c.dram_latency, AXI_PRICE_L, priced, cyc,
			       priced ? 100.0 * err / (double)priced : 0);
			check(priced && (err < 0 ? -err : err) <= 0.05 * (double)priced,
			      "%s: the cost model at dram.latency + %d is %" PRIu64 " cycles, the top %" PRIu64 " (over 5 %%)",
			      tag, AXI_PRICE_L, priced, cyc);
		}
	}

	/* SLVERR on a read and on a write: the run completes, AXI_STATUS shows both */
	tsa_slave s0 = { 0.0, c.dram_latency, c.dram_latency, seed };
	tsa_set_slave(a, &s0);
	tsa_inject_errors(a, 1, 1);
	tsa_reg_write(a, TS_REG_STATUS, TS_STATUS_DONE | TS_STATUS_ERROR);
	ts_layer small = ts_layer_fc("err", 1, 4, 8);
	ts_layer_operands op;
	memset(&op, 0, sizeof op);
	ts_layer_image img = { 0 };
	if (ts_layer_operands_random(&c, &small, seed, &op, &d) ||
	    ts_layer_image_build(&c, &small, MEM_BASE + 64, op.w, op.x, &op.q.q, &img, &d)) {
		check(0, "error run: %s", d.msg);
	} else {
		memcpy(tsa_mem(a) + 64, img.bytes, img.b.total);
		tsa_reg_write(a, TS_REG_DESC_LO, (uint32_t)(MEM_BASE + 64 + img.b.desc_off));
		tsa_reg_write(a, TS_REG_DESC_MAX, (uint32_t)img.b.desc_count);
		tsa_reg_write(a, TS_REG_CTRL, TS_CTRL_START | TS_CTRL_IRQ_ENABLE);
		uint64_t limit = tsa_cycle(a) + 200000;
		while (!tsa_irq(a) && tsa_cycle(a) < limit)
			tsa_step(a, 16);
		uint32_t st = tsa_reg_read(a, TS_REG_STATUS);
		uint32_t ax = tsa_reg_read(a, REG_AXI_STATUS);
		check((st & TS_STATUS_DONE) && ax == 3, "SLVERR on a read and a write: STATUS 0x%x, AXI_STATUS 0x%x "
		      "(want DONE, 3)", st, ax);
		tsa_reg_write(a, REG_AXI_STATUS, 1);
		uint32_t ax1 = tsa_reg_read(a, REG_AXI_STATUS);
		tsa_reg_write(a, REG_AXI_STATUS, 2);
		uint32_t ax2 = tsa_reg_read(a, REG_AXI_STATUS);
		check(ax1 == 2 && ax2 == 0, "AXI_STATUS after writing 1, then 2: 0x%x, 0x%x (want 2, 0)", ax1, ax2);
		check(tsa_reg_read(a, TS_REG_ID) == TS_REG_ID_MAGIC, "ID after the board register");
		printf("errors: SLVERR on a read and a write: run %s, AXI_STATUS 0x%x, cleared bit by bit to 0x%x, 0x%x\n",
		       (st & TS_STATUS_DONE) ? "done" : "NOT done", ax, ax1, ax2);
	}
	ts_layer_operands_free(&op);
	ts_layer_image_free(&img);

	const tsa_stats *s = tsa_get_stats(a);
	check(s->violations == 0, "%" PRIu64 " AXI / transfer rule violations, the first: %s", s->violations,
	      tsa_violation(a));
	tsa_free(a);
	printf("axi_test %s AXI_DW=%u: %d passed, %d failed\n", c.name, tsa_axi_dw(), pass, fail);
	return fail ? 1 : 0;
}
