/* uart_link.c — the host side of the boards' UART bridge (uart_link.h, docs/boards.md):
 * frames, CRC-8, sequence numbers, and one request loop that retries after a missing,
 * garbled or refused answer, resynchronising first (the line left quiet long enough for
 * the board to drop whatever it was parsing). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/uart_link.h"

/* Board time allowed per request before its answer starts, in byte times, on top of the
 * request itself: the bridge's work (a MEM_WRITE copies its bytes after the CRC) and the
 * idle gap it may be waiting out. */
#define PROC_BYTES 32u
/* Drain calls before the line is declared chattering. */
#define DRAIN_MAX 1000

struct tsd_ul {
	tsd_ul_transport t;
	tsd_ul_opts o;
	tsd_ul_info info;
	tsd_ul_stats stats;
	double byte_us; /* one byte on the line: 10 bit times */
	unsigned seq;   /* the next request's sequence number */
};

const char *tsd_ul_op_name(unsigned op)
{
	static const char *const names[] = { "?", "REG_READ", "REG_WRITE", "MEM_READ", "MEM_WRITE", "INFO" };
	return op < sizeof names / sizeof *names ? names[op] : "?";
}

const char *tsd_ul_code_name(unsigned code)
{
	static const char *const names[] = { "OK", "bad CRC", "bad command or length",
					     "address outside the memory", "memory busy (the accelerator is running)" };
	return code < sizeof names / sizeof *names ? names[code] : "unknown status";
}

uint8_t tsd_ul_crc8(uint8_t crc, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		crc ^= b[i];
		for (int k = 0; k < 8; k++)
			crc = (uint8_t)(crc & 0x80 ? (crc << 1) ^ 0x07 : crc << 1);
	}
	return crc;
}

size_t tsd_ul_request_payload(unsigned op, uint16_t len)
{
	return op == TSD_UL_REG_WRITE ? 4 : op == TSD_UL_MEM_WRITE ? len : 0;
}

