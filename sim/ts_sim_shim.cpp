// ts_sim_shim.cpp — the thin C++ harness around the Verilated ts_top: clock,
// reset, AXI4-Lite register access and the DRAM model behind the memory
// port (ts_dma.v): a request during cycle t is answered by ceil(len / B)
// beats in cycles t + L, t + L + 1, ... (a write beat only in a cycle with
// mem_wvalid_o, which a serial requantizer raises every M cycles and a
// one-cycle one always: docs/timing.md §1); each beat carries B consecutive
// bytes from any byte address (packed ports: byte i at bits 8i+7:8i, which
// Verilator stores as an integer of up to 64 bits or an array of 32-bit
// words). Exposes the extern "C" API of ts_sim_api.h.
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "Vts_top.h"
#include "Vts_top___024root.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif

#include "tessera_params.h"
#include "ts_sim_api.h"

namespace {

constexpr uint64_t B = TS_CFG_DRAM_BPC;
constexpr uint64_t L = TS_CFG_DRAM_LATENCY;

struct xfer {
	bool active = false;
	bool we = false;
	uint64_t addr = 0, len = 0, start = 0, beat = 0, beats = 0;
};

// Bytes <-> a packed port of 8 * B bits.
template <typename T> inline void put_bytes(T &port, const uint8_t *b)
{
	uint64_t v = 0;
	for (uint64_t i = 0; i < B; i++)
		v |= (uint64_t)b[i] << (8 * i);
	port = (T)v;
}

template <std::size_t N> inline void put_bytes(VlWide<N> &port, const uint8_t *b)
{
	for (std::size_t w = 0; w < N; w++) {
		uint32_t v = 0;
		for (uint64_t i = 0; i < 4 && 4 * w + i < B; i++)
			v |= (uint32_t)b[4 * w + i] << (8 * i);
		port[w] = v;
	}
}

template <typename T> inline uint8_t get_byte(const T &port, uint64_t i)
{
	return (uint8_t)((uint64_t)port >> (8 * i));
}

template <std::size_t N> inline uint8_t get_byte(const VlWide<N> &port, uint64_t i)
{
	return (uint8_t)(port[i / 4] >> (8 * (i % 4)));
}

// One eval per cycle. No RTL logic is sensitive to the falling clock edge,
// and mem_wdata_o is a register output (ts_storer stage 3), so the falling-edge
// eval only serves Verilator's edge detection: the model remembers the clock
// it saw last (Verilator 5: root member __Vtrigrprev__TOP__clk_i) and
// triggers on 0 -> 1. Where that member exists, clearing it before a rising
// eval is the same as an eval with the clock low; where it does not (another
// Verilator), the overload below falls back to the two-eval cycle. A member
// of that name that no longer drives edge detection would leave the model
// unclocked: tsv_create checks one AXI read handshake and falls back too.
template <typename R>
inline auto clear_prev_clk(R *r, int) -> decltype(r->__Vtrigrprev__TOP__clk_i = 0, bool())
{
	r->__Vtrigrprev__TOP__clk_i = 0;
	return true;
}

template <typename R> inline bool clear_prev_clk(R *, long)
{
	return false;
}

} // namespace

// Vts_top::eval() is eval_step(): the model's initialisation on the first
// call, the root's eval, then bookkeeping for multi-threaded models
// (message queues, per-thread flags: thread-local accesses on every cycle,
// with nothing to do for this single-threaded model without DPI). After the
// first eval the shim calls the root's eval directly when the model defines
// it under this (Verilator 5) name; where it does not, the weak reference is
// null and every cycle goes through eval().
void Vts_top___024root___eval(Vts_top___024root *vlSelf) __attribute__((weak));

struct tsv {
	std::unique_ptr<VerilatedContext> ctx;
	std::unique_ptr<Vts_top> top;
	std::vector<uint8_t> own;  // the memory when the caller gives none
	uint8_t *mem = nullptr;
	uint64_t size = 0;
	uint64_t base = 0;
	uint64_t cycle = 0;
	uint64_t oob = 0;
	bool stalled = false;
	bool one_eval = true;  // cleared when the check in tsv_create fails
	bool root_eval = false;  // the model is initialised: eval its root directly
	xfer x;
#if VM_TRACE
	std::unique_ptr<VerilatedFstC> fst;
#endif

