// axi_shim.cpp — the Verilated Zynq top (ts_board_zynq, rtl/boards/) behind the C API of
// axi_shim.h: a host on its AXI4-Lite slave, an AXI4 slave memory on its master port
// with seeded random READY / VALID stalls and latencies, and a checker that runs every
// cycle. Built once per config and AXI width (Makefile, `axisim`): TSA_AXI_DW and TSA_B
// are the top's AXI_DW and the config's bytes per beat.
//
// The checker (every violation counted, the first one's message kept):
// - AXI4, the master's channels (AR, AW, W): VALID low in reset; once VALID is up it
//   stays up with the same payload until READY; AxSIZE the full bus, INCR, ID 0, the
//   address a bus word's, AxLEN + 1 beats not crossing a 4 KiB boundary; WLAST exactly
//   on each burst's last W beat (W may lead its AW: beats wait for it);
// - the core's transfers (ts_top's memory port, public signals of the top): each read
//   burst inside the transfer's bus words and their beats exactly those words; every
//   strobed byte inside [addr, addr + len) and their count exactly len (nothing outside
//   is written); ceil(len / B) core beats, a write beat only with mem_wvalid; every read
//   beat's B bytes equal to the memory's; a write's last beat only after all its B
//   responses (the next command sees the data); no new request before the last beat.
// The slave: R beats as many as ARLEN + 1 with RLAST on the last, from the memory at
// the time the beat is offered; writes applied when a W beat meets its AW; RESP OKAY
// unless errors are injected; accesses outside the memory answer DECERR (a violation).
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "verilated.h"
#include "Vts_board_zynq.h"
#include "Vts_board_zynq___024root.h"

#include "axi_shim.h"

#define BW (TSA_AXI_DW / 8)

// Bytes of a Verilated port or signal, whatever its C type.
static inline uint8_t byte_of(uint32_t v, int i) { return (uint8_t)(v >> (8 * i)); }
static inline uint8_t byte_of(uint64_t v, int i) { return (uint8_t)(v >> (8 * i)); }
static inline uint8_t byte_of(uint16_t v, int i) { return (uint8_t)(v >> (8 * i)); }
static inline uint8_t byte_of(uint8_t v, int i) { return i ? 0 : v; }
template <std::size_t N> static inline uint8_t byte_of(const VlWide<N> &v, int i)
{
	return (uint8_t)(v[i / 4] >> (8 * (i % 4)));
}
static inline void set_bytes(uint32_t &v, const uint8_t *b)
{
	v = 0;
	for (int i = 0; i < BW && i < 4; i++)
		v |= (uint32_t)b[i] << (8 * i);
}
static inline void set_bytes(uint64_t &v, const uint8_t *b)
{
	v = 0;
	for (int i = 0; i < BW && i < 8; i++)
		v |= (uint64_t)b[i] << (8 * i);
}
template <std::size_t N> static inline void set_bytes(VlWide<N> &v, const uint8_t *b)
{
	for (std::size_t w = 0; w < N; w++) {
		uint32_t x = 0;
		for (int i = 0; i < 4; i++)
			x |= (uint32_t)b[4 * w + i] << (8 * i);
		v[w] = x;
	}
}

struct burst {
	uint64_t addr;
	uint32_t len;   // AxLEN
	uint32_t idx;   // beats done
	uint64_t due;   // first R beat / the B response not before this cycle
	uint32_t resp;
};

struct wbeat {
	uint8_t data[BW];
	uint32_t strb;
	bool last;
};

struct chan_snap {
	bool valid = false, ready = false;
	std::vector<uint64_t> payload;
};

