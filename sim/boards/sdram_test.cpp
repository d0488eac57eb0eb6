// sdram_test.cpp — the Verilator test of the SDRAM controller (make sdramsim,
// tests/cli_sdram.sh; docs/sdram.md): tb_sdram (ts_axi4_master + ts_sdram) on the chip
// model of sdram_model.cpp, driven from the accelerator's side of the memory port as
// ts_top drives it: random transfers (any byte address, 1 .. 9000 bytes, reads and
// writes, a random mem_wvalid) against a C reference memory, every read byte checked;
// then the figures for the cost model: the first-beat latency of short reads (row hit,
// row miss) and the bandwidth of long sequential reads and writes.
// Checks: read bytes equal the reference; zero model violations; AUTO REFRESH at
// least every tREFI (the model) and the longest interval printed; RLAST on each read
// burst's last beat and one B per AW (the AXI between the two); no SLVERR; the run ends.
// Build-time parameters (the Makefile): TSS_DW, TSS_B, TSS_CLK_HZ, TSS_CL.
// Usage: sdram_test [--seed N] [--transfers N]; TS_SEED also sets the seed.
#include "Vtb_sdram.h"
#include "verilated.h"

#include "sdram_model.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <vector>

static const uint32_t MEM_BYTES = 32u << 20;

struct tb {
	Vtb_sdram *top;
	sdram_model *chip;
	uint64_t cycle = 0;
	std::vector<uint8_t> ref;
	uint64_t fails = 0, checks = 0;
	// AXI observation
	uint64_t ar_bursts = 0, aw_bursts = 0, b_resps = 0, r_beats_left = 0;
	std::vector<uint32_t> ar_lens;
};

static uint64_t rng_state;
static uint64_t rnd(void)
{
	// xorshift64*
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ull;
}
static uint32_t rnd_below(uint32_t n) { return (uint32_t)(rnd() % n); }