size_t tsd_ul_response_payload(unsigned op, uint16_t len)
{
	return op == TSD_UL_REG_READ ? 4 : op == TSD_UL_MEM_READ ? len : op == TSD_UL_INFO ? TSD_UL_INFO_BYTES : 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

size_t tsd_ul_encode(uint8_t *frame, unsigned op, unsigned seq, uint32_t addr, uint16_t len,
		     const uint8_t *payload)
{
	size_t np = tsd_ul_request_payload(op, len);
	frame[0] = TSD_UL_SYNC_REQ;
	frame[1] = (uint8_t)((seq & 15) << 4 | (op & 15));
	put32(frame + 2, addr);
	frame[6] = (uint8_t)len;
	frame[7] = (uint8_t)(len >> 8);
	if (np)
		memcpy(frame + TSD_UL_HEADER, payload, np);
	frame[TSD_UL_HEADER + np] = tsd_ul_crc8(0, frame + 1, TSD_UL_HEADER - 1 + np);
	return TSD_UL_HEADER + np + 1;
}

/* ---- the request loop ----------------------------------------------------------------- */
static uint64_t us_of(const tsd_ul *ul, size_t bytes)
{
	return ul->o.latency_us + (uint64_t)(ul->byte_us * (double)bytes) + 1;
}

/* Reads until the line has been quiet for quiet_us: whatever was on its way is dropped,
 * and the board, which hears nothing from us meanwhile, has left any frame it was in. */
static ts_status drain(tsd_ul *ul, uint64_t quiet_us, ts_diag *d)
{
	uint8_t junk[64];
	for (int i = 0; i < DRAIN_MAX; i++) {
		long n = ul->t.recv(ul->t.ctx, junk, sizeof junk, quiet_us);
		if (n < 0)
			return ts_err(d, TS_ERR_IO, "uart: the line is gone");
		ul->stats.bytes_received += (uint64_t)n;
		if (n == 0)
			return TS_OK;
	}
	return ts_err(d, TS_ERR_IO, "uart: the line does not go quiet (%d reads of junk)", DRAIN_MAX);
}

/* Receives exactly n bytes within timeout_us; 1 when they came, 0 when not, -1 when the
 * line is gone. */
static int get(tsd_ul *ul, uint8_t *buf, size_t n, uint64_t timeout_us)
{
	long got = ul->t.recv(ul->t.ctx, buf, n, timeout_us);
	if (got > 0)
		ul->stats.bytes_received += (uint64_t)got;
	return got < 0 ? -1 : (size_t)got == n;
}

typedef enum { GOT_OK, GOT_REFUSED, GOT_NOTHING, GOT_GARBAGE, GOT_GONE } outcome;

/* One answer to the frame just sent: its status code in *code; an OK answer's payload in
 * out. why says what was wrong with it. */
static outcome answer(tsd_ul *ul, unsigned op, unsigned seq, uint16_t len, size_t frame_len, uint8_t req_crc,
		      uint8_t *out, unsigned *code, char *why, size_t why_size)
{
	uint8_t rsp[TSD_UL_RSP_MAX];
	size_t np = tsd_ul_response_payload(op, len);
	int r = get(ul, rsp, 2, us_of(ul, frame_len + TSD_UL_GAP_BYTES + PROC_BYTES + len));
	if (r < 0)
		return GOT_GONE;
	if (!r) {
		snprintf(why, why_size, "no answer");
		return GOT_NOTHING;
	}
	if (rsp[0] != TSD_UL_SYNC_RSP) {
		snprintf(why, why_size, "answer starts with 0x%02x, not 0x%02x", rsp[0], TSD_UL_SYNC_RSP);
		return GOT_GARBAGE;
	}
	*code = rsp[1] & 15;
	size_t rest = (*code == TSD_UL_OK ? np : 0) + 1;
	r = get(ul, rsp + 2, rest, us_of(ul, rest + 8));
	if (r < 0)
		return GOT_GONE;
	if (!r) {
		snprintf(why, why_size, "answer cut short");
		return GOT_NOTHING;
	}
	uint8_t crc = tsd_ul_crc8(*code == TSD_UL_OK ? req_crc : 0, rsp + 1, 1 + rest - 1);
	if (crc != rsp[1 + rest]) {
		snprintf(why, why_size, "answer with CRC 0x%02x, expected 0x%02x", rsp[1 + rest], crc);
		return GOT_GARBAGE;
	}
	if ((rsp[1] >> 4) != seq) {
		snprintf(why, why_size, "answer to sequence number %u, expected %u", rsp[1] >> 4, seq);
		return GOT_GARBAGE;
	}
	if (*code != TSD_UL_OK) {
		/* A short answer is only what it says when nothing follows it: an OK answer
		 * that lost its STATUS byte can read as one (a payload byte as STATUS, the next
		 * as its CRC), and its other bytes then keep coming. */
		uint8_t more;
		r = get(ul, &more, 1, us_of(ul, 3));
		if (r < 0)
			return GOT_GONE;
		if (r) {
			snprintf(why, why_size, "bytes after an answer of status %u", *code);
			return GOT_GARBAGE;
		}
		snprintf(why, why_size, "the board answered %s", tsd_ul_code_name(*code));
		return GOT_REFUSED;
	}
	if (np)
		memcpy(out, rsp + 2, np);
	return GOT_OK;
}

/* One request, tried 1 + retries times: a missing or garbled answer, or BAD_CRC / BAD_CMD
 * (a request damaged on the way), sends it again after a resync; BAD_ADDR and BUSY, which
 * the board decides only on a request whose CRC matched, end it. */
static ts_status request(tsd_ul *ul, unsigned op, uint32_t addr, uint16_t len, const uint8_t *payload,
			 uint8_t *out, ts_diag *d)
{
	uint8_t frame[TSD_UL_FRAME_MAX];
	unsigned seq = ul->seq;
	ul->seq = (ul->seq + 1) & 15;
	size_t n = tsd_ul_encode(frame, op, seq, addr, len, payload);
	char why[128] = "";
	for (unsigned attempt = 0; attempt <= ul->o.retries; attempt++) {
		if (attempt)
			ul->stats.retries++;
		if (ul->t.send(ul->t.ctx, frame, n) != 0)
			return ts_err(d, TS_ERR_IO, "uart: the line is gone (sending %s)", tsd_ul_op_name(op));
		ul->stats.bytes_sent += n;
		unsigned code = 0;
		switch (answer(ul, op, seq, len, n, frame[n - 1], out, &code, why, sizeof why)) {
		case GOT_OK:
			ul->stats.requests++;
			return TS_OK;
		case GOT_GONE:
			return ts_err(d, TS_ERR_IO, "uart: the line is gone (waiting for the answer to %s)",
				      tsd_ul_op_name(op));
		case GOT_REFUSED:
			if (code == TSD_UL_BAD_ADDR)
				return ts_err(d, TS_ERR_INPUT, "uart: %s of %u bytes at 0x%x: outside the board "
						  "memory 0x%x..0x%x", tsd_ul_op_name(op), len, addr,
					      ul->info.mem_base, ul->info.mem_base + ul->info.mem_size);
			if (code == TSD_UL_BUSY)
				return ts_err(d, TS_ERR_INTERNAL, "uart: %s at 0x%x: the board memory is busy "
						  "(the accelerator is running)", tsd_ul_op_name(op), addr);
			if (code != TSD_UL_BAD_CRC && code != TSD_UL_BAD_CMD)
				return ts_err(d, TS_ERR_IO, "uart: %s at 0x%x: the board answered status %u",
					      tsd_ul_op_name(op), addr, code);
			ul->stats.nacks++;
			break;
		case GOT_NOTHING:
			ul->stats.timeouts++;
			break;
		case GOT_GARBAGE:
			ul->stats.bad_responses++;
			break;
		}
		ts_status st = drain(ul, us_of(ul, n + TSD_UL_GAP_BYTES + 4), d);
		if (st)
			return st;
	}
	return ts_err(d, TS_ERR_IO, "uart: %s at 0x%x: no valid answer in %u tries (last: %s)", tsd_ul_op_name(op),
		      addr, ul->o.retries + 1, why);
}

/* ---- the API -------------------------------------------------------------------------- */
static void set_baud(tsd_ul *ul, uint32_t baud)
{
	ul->byte_us = 10e6 / (double)(baud ? baud : 115200);
}

ts_status tsd_ul_info_read(tsd_ul *ul, tsd_ul_info *info, ts_diag *d)
{
	uint8_t p[TSD_UL_INFO_BYTES];
	ts_status st = request(ul, TSD_UL_INFO, 0, 0, NULL, p, d);
	if (st)
		return st;
	info->mem_base = get32(p);
	info->mem_size = get32(p + 4);
	info->clock_hz = get32(p + 8);
	info->baud = get32(p + 12);
	return TS_OK;
}

ts_status tsd_ul_open(const tsd_ul_transport *t, const tsd_ul_opts *o, tsd_ul **out, ts_diag *d)
{
	*out = NULL;
	tsd_ul *ul = calloc(1, sizeof *ul);
	if (!ul)
		return ts_err(d, TS_ERR_NOMEM, "uart: out of memory");
	ul->t = *t;
	if (o)
		ul->o = *o;
	if (!ul->o.retries)
		ul->o.retries = 5;
	set_baud(ul, ul->o.baud);
	/* A board may sit in the middle of a frame of an earlier session: stay quiet for the
	 * gap, dropping whatever arrives. */
	ts_status st = drain(ul, us_of(ul, TSD_UL_GAP_BYTES + 4), d);
	if (!st)
		st = tsd_ul_info_read(ul, &ul->info, d);
	if (st) {
		free(ul);
		return st;
	}
	if (ul->info.baud)
		set_baud(ul, ul->info.baud);
	*out = ul;
	return TS_OK;
}

void tsd_ul_close(tsd_ul *ul)
{
	free(ul);
}

const tsd_ul_info *tsd_ul_get_info(const tsd_ul *ul)
{
	return &ul->info;
}

const tsd_ul_stats *tsd_ul_get_stats(const tsd_ul *ul)
{
	return &ul->stats;
}

static ts_status check_offset(uint32_t offset, ts_diag *d)
{
	if (offset % 4 || offset >= TSD_UL_REG_SPACE)
		return ts_err(d, TS_ERR_INPUT, "uart: register offset 0x%x: must be a multiple of 4 below 0x%x",
			      offset, TSD_UL_REG_SPACE);
	return TS_OK;
}

ts_status tsd_ul_reg_read(tsd_ul *ul, uint32_t offset, uint32_t *value, ts_diag *d)
{
	uint8_t p[4];
	ts_status st = check_offset(offset, d);
	if (!st)
		st = request(ul, TSD_UL_REG_READ, offset, 4, NULL, p, d);
	if (!st)
		*value = get32(p);
	return st;
}

ts_status tsd_ul_reg_write(tsd_ul *ul, uint32_t offset, uint32_t value, ts_diag *d)
{
	uint8_t p[4];
	put32(p, value);
	ts_status st = check_offset(offset, d);
	return st ? st : request(ul, TSD_UL_REG_WRITE, offset, 4, p, NULL, d);
}

static ts_status check_range(const char *what, uint32_t addr, size_t n, ts_diag *d)
{
	if (n > (uint64_t)UINT32_MAX + 1 - addr)
		return ts_err(d, TS_ERR_INPUT, "uart: memory %s of %zu bytes at 0x%x passes the end of the "
				  "32-bit address space", what, n, addr);
	return TS_OK;
}

ts_status tsd_ul_mem_read(tsd_ul *ul, uint32_t addr, void *dst, size_t n, ts_diag *d)
{
	uint8_t *p = dst;
	ts_status st = check_range("read", addr, n, d);
	for (size_t done = 0; !st && done < n;) {
		uint16_t len = (uint16_t)(n - done < TSD_UL_MEM_MAX ? n - done : TSD_UL_MEM_MAX);
		st = request(ul, TSD_UL_MEM_READ, addr + (uint32_t)done, len, NULL, p + done, d);
		done += len;
	}
	return st;
}

ts_status tsd_ul_mem_write(tsd_ul *ul, uint32_t addr, const void *src, size_t n, ts_diag *d)
{
	const uint8_t *p = src;
	ts_status st = check_range("write", addr, n, d);
	for (size_t done = 0; !st && done < n;) {
		uint16_t len = (uint16_t)(n - done < TSD_UL_MEM_MAX ? n - done : TSD_UL_MEM_MAX);
		st = request(ul, TSD_UL_MEM_WRITE, addr + (uint32_t)done, len, p + done, NULL, d);
		done += len;
	}
	return st;
}