struct tsa {
	std::unique_ptr<VerilatedContext> ctx;
	std::unique_ptr<Vts_board_zynq> top;
	uint64_t cycle = 0;
	uint64_t mem_base;
	std::vector<uint8_t> mem;
	tsa_slave slave{ 0.0, 1, 1, 1 };
	uint64_t rng = 1;
	uint32_t err_reads = 0, err_writes = 0;
	bool in_reset = false;
	// slave state
	std::deque<burst> ar_q, aw_q, b_q;
	std::deque<wbeat> w_q;
	bool r_on = false, b_on = false;
	uint8_t r_data[BW];
	uint32_t r_resp = 0, b_resp = 0;
	bool r_last = false;
	bool arready = true, awready = true, wready = true;
	// checker state
	chan_snap ar_prev, aw_prev, w_prev;
	bool tr_on = false, tr_we = false;
	uint64_t tr_addr = 0, tr_len = 0, tr_beats = 0, tr_seen = 0, tr_strobed = 0, tr_words = 0, tr_t0 = 0;
	uint64_t tr_bursts_open = 0;   // write bursts whose B response has not been taken
	tsa_stats st{};
	std::string first;

	uint32_t rnd()
	{
		// xorshift64*
		rng ^= rng >> 12;
		rng ^= rng << 25;
		rng ^= rng >> 27;
		return (uint32_t)((rng * 0x2545F4914F6CDD1Dull) >> 32);
	}
	bool stall() { return slave.p_stall > 0 && rnd() < slave.p_stall * 4294967296.0; }
	uint64_t lat()
	{
		uint32_t span = slave.lat_max - slave.lat_min + 1;
		return slave.lat_min + (span > 1 ? rnd() % span : 0);
	}

	__attribute__((format(printf, 2, 3))) void violation(const char *fmt, ...)
	{
		st.violations++;
		if (!first.empty())
			return;
		char buf[512];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(buf, sizeof buf, fmt, ap);
		va_end(ap);
		char at[64];
		snprintf(at, sizeof at, "cycle %llu: ", (unsigned long long)cycle);
		first = std::string(at) + buf;
	}

	bool in_mem(uint64_t a, uint64_t n) const
	{
		return a >= mem_base && a - mem_base <= mem.size() && n <= mem.size() - (a - mem_base);
	}

	// ---- the slave's outputs for this cycle --------------------------------------------
	void drive()
	{
		Vts_board_zynq *t = top.get();
		t->aresetn = in_reset ? 0 : 1;
		t->m_axi_arready = arready;
		t->m_axi_awready = awready;
		t->m_axi_wready = wready;
		t->m_axi_rvalid = r_on;
		set_bytes(t->m_axi_rdata, r_data);
		t->m_axi_rlast = r_last;
		t->m_axi_rresp = r_resp;
		t->m_axi_rid = 0;
		t->m_axi_bvalid = b_on;
		t->m_axi_bresp = b_resp;
		t->m_axi_bid = 0;
	}

	// One channel's rule: VALID held with its payload until READY.
	void hold_rule(chan_snap &prev, const char *name, bool valid, bool ready, std::vector<uint64_t> &&payload)
	{
		if (prev.valid && !prev.ready) {
			if (!valid)
				violation("%s: VALID dropped before READY", name);
			else if (payload != prev.payload)
				violation("%s: payload changed while VALID and not READY", name);
		}
		if (valid && !ready)
			st.stalls++;
		prev.valid = valid;
		prev.ready = ready;
		prev.payload = std::move(payload);
	}

