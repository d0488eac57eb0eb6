/* board_test.c — a Verilated board top (board_shim.h) driven over its UART pins by the
 * host's link (driver/uart_link.c), as a host drives the real board: the ID register,
 * INFO, each layer's memory image (ts_layer_image_build at the board memory's base)
 * written with MEM_WRITE frames, the run programmed as tsd_run programs it, STATUS polled,
 * the outputs read back and compared element by element with the golden model
 * (ts_layer_ref), CYCLES with the cost model (ts_cost_layer: equal). On the way, faults on
 * the wire: dropped and corrupted bytes of requests, a corrupted and a lost answer, a
 * doorbell sent again after its answer was lost (not executed twice); and the board's
 * refusals (memory outside, memory busy).
 * Usage: board_test --config NAME [--seed N]. One line per failure, then
 * "board_test <board> <config>: N passed, M failed"; exit 0 when nothing failed. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board_shim.h"
#include "tb_check.h"
#include "driver/uart_link.h"
#include "tessera/cost.h"
#include "tessera/hwcfg.h"
#include "tessera/regmap.h"
#include "tessera/runtime.h"
#include "tessera/workload.h"

/* The link's byte transport over the simulated pins, with one-shot faults. */
typedef struct wire {
	tsb *b;
	long req_corrupt, req_drop; /* byte of the next request frame to damage; -1 none */
	uint8_t req_mask;           /* the bits req_corrupt flips */
	long rsp_corrupt;           /* byte of the next received bytes to damage */
	long rsp_lose;              /* bytes of the next answer to swallow */
} wire;

static int w_send(void *ctx, const uint8_t *buf, size_t n)
{
	wire *w = ctx;
	uint8_t frame[TSD_UL_FRAME_MAX];
	size_t m = 0;
	for (size_t i = 0; i < n && m < sizeof frame; i++) {
		if ((long)i == w->req_drop)
			continue;
		frame[m++] = (uint8_t)((long)i == w->req_corrupt ? buf[i] ^ w->req_mask : buf[i]);
	}
	w->req_drop = w->req_corrupt = -1;
	tsb_send(w->b, frame, m);
	return 0;
}

static long w_recv(void *ctx, uint8_t *buf, size_t n, uint64_t timeout_us)
{
	wire *w = ctx;
	uint64_t cycles = timeout_us * (tsb_clock_hz() / 1000000u) + 1;
	size_t got = tsb_recv(w->b, buf, n, cycles);
	while (w->rsp_lose > 0 && got > 0) {  /* the answer never reached us */
		memmove(buf, buf + 1, --got);
		w->rsp_lose--;
		got += tsb_recv(w->b, buf + got, n - got, cycles);
	}
	if (w->rsp_corrupt >= 0 && (size_t)w->rsp_corrupt < got) {
		buf[w->rsp_corrupt] ^= 0x01;
		w->rsp_corrupt = -1;
	} else if (w->rsp_corrupt >= 0) {
		w->rsp_corrupt -= (long)got;
	}
	return (long)got;
}

static uint32_t reg(tsd_ul *ul, uint32_t off)
{
	uint32_t v = 0;
	ts_diag d = { "" };
	if (tsd_ul_reg_read(ul, off, &v, &d))
		check(0, "REG_READ 0x%x: %s", off, d.msg);
	return v;
}

static void reg_w(tsd_ul *ul, uint32_t off, uint32_t v)
{
	ts_diag d = { "" };
	if (tsd_ul_reg_write(ul, off, v, &d))
		check(0, "REG_WRITE 0x%x: %s", off, d.msg);
}

/* One layer: image, run, outputs and cycles. faults: damage the wire on the way while the
 * image is written. lose_start: lose the answer to the doorbell; the host sends it again
 * after its timeout, when the run is over, and the board must not start a second run. */