	uint8_t *at(uint64_t addr)
	{
		if (addr < base || addr - base >= size) {
			oob++;
			return nullptr;
		}
		return &mem[addr - base];
	}

	inline void eval()
	{
		if (root_eval)
			Vts_top___024root___eval(top->rootp);
		else
			top->eval();
	}

	// One clock cycle: memory beat in, negedge, write data out, posedge.
	inline void tick()
	{
		bool beat = x.active && cycle >= x.start && !stalled && (!x.we || top->mem_wvalid_o);
		top->mem_beat_i = beat;
		uint64_t off = 0;
		if (beat) {
			off = x.addr + x.beat * B;
			if (!x.we) {
				uint64_t n = x.len - x.beat * B;  // bytes of this beat: min(B, n)
				if (n >= B && off >= base && size >= B && off - base <= size - B) {
					put_bytes(top->mem_rdata_i, &mem[off - base]);  // the common case
				} else {
					uint8_t buf[B];
					for (uint64_t i = 0; i < B; i++) {
						uint8_t v = 0;
						if (i < n) {
							uint8_t *p = at(off + i);
							v = p ? *p : 0;
						}
						buf[i] = v;
					}
					put_bytes(top->mem_rdata_i, buf);
				}
			}
		}
#if VM_TRACE
		bool two_evals = fst || !one_eval || !clear_prev_clk(top->rootp, 0);
#else
		bool two_evals = !one_eval || !clear_prev_clk(top->rootp, 0);
#endif
		if (two_evals) {
			top->clk_i = 0;
			eval();
		}
#if VM_TRACE
		if (fst)
			fst->dump(cycle * 2);
#endif
		if (beat && x.we) {
			for (uint64_t i = 0; i < B && x.beat * B + i < x.len; i++) {
				uint8_t *p = at(off + i);
				if (p)
					*p = get_byte(top->mem_wdata_o, i);
			}
		}
		top->clk_i = 1;
		eval();
#if VM_TRACE
		if (fst)
			fst->dump(cycle * 2 + 1);
#endif
		cycle++;
		if (beat && ++x.beat == x.beats)
			x.active = false;
		if (top->mem_req_o) {
			// The request is high during the cycle that starts now.
			x.active = true;
			x.we = top->mem_we_o;
			x.addr = top->mem_addr_o;
			x.len = top->mem_len_o;
			x.beat = 0;
			x.beats = (x.len + B - 1) / B;
			x.start = cycle + L;
			if (x.beats == 0)
				x.active = false;
		}
	}
};