	void check_burst(const char *name, uint64_t addr, uint32_t len, uint32_t size, uint32_t type, uint32_t id,
			 bool we)
	{
		uint64_t end = addr + (uint64_t)(len + 1) * BW;
		if (size != (uint32_t)__builtin_ctz(BW) || type != 1 || id != 0)
			violation("%s: size %u, burst %u, id %u (want size %d, INCR, 0)", name, size, type, id,
				  __builtin_ctz(BW));
		if (addr % BW)
			violation("%s: address 0x%llx not a bus word's", name, (unsigned long long)addr);
		if ((addr & ~4095ull) != ((end - 1) & ~4095ull))
			violation("%s: burst 0x%llx + %u beats crosses a 4 KiB boundary", name, (unsigned long long)addr,
				  len + 1);
		if (!tr_on || tr_we != we) {
			violation("%s: a burst outside any %s transfer", name, we ? "write" : "read");
			return;
		}
		uint64_t lo = tr_addr & ~(uint64_t)(BW - 1), hi = (tr_addr + tr_len + BW - 1) & ~(uint64_t)(BW - 1);
		if (addr < lo || end > hi)
			violation("%s: burst [0x%llx, 0x%llx) outside the transfer's bus words [0x%llx, 0x%llx)", name,
				  (unsigned long long)addr, (unsigned long long)end, (unsigned long long)lo,
				  (unsigned long long)hi);
		tr_words += len + 1;
		if (end % 4096 == 0 && end < hi)
			st.split_4k++;
		if (len + 1 > st.max_beats)
			st.max_beats = len + 1;
	}

	// W beats meet their AW in order: the bytes written, WLAST, the B response scheduled.
	void match_writes()
	{
		while (!w_q.empty() && !aw_q.empty()) {
			wbeat &w = w_q.front();
			burst &a = aw_q.front();
			uint64_t base = a.addr + (uint64_t)a.idx * BW;
			for (int i = 0; i < BW; i++) {
				if (!(w.strb >> i & 1))
					continue;
				uint64_t at = base + i;
				if (!tr_on || !tr_we || at < tr_addr || at >= tr_addr + tr_len)
					violation("W: byte 0x%llx strobed outside the transfer [0x%llx, +%llu)",
						  (unsigned long long)at, (unsigned long long)tr_addr,
						  (unsigned long long)tr_len);
				if (in_mem(at, 1))
					mem[at - mem_base] = w.data[i];
				else
					a.resp = 3;
				tr_strobed++;
			}
			bool last = a.idx == a.len;
			if (w.last != last)
				violation("W: WLAST %d on beat %u of a %u-beat burst", w.last, a.idx + 1, a.len + 1);
			a.idx++;
			w_q.pop_front();
			if (last) {
				burst b = a;
				b.due = cycle - 1 + lat();   // after the cycle's edge: from the handshake's cycle
				if (err_writes && b.resp == 0) {
					b.resp = 2;
					err_writes--;
				}
				b_q.push_back(b);
				aw_q.pop_front();
			}
		}
	}

