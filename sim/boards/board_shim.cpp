// board_shim.cpp — a Verilated board top (ts_board_<board>, rtl/boards/) with a
// bit-level UART on its pins, behind the C API of board_shim.h. Built once per
// board and config (Makefile, `boardsim`): TSB_TOP names the Verilated class,
// TSB_CLK / TSB_RX / TSB_TX the top's clock, receive and transmit pins,
// TSB_CLK_HZ its clock and TSB_CLKS_PER_BIT the UART bit time it was built
// with (its BAUD parameter = TSB_CLK_HZ / TSB_CLKS_PER_BIT).
#include <cstdint>
#include <cstring>
#include <deque>
#include <memory>

#include "verilated.h"

#define TSB_STR2(x) #x
#define TSB_STR(x) TSB_STR2(x)
#include TSB_STR(TSB_TOP.h)

#include "board_shim.h"

struct tsb {
	std::unique_ptr<VerilatedContext> ctx;
	std::unique_ptr<TSB_TOP> top;
	uint64_t cycle = 0;
	// host -> board: the byte on the pin, bit by bit
	std::deque<uint8_t> out;
	uint16_t out_bits = 0;  // stop, data, start: bit 0 on the pin
	int out_left = 0;       // bits left of the byte on the pin
	uint32_t out_cnt = 0;   // clocks left of the bit on the pin
	// board -> host: sampling the transmit pin
	std::deque<uint8_t> in;
	int in_state = 0;  // 0 idle, 1 .. 8 data bits, 9 stop bit; -1 start bit
	uint32_t in_cnt = 0;
	uint8_t in_byte = 0;
	uint64_t framing = 0;

	void drive()
	{
		if (out_left == 0 && !out.empty()) {
			out_bits = (uint16_t)(0x200 | out.front() << 1);
			out.pop_front();
			out_left = 10;
			out_cnt = TSB_CLKS_PER_BIT;
		}
		top->TSB_RX = out_left ? (out_bits & 1) : 1;
	}

	void advance_out()
	{
		if (out_left && --out_cnt == 0) {
			out_bits >>= 1;
			out_left--;
			out_cnt = TSB_CLKS_PER_BIT;
		}
	}

	void sample()
	{
		int pin = top->TSB_TX;
		if (in_state == 0) {
			if (!pin) {
				in_state = -1;
				in_cnt = TSB_CLKS_PER_BIT / 2;
			}
			return;
		}
		if (--in_cnt)
			return;
		in_cnt = TSB_CLKS_PER_BIT;
		if (in_state == -1) {
			in_state = pin ? 0 : 1;  // a glitch, or the start bit's middle
		} else if (in_state <= 8) {
			in_byte = (uint8_t)(in_byte >> 1 | pin << 7);
			in_state++;
		} else {
			if (pin)
				in.push_back(in_byte);
			else
				framing++;
			in_state = 0;
		}
	}

	void tick()
	{
		drive();
		top->TSB_CLK = 0;
		top->eval();
		top->TSB_CLK = 1;
		top->eval();
		cycle++;
		advance_out();
		sample();
	}
};

extern "C" {

tsb *tsb_create(void)
{
	tsb *b = new (std::nothrow) tsb;
	if (!b)
		return nullptr;
	b->ctx.reset(new VerilatedContext);
	b->ctx->randReset(0);
	b->top.reset(new TSB_TOP(b->ctx.get(), "top"));
	b->top->TSB_RX = 1;
	for (int i = 0; i < 64; i++)  // the power-on reset
		b->tick();
	return b;
}

void tsb_free(tsb *b)
{
	if (!b)
		return;
	b->top->final();
	delete b;
}

const char *tsb_board(void)
{
	return TSB_STR(TSB_BOARD);
}

uint32_t tsb_clock_hz(void)
{
	return TSB_CLK_HZ;
}

uint32_t tsb_clks_per_bit(void)
{
	return TSB_CLKS_PER_BIT;
}

uint64_t tsb_cycle(const tsb *b)
{
	return b->cycle;
}

void tsb_send(tsb *b, const uint8_t *buf, size_t n)
{
	b->out.insert(b->out.end(), buf, buf + n);
}

size_t tsb_recv(tsb *b, uint8_t *buf, size_t n, uint64_t max_cycles)
{
	for (uint64_t i = 0; b->in.size() < n && i < max_cycles; i++)
		b->tick();
	size_t got = 0;
	while (got < n && !b->in.empty()) {
		buf[got++] = b->in.front();
		b->in.pop_front();
	}
	return got;
}

uint64_t tsb_framing_errors(const tsb *b)
{
	return b->framing;
}

} // extern "C"