static void run_layer(tsd_ul *ul, wire *w, const ts_hwcfg *c, const ts_layer *l, uint64_t seed, int faults,
		      int lose_start)
{
	const tsd_ul_info *info = tsd_ul_get_info(ul);
	ts_diag d = { "" };
	ts_layer_operands op;
	ts_layer_image img = { 0 };
	size_t yn = ts_layer_output_elems(l);
	int32_t *y = calloc(yn, sizeof *y), *gold = calloc(yn, sizeof *gold);
	ts_cost cost;
	if (!y || !gold || ts_layer_operands_random(c, l, seed, &op, &d)) {
		check(0, "layer %s: operands: %s", l->name, d.msg);
		free(y);
		free(gold);
		return;
	}
	if (ts_layer_image_build(c, l, info->mem_base, op.w, op.x, &op.q.q, &img, &d) ||
	    ts_layer_ref(c, l, op.w, op.x, &op.q.q, gold, NULL, &d) || ts_cost_layer(c, l, &cost, &d)) {
		check(0, "layer %s: %s", l->name, d.msg);
		goto out;
	}
	const ts_layer_buffers *b = &img.b;
	if (b->total > info->mem_size) {
		check(0, "layer %s: image of %" PRIu64 " bytes, board memory %u", l->name, b->total, info->mem_size);
		goto out;
	}
	const tsd_ul_stats *s = tsd_ul_get_stats(ul);
	uint64_t retries0 = s->retries;
	double t0 = (double)clock();
	uint64_t cyc0 = tsb_cycle(w->b);
	/* faults, one per frame of the image: which frame, what */
	static const struct {
		uint64_t frame;
		long req_drop, req_corrupt;
		uint8_t mask;
		long rsp_corrupt, rsp_lose;
	} plan[] = {
		{ 1, 40, -1, 0, -1, 0 },     /* a payload byte dropped: the board waits, the gap ends it */
		{ 2, -1, 100, 0x20, -1, 0 }, /* a payload byte flipped: BAD_CRC */
		{ 3, -1, -1, 0, 2, 0 },      /* the answer's CRC byte flipped */
		{ 4, -1, -1, 0, -1, 3 },     /* the answer lost: the write sent again is not redone */
		{ 5, -1, 1, 0x04, -1, 0 },   /* MEM_WRITE's op turned into 0: BAD_CMD at the header */
		{ 6, 3, -1, 0, -1, 0 },       /* an address byte dropped: every later field shifts */
	};
	const size_t nplan = sizeof plan / sizeof *plan;
	for (uint64_t off = 0, frame = 0; off < b->total; off += TSD_UL_MEM_MAX, frame++) {
		size_t n = b->total - off < TSD_UL_MEM_MAX ? b->total - off : TSD_UL_MEM_MAX;
		for (size_t k = 0; faults && k < nplan; k++) {
			if (plan[k].frame != frame)
				continue;
			w->req_drop = plan[k].req_drop;
			w->req_corrupt = plan[k].req_corrupt;
			w->req_mask = plan[k].mask;
			w->rsp_corrupt = plan[k].rsp_corrupt;
			w->rsp_lose = plan[k].rsp_lose;
		}
		if (tsd_ul_mem_write(ul, (uint32_t)(b->base + off), img.bytes + off, n, &d)) {
			check(0, "layer %s: MEM_WRITE at +%" PRIu64 ": %s", l->name, off, d.msg);
			goto out;
		}
	}
	uint64_t write_cycles = tsb_cycle(w->b) - cyc0;
	if (faults)
		check(b->total > 7 * TSD_UL_MEM_MAX && s->retries == retries0 + nplan,
		      "layer %s: %" PRIu64 " retries for %zu faults", l->name, s->retries - retries0, nplan);
	/* the image is there, byte for byte */
	uint8_t *back = malloc(b->total);
	if (back && !tsd_ul_mem_read(ul, (uint32_t)b->base, back, b->total, &d))
		check(!memcmp(back, img.bytes, b->total), "layer %s: the image read back differs", l->name);
	else
		check(0, "layer %s: MEM_READ of the image: %s", l->name, d.msg);
	free(back);

	/* the run, as tsd_run programs it */
	uint64_t desc = b->base + b->desc_off;
	reg_w(ul, TS_REG_STATUS, TS_STATUS_DONE | TS_STATUS_ERROR);
	reg_w(ul, TS_REG_MEM_LO, info->mem_base);
	reg_w(ul, TS_REG_MEM_HI, 0);
	reg_w(ul, TS_REG_MEM_SIZE, info->mem_size);
	reg_w(ul, TS_REG_DESC_LO, (uint32_t)desc);
	reg_w(ul, TS_REG_DESC_HI, (uint32_t)(desc >> 32));
	reg_w(ul, TS_REG_DESC_MAX, (uint32_t)b->desc_count);
	uint64_t timeouts0 = s->timeouts;
	if (lose_start)
		w->rsp_lose = 3;
	reg_w(ul, TS_REG_CTRL, TS_CTRL_START | TS_CTRL_IRQ_ENABLE);
	if (lose_start) {
		uint32_t st = reg(ul, TS_REG_STATUS);
		check(s->timeouts == timeouts0 + 1 && (st & TS_STATUS_DONE) && !(st & TS_STATUS_BUSY),
		      "layer %s: the doorbell sent again after a lost answer: STATUS 0x%x (BUSY: run again)",
		      l->name, st);
	}
	if (faults) {
		/* the memory is the accelerator's while it runs: status 4 */
		ts_diag_clear(&d);
		uint8_t x = 0;
		ts_status st = tsd_ul_mem_write(ul, info->mem_base, &x, 1, &d);
		check(st == TS_ERR_INTERNAL && strstr(d.msg, "busy"), "MEM_WRITE during the run: %d (%s)", st, d.msg);
	}
	uint32_t status = 0;
	int polls = 0;
	do {
		status = reg(ul, TS_REG_STATUS);
	} while ((status & TS_STATUS_BUSY) && ++polls < 100000);
	uint64_t cycles = reg(ul, TS_REG_CYCLES_LO) | (uint64_t)reg(ul, TS_REG_CYCLES_HI) << 32;
	uint32_t err = reg(ul, TS_REG_ERR_CODE), done = reg(ul, TS_REG_DESC_DONE);
	check((status & TS_STATUS_DONE) && !(status & TS_STATUS_ERROR) && err == 0,
	      "layer %s: STATUS 0x%x, ERR_CODE %u at descriptor %u", l->name, status, err, reg(ul, TS_REG_ERR_DESC));
	check(done == b->desc_count, "layer %s: %u descriptors executed, %" PRIu64 " in the list", l->name, done,
	      b->desc_count);
	check(cycles == cost.cycles, "layer %s: CYCLES %" PRIu64 ", the cost model %" PRIu64, l->name, cycles,
	      cost.cycles);
	reg_w(ul, TS_REG_STATUS, TS_STATUS_DONE | TS_STATUS_ERROR);

	/* the outputs */
	memset(img.bytes + b->o_off, 0, b->o_bytes);
	if (tsd_ul_mem_read(ul, (uint32_t)(b->base + b->o_off), img.bytes + b->o_off, b->o_bytes, &d) ||
	    ts_unpack_output(c, l, b, img.bytes, y, &d)) {
		check(0, "layer %s: outputs: %s", l->name, d.msg);
		goto out;
	}
	size_t bad = 0, first = 0;
	for (size_t i = 0; i < yn; i++)
		if (y[i] != gold[i] && !bad++)
			first = i;
	check(!bad, "layer %s: %zu of %zu outputs differ from the golden model, first [%zu]: board %d, golden %d "
	      "(seed %" PRIu64 ")", l->name, bad, yn, first, bad ? y[first] : 0, bad ? gold[first] : 0, seed);
	printf("layer %-6s %zu outputs bit-exact: %s; %" PRIu64 " cycles (model %" PRIu64 "); image %" PRIu64
	       " bytes written in %" PRIu64 " cycles (%.2f s)\n", l->name, yn, bad ? "no" : "yes", cycles, cost.cycles,
	       b->total, write_cycles, ((double)clock() - t0) / CLOCKS_PER_SEC);
out:
	ts_layer_operands_free(&op);
	ts_layer_image_free(&img);
	free(y);
	free(gold);
}