static void fail(tb &t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(tb &t, const char *fmt, ...)
{
	t.fails++;
	if (t.fails > 20)
		return;
	va_list ap;
	va_start(ap, fmt);
	printf("FAIL (cycle %llu): ", (unsigned long long)t.cycle);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

// One clock cycle: inputs of this cycle set by the caller, the chip's DQ for the next edge,
// combinational outputs evaluated, the SDRAM pins given to the model, then the edge.
static void tick(tb &t)
{
	Vtb_sdram *v = t.top;
	v->sdram_dq_i = t.chip->dq_for_edge(t.cycle + 1);
	v->clk_i = 0;
	v->eval();
	sdram_pins p = { v->sdram_cke_o, v->sdram_csn_o, v->sdram_rasn_o, v->sdram_casn_o, v->sdram_wen_o,
			 v->sdram_ba_o, v->sdram_a_o, v->sdram_dqm_o, v->sdram_dq_o, v->sdram_dq_oe_o };
	if (v->rst_ni)
		t.chip->step(t.cycle, p);
	// AXI: RLAST on each read burst's last beat, B responses
	if (v->rst_ni) {
		if (v->arvalid_o && v->arready_o) {
			t.ar_bursts++;
			t.ar_lens.push_back((uint32_t)v->arlen_o + 1);
		}
		if (v->awvalid_o && v->awready_o)
			t.aw_bursts++;
		if (v->bvalid_o && (!v->direct_i || v->d_bready_i))
			t.b_resps++;    // the master's BREADY is always high
		if (v->rvalid_o && v->rready_o) {
			if (t.r_beats_left == 0) {
				if (t.ar_lens.empty()) {
					fail(t, "an R beat without an AR");
				} else {
					t.r_beats_left = t.ar_lens.front();
					t.ar_lens.erase(t.ar_lens.begin());
				}
			}
			if (t.r_beats_left) {
				t.r_beats_left--;
				if ((bool)v->rlast_o != (t.r_beats_left == 0))
					fail(t, "RLAST %d with %llu beats of the burst left", v->rlast_o,
					     (unsigned long long)t.r_beats_left);
			}
		}
	}
	v->clk_i = 1;
	v->eval();
	t.cycle++;
}

struct xfer_stats {
	uint64_t cycles;      // from the request to the last beat, inclusive
	uint64_t first;       // from the request to the first beat
};

// One transfer through the memory port, as ts_top does it; checks a read's bytes
// against the reference and applies a write to it. wvalid_p: probability (1/256) of
// mem_wvalid low in a cycle.
static xfer_stats transfer(tb &t, bool we, uint32_t addr, uint32_t len, int wvalid_p)
{
	Vtb_sdram *v = t.top;
	const uint32_t B = TSS_B;
	uint32_t beats = (len + B - 1) / B;
	std::vector<uint8_t> data(len);
	if (we)
		for (uint32_t i = 0; i < len; i++)
			data[i] = (uint8_t)rnd();
	uint64_t t0 = t.cycle, first = 0;
	uint32_t given = 0;
	const uint64_t limit = t.cycle + 200000 + 40ull * len;
	while (given < beats) {
		if (t.cycle > limit) {
			fail(t, "%s of %u bytes at 0x%x: %u of %u beats after %llu cycles", we ? "write" : "read",
			     len, addr, given, beats, (unsigned long long)(t.cycle - t0));
			break;
		}
		bool req = (t.cycle == t0);
		v->mem_req_i = req;
		v->mem_we_i = we;
		v->mem_addr_i = addr;
		v->mem_len_i = len;
		// the beat's data: beat `given` (valid from the request on, and after each beat)
		uint32_t w[(8 * TSS_B + 31) / 32] = { 0 };
		for (uint32_t k = 0; k < B; k++) {
			uint32_t at = given * B + k;
			uint8_t byte = at < len ? data[at] : 0;
			w[k / 4] |= (uint32_t)byte << (8 * (k % 4));
		}
#if TSS_B <= 4
		v->mem_wdata_i = w[0];
#else
		v->mem_wdata_i = ((uint64_t)w[1] << 32) | w[0];
#endif
		v->mem_wvalid_i = !we || (int)(rnd() & 255) >= wvalid_p;
		v->clk_i = 0;
		v->eval();
		bool beat = v->mem_beat_o && !req;
		if (beat) {
			if (given == 0)
				first = t.cycle - t0;
			if (!we) {
				uint64_t r = v->mem_rdata_o;
				for (uint32_t k = 0; k < B && given * B + k < len; k++) {
					uint32_t at = addr + given * B + k;
					uint8_t got = (uint8_t)(r >> (8 * k));
					t.checks++;
					if (got != t.ref[at])
						fail(t, "read [0x%x, +%u) beat %u: byte 0x%x is 0x%02x, expected 0x%02x",
						     addr, len, given, at, got, t.ref[at]);
				}
			}
			given++;
		}
		tick(t);
	}
	v->mem_req_i = 0;
	if (we)
		memcpy(&t.ref[addr], data.data(), len);
	xfer_stats s = { t.cycle - t0, first };
	return s;
}

// The slave's AXI port driven directly: `bursts` random bursts (reads and writes of
// 1 .. 16 beats, some up to 256, within 4 KiB; random WSTRB), AR and AW valid at once,
// W beats offered at random, RREADY and BREADY low at random (p / 256 each). What the
// master cannot do: a WRITE right behind a READ's data (the bus turn), a PRECHARGE right
// after a WRITE (tWR), the read FIFO full, a B response held while refresh is due.
// The reference takes a write burst's data when its AW is accepted and a read burst's
// expected words when its AR is (the slave runs one burst at a time, in that order).
static void direct(tb &t, long bursts, int p_stall)
{
	Vtb_sdram *v = t.top;
	const uint32_t BW = TSS_DW / 8;
	struct burst { uint32_t addr, beats; std::vector<uint64_t> data, strb; };
	std::vector<burst> rq, wq, wdata_q;   // to issue; write bursts whose W beats are not all sent
	std::vector<std::vector<uint64_t>> r_expect;
	for (long i = 0; i < bursts; i++) {
		burst b;
		b.beats = rnd_below(8) == 0 ? 1 + rnd_below(256) : 1 + rnd_below(16);
		// half of them in 16 KiB (4 rows of each bank): row hits right after the last
		// burst, and row misses in a bank just written
		b.addr = (rnd() & 1) ? 0x40000u + rnd_below(16384 / BW - b.beats) * BW
				     : rnd_below(MEM_BYTES / BW - b.beats) * BW;
		if ((b.addr & 4095) + b.beats * BW > 4096)
			b.beats = (4096 - (b.addr & 4095)) / BW;
		if (rnd() & 1) {
			for (uint32_t k = 0; k < b.beats; k++) {
				b.data.push_back(rnd());
				b.strb.push_back(rnd_below(4) == 0 ? rnd() & ((1ull << BW) - 1) : (1ull << BW) - 1);
			}
			wq.push_back(b);
		} else {
			rq.push_back(b);
		}
	}
	size_t w_beat = 0, r_got = 0, r_words_done = 0;
	size_t n_w = wq.size(), aw_done = 0, ar_done = 0, b_done = 0, n_r = rq.size();
	uint64_t t0 = t.cycle;
	v->direct_i = 1;
	while ((ar_done < n_r || aw_done < n_w || r_expect.size() > r_got || b_done < n_w || !wdata_q.empty()) &&
	       t.cycle < t0 + 4000000) {
		v->d_arvalid_i = ar_done < n_r;
		if (ar_done < n_r) {
			v->d_araddr_i = rq[ar_done].addr;
			v->d_arlen_i = rq[ar_done].beats - 1;
		}
		v->d_awvalid_i = aw_done < n_w;
		if (aw_done < n_w) {
			v->d_awaddr_i = wq[aw_done].addr;
			v->d_awlen_i = wq[aw_done].beats - 1;
		}
		// W beats in order of the write bursts (the slave takes them after their AW)
		bool wv = !wdata_q.empty() || aw_done < n_w;
		const burst *wb = !wdata_q.empty() ? &wdata_q.front() : (aw_done < n_w ? &wq[aw_done] : nullptr);
		v->d_wvalid_i = wv && (int)(rnd() & 255) >= p_stall;
		if (wb) {
			v->d_wdata_i = wb->data[w_beat];
			v->d_wstrb_i = wb->strb[w_beat];
		}
		v->d_rready_i = (int)(rnd() & 255) >= p_stall;
		v->d_bready_i = (int)(rnd() & 255) >= p_stall;
		v->clk_i = 0;
		v->eval();
		bool ar = v->d_arvalid_i && v->arready_o, aw = v->d_awvalid_i && v->awready_o;
		bool w = v->d_wvalid_i && v->wready_o, r = v->rvalid_o && v->d_rready_i;
		bool bb = v->bvalid_o && v->d_bready_i;
		if (r) {
			if (r_got >= r_expect.size()) {
				fail(t, "direct: an R beat with no read burst outstanding");
			} else {
				uint64_t want = r_expect[r_got][r_words_done];
				uint64_t got = v->rdata_o;
				if (got != want)
					fail(t, "direct: read burst %zu beat %zu: 0x%llx, expected 0x%llx", r_got, r_words_done,
					     (unsigned long long)got, (unsigned long long)want);
				t.checks += BW;
				if (++r_words_done == r_expect[r_got].size()) {
					r_got++;
					r_words_done = 0;
				}
			}
		}
		if (w) {
			const burst &cur = wdata_q.empty() ? wq[aw_done] : wdata_q.front();
			if (wdata_q.empty() && !aw)
				fail(t, "direct: a W beat taken before its AW");
			if (++w_beat == cur.beats) {
				w_beat = 0;
				if (!wdata_q.empty())
					wdata_q.erase(wdata_q.begin());
				else
					aw_done++, wdata_q.clear(), aw = false;   // AW and all its W in this cycle
			}
		}
		if (aw) {
			const burst &b = wq[aw_done];
			for (uint32_t k = 0; k < b.beats; k++)
				for (uint32_t j = 0; j < BW; j++)
					if ((b.strb[k] >> j) & 1)
						t.ref[b.addr + k * BW + j] = (uint8_t)(b.data[k] >> (8 * j));
			// its W beats not all sent yet: they follow
			if (!(w && w_beat == 0))
				wdata_q.push_back(b);
			aw_done++;
		}
		if (ar) {
			const burst &b = rq[ar_done];
			std::vector<uint64_t> words;
			for (uint32_t k = 0; k < b.beats; k++) {
				uint64_t x = 0;
				for (uint32_t j = 0; j < BW; j++)
					x |= (uint64_t)t.ref[b.addr + k * BW + j] << (8 * j);
				words.push_back(x);
			}
			r_expect.push_back(words);
			ar_done++;
		}
		if (bb)
			b_done++;
		tick(t);
	}
	v->direct_i = 0;
	v->d_arvalid_i = v->d_awvalid_i = v->d_wvalid_i = 0;
	if (ar_done < n_r || aw_done < n_w || r_got < n_r || b_done < n_w)
		fail(t, "direct: %zu / %zu AR, %zu / %zu AW, %zu read bursts complete, %zu B after %llu cycles", ar_done, n_r,
		     aw_done, n_w, r_got, b_done, (unsigned long long)(t.cycle - t0));
	printf("direct AXI (stall %d/256): %zu read bursts, %zu write bursts in %llu cycles\n", p_stall, n_r, n_w,
	       (unsigned long long)(t.cycle - t0));
}

// idle cycles (refreshes happen)
static void idle(tb &t, uint32_t n)
{
	t.top->mem_req_i = 0;
	for (uint32_t i = 0; i < n; i++)
		tick(t);
}

int main(int argc, char **argv)
{
	uint64_t seed = 0;
	const char *env = getenv("TS_SEED");
	if (env)
		seed = strtoull(env, NULL, 10);
	long transfers = 20000;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			seed = strtoull(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--transfers") && i + 1 < argc) {
			char *end;
			transfers = strtol(argv[++i], &end, 10);
			if (*end || transfers < 1 || transfers > 10000000) {
				fprintf(stderr, "sdram_test: --transfers '%s': must be 1..10000000\n", argv[i]);
				return 2;
			}
		} else {
			fprintf(stderr, "usage: sdram_test [--seed N] [--transfers N]\n");
			return 2;
		}
	}
	if (!seed)
		seed = 1;
	rng_state = seed * 0x9E3779B97F4A7C15ull + 1;
	printf("sdram_test: AXI_DW %d, B %d, %.1f MHz, CL %d, seed %llu (TS_SEED=%llu reproduces)\n", TSS_DW, TSS_B,
	       TSS_CLK_HZ / 1e6, TSS_CL, (unsigned long long)seed, (unsigned long long)seed);

	// the ULX3S defaults of ts_sdram (docs/sdram.md)
	sdram_timing tm = { TSS_CLK_HZ, 13, 9, 21, 21, 66, 44, 15, 66, 15, 2, 7800, 200000, 2 };
	sdram_model chip(tm);
	tb t;
	t.top = new Vtb_sdram;
	t.chip = &chip;
	t.ref.assign(MEM_BYTES, 0);
	Vtb_sdram *v = t.top;
	v->rst_ni = 0;
	v->mem_req_i = 0;
	v->mem_wvalid_i = 1;
	for (int i = 0; i < 8; i++)
		tick(t);
	v->rst_ni = 1;
	uint64_t t_ready = t.cycle;
	while (!v->ready_o && t.cycle < t_ready + 200000)
		tick(t);
	if (!v->ready_o)
		fail(t, "not ready after %llu cycles", (unsigned long long)(t.cycle - t_ready));
	printf("power-up: ready after %llu cycles (%.1f us)\n", (unsigned long long)(t.cycle - t_ready),
	       (t.cycle - t_ready) * 1e6 / TSS_CLK_HZ);

	// random transfers: mostly short, some long (4 KiB splits, row and bank changes,
	// refreshes inside bursts); half of them in a 64 KiB window so reads meet written data
	uint64_t bytes_r = 0, bytes_w = 0, nr = 0, nw = 0, lr_n = 0, lw_n = 0;
	double lr_sum = 0, lw_sum = 0;
	for (long i = 0; i < transfers && t.fails == 0; i++) {
		bool we = rnd() & 1;
		uint32_t r = rnd_below(100);
		uint32_t len = r < 70 ? 1 + rnd_below(64) : r < 95 ? 1 + rnd_below(2048) : 1 + rnd_below(9000);
		uint32_t addr = (rnd() & 1) ? 0x1F0000u + rnd_below(0x10000 - len) : rnd_below(MEM_BYTES - len);
		xfer_stats x = transfer(t, we, addr, len, (i & 3) ? 0 : 64);
		if (we) { bytes_w += len; nw++; } else { bytes_r += len; nr++; }
		// the cost model's latency: the last beat at L + beats - 1 from the request
		// (docs/timing.md); writes with a random mem_wvalid are left out
		if (!we || (i & 3)) {
			double l = (double)(x.cycles - 1) - (double)((len + TSS_B - 1) / TSS_B - 1);
			(we ? lw_sum : lr_sum) += l;
			(we ? lw_n : lr_n)++;
		}
		if (rnd_below(16) == 0)
			idle(t, rnd_below(400));
	}
	printf("random: %llu reads (%llu bytes), %llu writes (%llu bytes), %llu bytes checked, %llu cycles\n",
	       (unsigned long long)nr, (unsigned long long)bytes_r, (unsigned long long)nw,
	       (unsigned long long)bytes_w, (unsigned long long)t.checks, (unsigned long long)t.cycle);

	direct(t, transfers / 4, 0);
	direct(t, transfers / 4, 80);

	printf("cost-model latency (last beat - beats + 1), random transfers: read %.2f, write %.2f cycles\n",
	       lr_sum / (double)(lr_n ? lr_n : 1), lw_sum / (double)(lw_n ? lw_n : 1));

	// figures: first beat of short reads (row hit: the same row as the last read; row miss:
	// another row of the same bank), long sequential reads and writes
	uint64_t hit_sum = 0, miss_sum = 0, hit_n = 0, miss_n = 0, hit_max = 0, miss_max = 0;
	for (int i = 0; i < 200; i++) {
		uint32_t base = 0x100000u + (uint32_t)i * 0x1000u;      // another row each time, bank 0
		transfer(t, false, base, 4, 0);
		idle(t, 20);
		xfer_stats m = transfer(t, false, base + 0x2000000u / 64, 4, 0);
		xfer_stats h = transfer(t, false, base + 0x2000000u / 64 + 64, 4, 0);
		miss_sum += m.first; miss_n++; if (m.first > miss_max) miss_max = m.first;
		hit_sum += h.first;  hit_n++;  if (h.first > hit_max) hit_max = h.first;
		idle(t, 5);
	}
	// the cost model's latency by transfer size: random reads / writes of that many bytes
	printf("cost-model latency by size (read / write, cycles, 64 each at random addresses):");
	static const uint32_t sizes[] = { 32, 256, 2048, 8192 };
	for (uint32_t si = 0; si < 4; si++) {
		double lsum[2] = { 0, 0 };
		for (int i = 0; i < 64; i++) {
			for (int we = 0; we < 2; we++) {
				uint32_t len = sizes[si];
				xfer_stats x = transfer(t, we, rnd_below(MEM_BYTES - len), len, 0);
				lsum[we] += (double)(x.cycles - 1) - (double)((len + TSS_B - 1) / TSS_B - 1);
				idle(t, rnd_below(50));
			}
		}
		printf(" %u B: %.1f / %.1f%s", sizes[si], lsum[0] / 64, lsum[1] / 64, si == 3 ? "\n" : ",");
	}
	uint64_t rc = 0, wc = 0, rb = 0, n_long = 16;
	for (uint64_t i = 0; i < n_long; i++) {
		uint32_t base = 0x800000u + (uint32_t)i * 0x10000u;
		xfer_stats w = transfer(t, true, base, 8192, 0);
		xfer_stats r = transfer(t, false, base, 8192, 0);
		wc += w.cycles; rc += r.cycles - r.first; rb += 8192;
	}
	printf("first beat of a 4-byte read: row hit %.2f cycles (max %llu), row miss %.2f (max %llu)\n",
	       (double)hit_sum / hit_n, (unsigned long long)hit_max, (double)miss_sum / miss_n,
	       (unsigned long long)miss_max);
	printf("sequential 8 KiB: read %.3f bytes/cycle after the first beat, write %.3f bytes/cycle (request to done)\n",
	       (double)rb / rc, (double)rb / wc);
	printf("  = %.1f MB/s read, %.1f MB/s write at %.1f MHz\n", (double)rb / rc * TSS_CLK_HZ / 1e6,
	       (double)rb / wc * TSS_CLK_HZ / 1e6, TSS_CLK_HZ / 1e6);

	idle(t, 1000);
	chip.finish(t.cycle);
	if (v->err_o)
		fail(t, "the master saw SLVERR / DECERR: err %d", v->err_o);
	if (t.b_resps != t.aw_bursts)
		fail(t, "%llu B responses for %llu write bursts", (unsigned long long)t.b_resps,
		     (unsigned long long)t.aw_bursts);
	double gap_us = chip.max_ref_gap * 1e6 / TSS_CLK_HZ;
	printf("refresh: %llu AUTO REFRESH in %llu cycles, longest interval %llu cycles = %.2f us (tREFI 7.8 us)\n",
	       (unsigned long long)chip.refreshes, (unsigned long long)t.cycle,
	       (unsigned long long)chip.max_ref_gap, gap_us);
	uint64_t expect_refs = (uint64_t)(t.cycle * 1e6 / TSS_CLK_HZ / 7.8);
	if (chip.refreshes < expect_refs)
		fail(t, "%llu refreshes, at least %llu expected in %llu cycles", (unsigned long long)chip.refreshes,
		     (unsigned long long)expect_refs, (unsigned long long)t.cycle);
	printf("commands: %llu ACTIVE, %llu READ, %llu WRITE, %llu PRECHARGE; %llu AR, %llu AW bursts\n",
	       (unsigned long long)chip.acts, (unsigned long long)chip.reads, (unsigned long long)chip.writes,
	       (unsigned long long)chip.precharges, (unsigned long long)t.ar_bursts, (unsigned long long)t.aw_bursts);
	printf("model: %llu violations\n", (unsigned long long)chip.violations);
	if (chip.violations)
		t.fails++;
	printf("sdram_test: %llu read bytes checked, %llu failed\n", (unsigned long long)t.checks,
	       (unsigned long long)t.fails);
	v->final();
	delete v;
	return t.fails ? 1 : 0;
}