extern "C" {

int tsv_api_version(void)
{
	return TSV_API_VERSION;
}

#define TSV_STR2(x) #x
#define TSV_STR(x) TSV_STR2(x)

const char *tsv_params(void)
{
	return "ROWS=" TSV_STR(TS_CFG_ROWS) " COLS=" TSV_STR(TS_CFG_COLS) " DATAFLOW=" TSV_STR(
		TS_CFG_DATAFLOW) " PE=" TSV_STR(TS_CFG_PE) " ACC_BITS=" TSV_STR(TS_CFG_ACC_BITS)
		" D_IN=" TSV_STR(TS_CFG_D_IN) " D_W=" TSV_STR(TS_CFG_D_W) " D_ACC=" TSV_STR(TS_CFG_D_ACC)
		" DRAM_BPC=" TSV_STR(TS_CFG_DRAM_BPC) " DRAM_LATENCY=" TSV_STR(TS_CFG_DRAM_LATENCY);
}

tsv *tsv_create(uint64_t mem_base, uint64_t mem_size, uint8_t *mem)
{
	tsv *s = new (std::nothrow) tsv;
	if (!s)
		return nullptr;
	s->ctx.reset(new VerilatedContext);
	s->ctx->randReset(0);
#if VM_TRACE
	s->ctx->traceEverOn(true);
#endif
	s->top.reset(new Vts_top(s->ctx.get(), "ts_top"));
	if (mem) {
		s->mem = mem;
	} else {
		s->own.assign(mem_size, 0);
		s->mem = s->own.data();
	}
	s->size = mem_size;
	s->base = mem_base;
	s->top->s_awvalid_i = 0;
	s->top->s_wvalid_i = 0;
	s->top->s_bready_i = 1;
	s->top->s_arvalid_i = 0;
	s->top->s_rready_i = 1;
	s->top->s_wstrb_i = 0xf;
	tsv_reset(s);  // the first evals initialise the model (eval_step)
	s->root_eval = Vts_top___024root___eval != nullptr;
	// Is the one-eval cycle clocking the model? An AXI4-Lite read answers
	// (rvalid) in the cycle after its address is taken (tsv_reg_read); if it
	// does not, use two evals per cycle and start over.
	s->top->s_araddr_i = 0;
	s->top->s_arvalid_i = 1;
	s->tick();
	s->top->s_arvalid_i = 0;
	bool clocked = s->top->s_rvalid_o;
	s->tick();
	if (!clocked) {
		s->one_eval = false;
		tsv_reset(s);
	}
	return s;
}

void tsv_free(tsv *s)
{
	if (!s)
		return;
#if VM_TRACE
	if (s->fst)
		s->fst->close();
#endif
	s->top->final();
	delete s;
}

void tsv_reset(tsv *s)
{
	s->top->rst_ni = 0;
	for (int i = 0; i < 4; i++)
		s->tick();
	s->top->rst_ni = 1;
	s->x.active = false;
	s->tick();
}

void tsv_step(tsv *s, uint64_t cycles)
{
	for (uint64_t i = 0; i < cycles; i++)
		s->tick();
}

int tsv_run(tsv *s, uint64_t limit, uint64_t *cycles)
{
	uint64_t n = 0;
	while (s->top->busy_o && n < limit) {
		s->tick();
		n++;
	}
	if (cycles)
		*cycles = n;
	return !s->top->busy_o;
}

uint32_t tsv_reg_read(tsv *s, uint32_t offset)
{
	s->top->s_araddr_i = offset;
	s->top->s_arvalid_i = 1;
	s->tick();  // AR taken; R valid from now on
	s->top->s_arvalid_i = 0;
	uint32_t v = s->top->s_rdata_o;
	s->tick();  // R taken (rready is always high)
	return v;
}

void tsv_reg_write(tsv *s, uint32_t offset, uint32_t value)
{
	s->top->s_awaddr_i = offset;
	s->top->s_wdata_i = value;
	s->top->s_awvalid_i = 1;
	s->top->s_wvalid_i = 1;
	s->tick();  // AW and W taken
	s->top->s_awvalid_i = 0;
	s->top->s_wvalid_i = 0;
	s->tick();  // B taken
}

int tsv_mem_write(tsv *s, uint64_t addr, const void *src, size_t n)
{
	if (addr < s->base || addr - s->base > s->size || n > s->size - (addr - s->base))
		return -1;
	memcpy(&s->mem[addr - s->base], src, n);
	return 0;
}

int tsv_mem_read(tsv *s, uint64_t addr, void *dst, size_t n)
{
	if (addr < s->base || addr - s->base > s->size || n > s->size - (addr - s->base))
		return -1;
	memcpy(dst, &s->mem[addr - s->base], n);
	return 0;
}

void tsv_mem_stall(tsv *s, int on)
{
	s->stalled = on != 0;
}

void tsv_mem_abort(tsv *s)
{
	s->x.active = false;
}

uint64_t tsv_mem_oob(tsv *s)
{
	return s->oob;
}

uint64_t tsv_cycle(tsv *s)
{
	return s->cycle;
}

int tsv_trace(tsv *s, const char *path)
{
#if VM_TRACE
	if (s->fst) {
		s->fst->close();
		s->fst.reset();
	}
	if (!path)
		return 0;
	s->fst.reset(new VerilatedFstC);
	s->top->trace(s->fst.get(), 99);
	s->fst->open(path);
	return s->fst->isOpen() ? 0 : -1;
#else
	(void)s;
	return path ? -1 : 0;
#endif
}

} // extern "C"
