/* uart_link.h — the host side of the UART bridge of the open-tool boards (docs/boards.md,
 * rtl/boards/ts_uart_bridge.v): frames with CRC-8 and sequence numbers, register and
 * memory access with retries and resynchronisation, over a byte transport given as
 * function pointers (a tty, a simulated UART pin, a test's model of the board).
 * Not installed: part of driver/, inside libtessera.
 *
 * Request  A5, CMD (seq << 4 | op), ADDR (LE32), LEN (LE16), payload, CRC-8 of CMD..payload
 * Response 5A, STATUS (seq << 4 | code), payload (OK only), CRC-8 of STATUS..payload,
 *          the CRC register starting at the request's CRC byte for OK, at 0 otherwise.
 * CRC-8: polynomial x^8 + x^2 + x + 1 (0x07), initial 0, MSB first, no final XOR. */
#ifndef TSD_UART_LINK_H
#define TSD_UART_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "tessera/status.h"

/* TSD_UL_SYNC_REQ, TSD_UL_SYNC_RSP, TSD_UL_MEM_MAX (uart.def: the protocol's one source) */
enum {
#define TS_UART_CONST(name, value, what) TSD_UL_##name = (value),
#include "tessera/uart.def"
};
#define TSD_UL_HEADER     8u   /* sync, CMD, ADDR, LEN */
#define TSD_UL_FRAME_MAX  (TSD_UL_HEADER + TSD_UL_MEM_MAX + 1u)
#define TSD_UL_RSP_MAX    (2u + TSD_UL_MEM_MAX + 1u)
#define TSD_UL_INFO_BYTES 16u
#define TSD_UL_REG_SPACE  0x1000u /* register offsets 0 .. 0xFFC (AXI4-Lite, 12 bits) */
/* The board drops a partial frame, and ends the discarding after an error, once its
 * receive line has been idle this many byte times (10 bit times each). */
#define TSD_UL_GAP_BYTES  8u

/* The low nibble of a request's CMD (uart.def). */
typedef enum tsd_ul_op {
#define TS_UART_OP(name, code, what) TSD_UL_##name = (code),
#include "tessera/uart.def"
} tsd_ul_op;

/* The low nibble of a response's STATUS (uart.def). */
typedef enum tsd_ul_code {
#define TS_UART_CODE(name, code, what) TSD_UL_##name = (code),
#include "tessera/uart.def"
} tsd_ul_code;

const char *tsd_ul_op_name(unsigned op);
const char *tsd_ul_code_name(unsigned code);

/* ---- frames --------------------------------------------------------------------------- */
/* CRC-8 of n bytes, continuing from crc (0 to start). */
uint8_t tsd_ul_crc8(uint8_t crc, const void *p, size_t n);
/* Payload bytes of a request / of an OK response of op with length len. */
size_t tsd_ul_request_payload(unsigned op, uint16_t len);
size_t tsd_ul_response_payload(unsigned op, uint16_t len);
/* Writes the request frame into frame (TSD_UL_FRAME_MAX bytes); returns its length.
 * payload: the 4 data bytes (REG_WRITE, little-endian) or len bytes (MEM_WRITE). */
size_t tsd_ul_encode(uint8_t *frame, unsigned op, unsigned seq, uint32_t addr, uint16_t len,
		     const uint8_t *payload);

/* ---- transport ------------------------------------------------------------------------ */
/* send: puts n bytes on the line; 0, or -1 when the line is gone.
 * recv: waits until n bytes have arrived or timeout_us has passed since the call (on the
 *       transport's clock: a simulation's simulated time); returns how many arrived
 *       (0 .. n), or -1 when the line is gone. */
typedef struct tsd_ul_transport {
	void *ctx;
	int (*send)(void *ctx, const uint8_t *buf, size_t n);
	long (*recv)(void *ctx, uint8_t *buf, size_t n, uint64_t timeout_us);
} tsd_ul_transport;

typedef struct tsd_ul_opts {
	uint32_t baud;       /* line rate for the timeouts; 0: 115200 (INFO's replaces it) */
	uint32_t latency_us; /* added to every timeout: the host's and its adapter's delays
			      * (a USB serial adapter: ~16 ms); 0: none */
	unsigned retries;    /* further tries of a request after a failed one; 0: 5 */
} tsd_ul_opts;

typedef struct tsd_ul_info {
	uint32_t mem_base, mem_size; /* the board memory: bytes [base, base + size) */
	uint32_t clock_hz, baud;
} tsd_ul_info;

/* What the link survived, since tsd_ul_open. */
typedef struct tsd_ul_stats {
	uint64_t requests;      /* requests answered OK */
	uint64_t retries;       /* frames sent again */
	uint64_t timeouts;      /* answers missing or cut short */
	uint64_t bad_responses; /* answers with a wrong sync, sequence number or CRC */
	uint64_t nacks;         /* answers with BAD_CRC or BAD_CMD */
	uint64_t bytes_sent;    /* bytes put on the line, retries included */
	uint64_t bytes_received;/* bytes read from the line, junk drained included */
} tsd_ul_stats;

typedef struct tsd_ul tsd_ul;

/* Opens a session: an INFO request (which also resets the board's duplicate filter), its
 * answer kept (tsd_ul_get_info), the timeouts from its baud rate. */
ts_status tsd_ul_open(const tsd_ul_transport *t, const tsd_ul_opts *o, tsd_ul **out, ts_diag *d);
void tsd_ul_close(tsd_ul *ul);
const tsd_ul_info *tsd_ul_get_info(const tsd_ul *ul);
const tsd_ul_stats *tsd_ul_get_stats(const tsd_ul *ul);

/* Register access: offset 0 .. 0xFFC, a multiple of 4. */
ts_status tsd_ul_reg_read(tsd_ul *ul, uint32_t offset, uint32_t *value, ts_diag *d);
ts_status tsd_ul_reg_write(tsd_ul *ul, uint32_t offset, uint32_t value, ts_diag *d);
/* Memory access of any length, as frames of up to TSD_UL_MEM_MAX bytes; fails with
 * TS_ERR_INPUT outside the board memory, TS_ERR_INTERNAL while the accelerator runs. */
ts_status tsd_ul_mem_read(tsd_ul *ul, uint32_t addr, void *dst, size_t n, ts_diag *d);
ts_status tsd_ul_mem_write(tsd_ul *ul, uint32_t addr, const void *src, size_t n, ts_diag *d);
/* An INFO request (as tsd_ul_open's). */
ts_status tsd_ul_info_read(tsd_ul *ul, tsd_ul_info *info, ts_diag *d);

#endif