	void tick()
	{
		Vts_board_zynq *t = top.get();
		auto *r = t->rootp;
		drive();
		t->aclk = 0;
		t->eval();

		// ---- sample this cycle's handshakes and check --------------------------------
		bool ar_hs = t->m_axi_arvalid && t->m_axi_arready;
		bool aw_hs = t->m_axi_awvalid && t->m_axi_awready;
		bool w_hs = t->m_axi_wvalid && t->m_axi_wready;
		bool r_hs = t->m_axi_rvalid && t->m_axi_rready;
		bool b_hs = t->m_axi_bvalid && t->m_axi_bready;
		if (in_reset) {
			if (t->m_axi_arvalid || t->m_axi_awvalid || t->m_axi_wvalid)
				violation("a master VALID high in reset");
		} else {
			hold_rule(ar_prev, "AR", t->m_axi_arvalid, t->m_axi_arready,
				  { (uint64_t)t->m_axi_araddr, t->m_axi_arlen, t->m_axi_arsize, t->m_axi_arburst,
				    t->m_axi_arid, t->m_axi_arlock, t->m_axi_arcache, t->m_axi_arprot,
				    t->m_axi_arqos });
			hold_rule(aw_prev, "AW", t->m_axi_awvalid, t->m_axi_awready,
				  { (uint64_t)t->m_axi_awaddr, t->m_axi_awlen, t->m_axi_awsize, t->m_axi_awburst,
				    t->m_axi_awid, t->m_axi_awlock, t->m_axi_awcache, t->m_axi_awprot,
				    t->m_axi_awqos });
			std::vector<uint64_t> wp{ (uint64_t)t->m_axi_wstrb, t->m_axi_wlast };
			for (int i = 0; i < BW; i++)
				wp.push_back(byte_of(t->m_axi_wdata, i));
			hold_rule(w_prev, "W", t->m_axi_wvalid, t->m_axi_wready, std::move(wp));
		}

		// the core's memory port
		bool req = r->ts_board_zynq__DOT__mem_req, beat = r->ts_board_zynq__DOT__mem_beat;
		if (!in_reset && req) {
			if (tr_on && tr_seen != tr_beats)
				violation("a new request after %llu of %llu beats of the last",
					  (unsigned long long)tr_seen, (unsigned long long)tr_beats);
			tr_on = true;
			tr_we = r->ts_board_zynq__DOT__mem_we;
			tr_addr = r->ts_board_zynq__DOT__mem_addr;
			tr_len = r->ts_board_zynq__DOT__mem_len;
			tr_beats = (tr_len + TSA_B - 1) / TSA_B;
			tr_seen = tr_strobed = tr_words = 0;
			tr_t0 = cycle;
			st.transfers++;
			(tr_we ? st.writes : st.reads)++;
			if (tr_addr % BW)
				st.unaligned++;
		}
		if (!in_reset && beat && !req) {
			if (!tr_on || tr_seen >= tr_beats) {
				violation("a core beat outside a transfer");
			} else if (!tr_we) {
				uint64_t at = tr_addr + tr_seen * TSA_B;
				uint64_t n = tr_len - tr_seen * TSA_B < TSA_B ? tr_len - tr_seen * TSA_B : TSA_B;
				for (uint64_t i = 0; i < n; i++) {
					uint8_t got = byte_of(r->ts_board_zynq__DOT__mem_rdata, (int)i);
					uint8_t want = in_mem(at + i, 1) ? mem[at + i - mem_base] : 0;
					if (got != want) {
						violation("read beat %llu of [0x%llx, +%llu): byte %llu is 0x%02x, memory 0x%02x",
							  (unsigned long long)tr_seen, (unsigned long long)tr_addr,
							  (unsigned long long)tr_len, (unsigned long long)i, got, want);
						break;
					}
				}
				if (tr_seen + 1 == tr_beats) {
					uint64_t words = ((tr_addr + tr_len + BW - 1) / BW) - tr_addr / BW;
					if (tr_words != words)
						violation("read [0x%llx, +%llu): %llu bus words requested, %llu needed",
							  (unsigned long long)tr_addr, (unsigned long long)tr_len,
							  (unsigned long long)tr_words, (unsigned long long)words);
				}
			} else {
				if (!r->ts_board_zynq__DOT__mem_wvalid)
					violation("a write beat without mem_wvalid");
				if (tr_seen + 1 == tr_beats) {
					if (tr_strobed != tr_len)
						violation("write [0x%llx, +%llu): %llu bytes strobed",
							  (unsigned long long)tr_addr, (unsigned long long)tr_len,
							  (unsigned long long)tr_strobed);
					if (!w_q.empty() || !aw_q.empty() || tr_bursts_open)
						violation("write [0x%llx, +%llu) complete for the core with %llu B responses "
							  "outstanding", (unsigned long long)tr_addr,
							  (unsigned long long)tr_len, (unsigned long long)tr_bursts_open);
				}
			}
			tr_seen++;
			if (tr_seen == tr_beats) {
				(tr_we ? st.write_cycles : st.read_cycles) += cycle - tr_t0;
				(tr_we ? st.write_beats : st.read_beats) += tr_beats;
			}
		}
		if (ar_hs) {
			st.ar_bursts++;
			check_burst("AR", t->m_axi_araddr, t->m_axi_arlen, t->m_axi_arsize, t->m_axi_arburst,
				    t->m_axi_arid, false);
		}
		if (aw_hs) {
			st.aw_bursts++;
			check_burst("AW", t->m_axi_awaddr, t->m_axi_awlen, t->m_axi_awsize, t->m_axi_awburst,
				    t->m_axi_awid, true);
			tr_bursts_open++;
		}
		burst nar{}, naw{};
		if (ar_hs)
			nar = burst{ (uint64_t)t->m_axi_araddr, t->m_axi_arlen, 0, cycle + lat(), 0 };
		if (aw_hs)
			naw = burst{ (uint64_t)t->m_axi_awaddr, t->m_axi_awlen, 0, 0, 0 };
		wbeat nw{};
		if (w_hs) {
			for (int i = 0; i < BW; i++)
				nw.data[i] = byte_of(t->m_axi_wdata, i);
			nw.strb = (uint32_t)t->m_axi_wstrb;
			nw.last = t->m_axi_wlast;
		}

		t->aclk = 1;
		t->eval();
		cycle++;
		if (in_reset)
			return;

		// ---- the slave's next state ------------------------------------------------------
		if (ar_hs) {
			if (err_reads) {
				nar.resp = 2;
				err_reads--;
			}
			ar_q.push_back(nar);
		}
		if (aw_hs)
			aw_q.push_back(naw);
		if (w_hs)
			w_q.push_back(nw);
		match_writes();
		if (r_hs) {
			burst &a = ar_q.front();
			a.idx++;
			if (a.idx > a.len)
				ar_q.pop_front();
			r_on = false;
		}
		if (!r_on && !ar_q.empty() && cycle >= ar_q.front().due && !stall()) {
			burst &a = ar_q.front();
			uint64_t at = a.addr + (uint64_t)a.idx * BW;
			r_resp = a.resp;
			if (in_mem(at, BW)) {
				memcpy(r_data, &mem[at - mem_base], BW);
			} else {
				memset(r_data, 0, BW);
				r_resp = 3;
				violation("R: a read outside the memory at 0x%llx", (unsigned long long)at);
			}
			r_last = a.idx == a.len;
			r_on = true;
		}
		if (b_hs) {
			b_on = false;
			if (tr_bursts_open)
				tr_bursts_open--;
			else
				violation("B: a response taken with no write burst open");
		}
		if (!b_on && !b_q.empty() && cycle >= b_q.front().due && !stall()) {
			b_resp = b_q.front().resp;
			b_q.pop_front();
			b_on = true;
		}
		arready = !stall();
		awready = !stall();
		wready = !stall();
	}
};

