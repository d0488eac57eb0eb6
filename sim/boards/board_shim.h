/* board_shim.h — the C API of a Verilated board top (board_shim.cpp) for the board test
 * (board_test.c): clock, and a bit-level UART on the top's pins: bytes sent to the board
 * are driven onto its receive pin (8N1, TSB_CLKS_PER_BIT clocks per bit, back to back),
 * and its transmit pin is sampled in the middle of every bit into received bytes. */
#ifndef TSB_BOARD_SHIM_H
#define TSB_BOARD_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tsb tsb;

tsb *tsb_create(void);
void tsb_free(tsb *b);
const char *tsb_board(void);          /* "icebreaker", ... */
uint32_t tsb_clock_hz(void);          /* the top's CLK_HZ */
uint32_t tsb_clks_per_bit(void);
uint64_t tsb_cycle(const tsb *b);
/* Queues n bytes for the board's receive pin. */
void tsb_send(tsb *b, const uint8_t *buf, size_t n);
/* Runs the clock until n bytes have come from the board's transmit pin or max_cycles
 * have passed; returns how many it copied (0 .. n). */
size_t tsb_recv(tsb *b, uint8_t *buf, size_t n, uint64_t max_cycles);
/* Bytes with a bad stop bit seen on the transmit pin (must stay 0). */
uint64_t tsb_framing_errors(const tsb *b);

#ifdef __cplusplus
}
#endif

#endif