int main(int argc, char **argv)
{
	const char *config = NULL;
	uint64_t seed = (uint64_t)time(NULL);
	const char *env = getenv("TS_SEED");
	if (env && *env)
		seed = strtoull(env, NULL, 0);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			config = argv[++i];
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else {
			fprintf(stderr, "usage: %s --config NAME [--seed N]\n", argv[0]);
			return 2;
		}
	}
	const ts_preset *p = config ? ts_preset_find(config) : NULL;
	if (!p) {
		fprintf(stderr, "board_test: --config names a preset (the one the model was built for)\n");
		return 2;
	}
	ts_hwcfg c;
	p->fill(&c);
	printf("board_test %s %s: seed %" PRIu64 " (--seed %" PRIu64 " reproduces), %u clocks per bit\n", tsb_board(),
	       config, seed, seed, tsb_clks_per_bit());

	tsb *b = tsb_create();
	if (!b) {
		fprintf(stderr, "board_test: out of memory\n");
		return 1;
	}
	wire w = { b, -1, -1, 0, -1, 0 };
	tsd_ul_transport t = { &w, w_send, w_recv };
	tsd_ul_opts o = { tsb_clock_hz() / tsb_clks_per_bit(), 0, 5 };
	tsd_ul *ul = NULL;
	ts_diag d = { "" };
	if (tsd_ul_open(&t, &o, &ul, &d)) {
		printf("FAIL: open: %s\n", d.msg);
		printf("board_test %s %s: 0 passed, 1 failed\n", tsb_board(), config);
		tsb_free(b);
		return 1;
	}
	const tsd_ul_info *info = tsd_ul_get_info(ul);
	check(info->clock_hz == tsb_clock_hz(), "INFO clock %u Hz, the top's %u", info->clock_hz, tsb_clock_hz());
	check(info->baud == tsb_clock_hz() / tsb_clks_per_bit(), "INFO baud %u", info->baud);
	check(info->mem_size >= 4096 && info->mem_base % info->mem_size == 0, "INFO memory %u bytes at 0x%x",
	      info->mem_size, info->mem_base);
	printf("INFO: memory %u bytes at 0x%08x, clock %u Hz, %u baud\n", info->mem_size, info->mem_base,
	       info->clock_hz, info->baud);

	/* the accelerator behind the bridge is the config's */
	check(reg(ul, TS_REG_ID) == TS_REG_ID_MAGIC, "ID register");
	check(reg(ul, TS_REG_VERSION) == TS_REGMAP_VERSION, "VERSION register");
	check(reg(ul, TS_REG_HW_ROWS) == c.rows && reg(ul, TS_REG_HW_COLS) == c.cols, "HW_ROWS / HW_COLS");
	check((reg(ul, TS_REG_HW_DRAM) & TS_HW_DRAM_BYTES_PER_CYCLE) == c.dram_bytes_per_cycle, "HW_DRAM");
	check((reg(ul, TS_REG_HW_PE) & TS_HW_PE_REQUANT_CYCLES) >> TS_HW_PE_REQUANT_CYCLES_LSB == c.requant_cycles,
	      "HW_PE requant cycles");

	/* refusals: outside the memory (status 3), a register offset not aligned (the host's) */
	uint8_t x[4] = { 0 };
	ts_diag_clear(&d);
	check(tsd_ul_mem_read(ul, info->mem_base + info->mem_size - 2, x, 4, &d) == TS_ERR_INPUT,
	      "MEM_READ across the memory's end: %s", d.msg);
	ts_diag_clear(&d);
	check(tsd_ul_mem_write(ul, info->mem_base - 4, x, 4, &d) == TS_ERR_INPUT, "MEM_WRITE below the memory");

	/* bytes at the memory's edges and at odd addresses, through both banks */
	uint8_t pat[300], got[300];
	for (size_t i = 0; i < sizeof pat; i++)
		pat[i] = (uint8_t)(i * 37 + 11);
	uint32_t at[] = { info->mem_base, info->mem_base + 7, info->mem_base + info->mem_size - sizeof pat };
	for (size_t k = 0; k < 3; k++) {
		ts_diag_clear(&d);
		memset(got, 0, sizeof got);
		if (tsd_ul_mem_write(ul, at[k], pat, sizeof pat, &d) || tsd_ul_mem_read(ul, at[k], got, sizeof got, &d))
			check(0, "memory at 0x%x: %s", at[k], d.msg);
		else
			check(!memcmp(pat, got, sizeof pat), "memory at 0x%x reads back different bytes", at[k]);
	}

	ts_layer layers[3];
	layers[0] = ts_layer_conv("conv", 8, 3, 8, 8, 3, 3, 1, 1, 1);
	layers[1] = ts_layer_conv("dw", 8, 8, 6, 6, 3, 3, 2, 1, 8);
	layers[2] = ts_layer_fc("fc", 1, 10, 16);
	for (int i = 0; i < 3; i++)
		run_layer(ul, &w, &c, &layers[i], seed + (uint64_t)i, i == 0, i == 2);

	const tsd_ul_stats *s = tsd_ul_get_stats(ul);
	check(tsb_framing_errors(b) == 0, "%" PRIu64 " framing errors on the board's transmit pin", tsb_framing_errors(b));
	printf("link: %" PRIu64 " requests, %" PRIu64 " retries (%" PRIu64 " timeouts, %" PRIu64 " bad answers, %" PRIu64
	       " refusals); %" PRIu64 " cycles simulated\n", s->requests, s->retries, s->timeouts, s->bad_responses,
	       s->nacks, tsb_cycle(b));
	tsd_ul_close(ul);
	tsb_free(b);
	printf("board_test %s %s: %d passed, %d failed\n", tsb_board(), config, pass, fail);
	return fail ? 1 : 0;
}