extern "C" {

tsa *tsa_create(uint64_t mem_base, size_t mem_bytes)
{
	tsa *a = new (std::nothrow) tsa;
	if (!a)
		return nullptr;
	a->ctx.reset(new VerilatedContext);
	a->ctx->randReset(0);
	a->top.reset(new Vts_board_zynq(a->ctx.get(), "top"));
	a->mem_base = mem_base;
	a->mem.assign(mem_bytes, 0);
	memset(a->r_data, 0, sizeof a->r_data);
	Vts_board_zynq *t = a->top.get();
	t->s_axi_awvalid = t->s_axi_wvalid = t->s_axi_arvalid = 0;
	t->s_axi_bready = t->s_axi_rready = 0;
	tsa_reset(a, 8);
	return a;
}

void tsa_free(tsa *a)
{
	if (!a)
		return;
	a->top->final();
	delete a;
}

uint32_t tsa_axi_dw(void)
{
	return TSA_AXI_DW;
}

uint32_t tsa_bpc(void)
{
	return TSA_B;
}

void tsa_set_slave(tsa *a, const tsa_slave *s)
{
	a->slave = *s;
	if (a->slave.lat_min < 1)
		a->slave.lat_min = 1;
	if (a->slave.lat_max < a->slave.lat_min)
		a->slave.lat_max = a->slave.lat_min;
	a->rng = s->seed * 0x9E3779B97F4A7C15ull + 1;
	a->arready = a->awready = a->wready = true;
}

uint8_t *tsa_mem(tsa *a)
{
	return a->mem.data();
}

void tsa_inject_errors(tsa *a, uint32_t reads, uint32_t writes)
{
	a->err_reads = reads;
	a->err_writes = writes;
}

void tsa_reset(tsa *a, uint32_t cycles)
{
	a->in_reset = true;
	for (uint32_t i = 0; i < cycles; i++)
		a->tick();
	a->in_reset = false;
	a->ar_q.clear();
	a->aw_q.clear();
	a->b_q.clear();
	a->w_q.clear();
	a->r_on = a->b_on = false;
	a->tr_on = false;
	a->tr_bursts_open = 0;
	a->ar_prev = a->aw_prev = a->w_prev = chan_snap();
}

void tsa_step(tsa *a, uint64_t cycles)
{
	for (uint64_t i = 0; i < cycles; i++)
		a->tick();
}

// The host's AXI4-Lite accesses: VALID until its handshake, then the response.
void tsa_reg_write(tsa *a, uint32_t off, uint32_t v)
{
	Vts_board_zynq *t = a->top.get();
	t->s_axi_awaddr = off;
	t->s_axi_awprot = 0;
	t->s_axi_wdata = v;
	t->s_axi_wstrb = 0xf;
	t->s_axi_awvalid = t->s_axi_wvalid = 1;
	t->s_axi_bready = 1;
	bool aw = false, w = false, b = false;
	for (int i = 0; i < 1000 && !b; i++) {
		t->aclk = 0;
		t->eval();
		bool aw_hs = t->s_axi_awvalid && t->s_axi_awready, w_hs = t->s_axi_wvalid && t->s_axi_wready;
		b = (aw || aw_hs) && (w || w_hs) && t->s_axi_bvalid;
		a->tick();
		aw |= aw_hs;
		w |= w_hs;
		if (aw)
			t->s_axi_awvalid = 0;
		if (w)
			t->s_axi_wvalid = 0;
	}
	t->s_axi_awvalid = t->s_axi_wvalid = 0;
	t->s_axi_bready = 0;
	if (!b)
		a->violation("AXI4-Lite write of 0x%x: no response", off);
}

uint32_t tsa_reg_read(tsa *a, uint32_t off)
{
	Vts_board_zynq *t = a->top.get();
	t->s_axi_araddr = off;
	t->s_axi_arprot = 0;
	t->s_axi_arvalid = 1;
	t->s_axi_rready = 1;
	bool ar = false;
	uint32_t v = 0;
	int i;
	for (i = 0; i < 1000; i++) {
		t->aclk = 0;
		t->eval();
		bool ar_hs = t->s_axi_arvalid && t->s_axi_arready;
		bool r = ar && t->s_axi_rvalid;
		if (r)
			v = t->s_axi_rdata;
		a->tick();
		if (ar_hs) {
			ar = true;
			t->s_axi_arvalid = 0;
		}
		if (r)
			break;
	}
	t->s_axi_arvalid = 0;
	t->s_axi_rready = 0;
	if (i == 1000)
		a->violation("AXI4-Lite read of 0x%x: no response", off);
	return v;
}

uint64_t tsa_cycle(const tsa *a)
{
	return a->cycle;
}

int tsa_irq(const tsa *a)
{
	return a->top->irq;
}

const tsa_stats *tsa_get_stats(const tsa *a)
{
	return &a->st;
}

void tsa_stats_clear(tsa *a)
{
	uint64_t v = a->st.violations;
	a->st = tsa_stats{};
	a->st.violations = v;
}

const char *tsa_violation(const tsa *a)
{
	return a->first.c_str();
}

} // extern "C"
