/* test_uart_link.c — the host side of the boards' UART bridge (driver/uart_link.h) against
 * a byte-timed model of the board's side of docs/boards.md written here: CRC vectors,
 * every frame type byte by byte, and the faults the link must survive (a dropped, a
 * corrupted byte each way, a lost answer, a retransmitted write not executed twice, a dead
 * line), then a seeded random mix of faults over many requests. Seed: TS_SEED. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "driver/uart_link.h"
#include "tessera/regmap.h"
#include "test_seed.h"

static uint64_t g_seed;

/* ---- the board model ------------------------------------------------------------------ */
#define BAUD      1000000u
#define BYTE_US   10u /* 10 bits at 1 Mbaud */
#define MEM_BASE  0x1000u
#define MEM_SIZE  4096u
#define ACC_REG   0x10u /* a register that adds what is written to it: a write done twice shows */
#define QMAX      65536

typedef struct board {
	uint64_t now; /* the host's clock, µs */
	/* host -> board: bytes and their arrival times */
	uint8_t hq[QMAX];
	uint64_t ht[QMAX];
	size_t hn, hi;
	uint64_t hfree;
	/* board -> host */
	uint8_t rq[QMAX];
	uint64_t rt[QMAX];
	size_t rn, ri;
	uint64_t rfree;
	/* parser */
	enum { IDLE, FRAME, DISCARD } state;
	uint8_t f[TSD_UL_FRAME_MAX];
	size_t got, need;
	uint64_t last_rx;
	int last_valid;
	uint8_t last_cmd, last_crc;
	/* the device */
	uint8_t mem[MEM_SIZE];
	uint32_t regs[TSD_UL_REG_SPACE / 4];
	int busy;
	int no_dup_filter;
	unsigned executed;
	/* one-shot faults of the next send (host bytes) or the next answer (board bytes) */
	long drop_at, corrupt_at, rsp_drop_at, rsp_corrupt_at;
	int lose_answer, mute, gone;
	unsigned frames, answers; /* frames executed or refused, answers sent */
} board;

static void board_init(board *b)
{
	memset(b, 0, sizeof *b);
	b->drop_at = b->corrupt_at = b->rsp_drop_at = b->rsp_corrupt_at = -1;
	for (size_t i = 0; i < MEM_SIZE; i++)
		b->mem[i] = (uint8_t)(i * 7 + 3);
	b->regs[0] = TS_REG_ID_MAGIC;
}

/* Queues an answer: 5A, STATUS, payload, CRC seeded with seed. */
static void answer(board *b, uint64_t t, unsigned seq, unsigned code, const uint8_t *p, size_t n, uint8_t seed)
{
	uint8_t r[TSD_UL_RSP_MAX];
	r[0] = 0x5A;
	r[1] = (uint8_t)(seq << 4 | code);
	if (n)
		memcpy(r + 2, p, n);
	r[2 + n] = tsd_ul_crc8(seed, r + 1, 1 + n);
	b->answers++;
	if (b->mute)
		return;
	if (b->lose_answer) {
		b->lose_answer = 0;
		return;
	}
	uint64_t at = (t > b->rfree ? t : b->rfree) + 1;
	for (size_t i = 0; i < 3 + n; i++) {
		if ((long)i == b->rsp_drop_at) {
			b->rsp_drop_at = -1;
			continue;
		}
		uint8_t v = r[i];
		if ((long)i == b->rsp_corrupt_at) {
			v ^= 0x10;
			b->rsp_corrupt_at = -1;
		}
		at += BYTE_US;
		assert_true(b->rn < QMAX);
		b->rq[b->rn] = v;
		b->rt[b->rn++] = at;
	}
	b->rfree = at;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* A frame whose CRC matched: f = CMD, ADDR, LEN, payload, CRC. */
static void execute(board *b, uint64_t t)
{
	const uint8_t *f = b->f;
	unsigned op = f[0] & 15, seq = f[0] >> 4;
	uint32_t addr = le32(f + 1);
	unsigned len = f[5] | f[6] << 8;
	uint8_t crc = f[b->need - 1], p[TSD_UL_MEM_MAX];
	b->frames++;
	int reg = op == TSD_UL_REG_READ || op == TSD_UL_REG_WRITE, mem = op == TSD_UL_MEM_READ || op == TSD_UL_MEM_WRITE;
	if ((reg && (len != 4 || addr % 4 || addr >= TSD_UL_REG_SPACE)) || (op == TSD_UL_INFO && len) ||
	    (mem && (len < 1 || len > TSD_UL_MEM_MAX))) {
		answer(b, t, seq, TSD_UL_BAD_CMD, NULL, 0, 0);
		return;
	}
	if (mem && (addr < MEM_BASE || addr - MEM_BASE > MEM_SIZE || len > MEM_SIZE - (addr - MEM_BASE))) {
		answer(b, t, seq, TSD_UL_BAD_ADDR, NULL, 0, 0);
		return;
	}
	if (mem && b->busy) {
		answer(b, t, seq, TSD_UL_BUSY, NULL, 0, 0);
		return;
	}
	int write = op == TSD_UL_REG_WRITE || op == TSD_UL_MEM_WRITE;
	int dup = write && !b->no_dup_filter && b->last_valid && b->last_cmd == f[0] && b->last_crc == crc;
	size_t n = 0;
	if (!dup) {
		b->executed++;
		switch (op) {
		case TSD_UL_REG_READ:
			for (int i = 0; i < 4; i++)
				p[i] = (uint8_t)(b->regs[addr / 4] >> (8 * i));
			n = 4;
			break;
		case TSD_UL_REG_WRITE:
			if (addr == ACC_REG)
				b->regs[addr / 4] += le32(f + 7);
			else
				b->regs[addr / 4] = le32(f + 7);
			break;
		case TSD_UL_MEM_READ:
			memcpy(p, b->mem + (addr - MEM_BASE), len);
			n = len;
			break;
		case TSD_UL_MEM_WRITE:
			memcpy(b->mem + (addr - MEM_BASE), f + 7, len);
			break;
		case TSD_UL_INFO: {
			uint32_t v[4] = { MEM_BASE, MEM_SIZE, 12000000, BAUD };
			for (int i = 0; i < 16; i++)
				p[i] = (uint8_t)(v[i / 4] >> (8 * (i % 4)));
			n = 16;
			break;
		}
		}
		b->last_valid = 1;
		b->last_cmd = f[0];
		b->last_crc = crc;
	}
	answer(b, t, seq, TSD_UL_OK, p, n, crc);
}

/* One byte arriving at the board at time t (the end of its stop bit). */
static void board_rx(board *b, uint8_t v, uint64_t t)
{
	if (b->state != IDLE && t - b->last_rx >= TSD_UL_GAP_BYTES * BYTE_US)
		b->state = IDLE; /* a frame cut short, or the discarding over */
	b->last_rx = t;
	switch (b->state) {
	case IDLE:
		if (v == TSD_UL_SYNC_REQ) {
			b->state = FRAME;
			b->got = 0;
		}
		break;
	case DISCARD:
		break;
	case FRAME:
		b->f[b->got++] = v;
		if (b->got == 7) {
			unsigned op = b->f[0] & 15, len = b->f[5] | b->f[6] << 8;
			if (op < 1 || op > 5 || (op == TSD_UL_MEM_WRITE && (len < 1 || len > TSD_UL_MEM_MAX))) {
				b->frames++;
				answer(b, t, b->f[0] >> 4, TSD_UL_BAD_CMD, NULL, 0, 0);
				b->state = DISCARD;
				break;
			}
			b->need = 7 + tsd_ul_request_payload(op, (uint16_t)len) + 1;
		}
		if (b->got > 7 && b->got == b->need) {
			if (tsd_ul_crc8(0, b->f, b->need - 1) != b->f[b->need - 1]) {
				b->frames++;
				answer(b, t, b->f[0] >> 4, TSD_UL_BAD_CRC, NULL, 0, 0);
				b->state = DISCARD;
			} else {
				execute(b, t);
				b->state = IDLE;
			}
		}
		break;
	}
}

static int t_send(void *ctx, const uint8_t *buf, size_t n)
{
	board *b = ctx;
	if (b->gone)
		return -1;
	uint64_t at = b->now > b->hfree ? b->now : b->hfree;
	for (size_t i = 0; i < n; i++) {
		if ((long)i == b->drop_at) {
			b->drop_at = -1;
			continue;
		}
		uint8_t v = buf[i];
		if ((long)i == b->corrupt_at) {
			v ^= 0x04;
			b->corrupt_at = -1;
		}
		at += BYTE_US;
		assert_true(b->hn < QMAX);
		b->hq[b->hn] = v;
		b->ht[b->hn++] = at;
	}
	b->hfree = at;
	return 0;
}

static long t_recv(void *ctx, uint8_t *buf, size_t n, uint64_t timeout_us)
{
	board *b = ctx;
	if (b->gone)
		return -1;
	uint64_t deadline = b->now + timeout_us;
	while (b->hi < b->hn && b->ht[b->hi] <= deadline) {
		board_rx(b, b->hq[b->hi], b->ht[b->hi]);
		b->hi++;
	}
	size_t got = 0;
	while (got < n && b->ri < b->rn && b->rt[b->ri] <= deadline) {
		b->now = b->rt[b->ri] > b->now ? b->rt[b->ri] : b->now;
		buf[got++] = b->rq[b->ri++];
	}
	if (got < n)
		b->now = deadline;
	/* keep the queues short */
	if (b->hi == b->hn)
		b->hi = b->hn = 0;
	if (b->ri == b->rn)
		b->ri = b->rn = 0;
	return (long)got;
}

static tsd_ul *open_link(board *b)
{
	board_init(b);
	tsd_ul_transport t = { b, t_send, t_recv };
	tsd_ul_opts o = { BAUD, 0, 4 };
	tsd_ul *ul = NULL;
	ts_diag d = { "" };
	ts_status st = tsd_ul_open(&t, &o, &ul, &d);
	if (st)
		fail_msg("tsd_ul_open: %s", d.msg);
	return ul;
}

/* ---- frames --------------------------------------------------------------------------- */
static void test_crc8(void **state)
{
	(void)state;
	/* CRC-8/SMBUS (poly 0x07, init 0, no reflection, no final XOR): check value 0xF4 */
	assert_int_equal(tsd_ul_crc8(0, "123456789", 9), 0xF4);
	assert_int_equal(tsd_ul_crc8(0, "", 0), 0x00);
	assert_int_equal(tsd_ul_crc8(0, "\x00", 1), 0x00);
	assert_int_equal(tsd_ul_crc8(0, "\x01", 1), 0x07);
	assert_int_equal(tsd_ul_crc8(0, "\x80", 1), 0x89);
	assert_int_equal(tsd_ul_crc8(0, "\xff", 1), 0xF3);
	/* in pieces = at once */
	assert_int_equal(tsd_ul_crc8(tsd_ul_crc8(0, "1234", 4), "56789", 5), 0xF4);
	/* a message followed by its CRC leaves 0 (no final XOR) */
	uint8_t m[10] = "123456789";
	m[9] = 0xF4;
	assert_int_equal(tsd_ul_crc8(0, m, 10), 0);
}

static void expect_frame(const uint8_t *got, size_t n, const uint8_t *want, size_t wn)
{
	assert_int_equal(n, wn);
	for (size_t i = 0; i < n; i++)
		if (got[i] != want[i])
			fail_msg("frame byte %zu: 0x%02x, expected 0x%02x", i, got[i], want[i]);
}

static void test_encode(void **state)
{
	(void)state;
	uint8_t f[TSD_UL_FRAME_MAX];
	/* REG_READ of ID, sequence 0 */
	size_t n = tsd_ul_encode(f, TSD_UL_REG_READ, 0, 0x000, 4, NULL);
	uint8_t rr[] = { 0xA5, 0x01, 0, 0, 0, 0, 4, 0, 0 };
	rr[8] = tsd_ul_crc8(0, rr + 1, 7);
	expect_frame(f, n, rr, sizeof rr);
	/* REG_WRITE of CTRL = 5, sequence 3: payload little-endian */
	n = tsd_ul_encode(f, TSD_UL_REG_WRITE, 3, 0x008, 4, (const uint8_t *)"\x05\x00\x00\x00");
	uint8_t rw[] = { 0xA5, 0x32, 0x08, 0, 0, 0, 4, 0, 5, 0, 0, 0, 0 };
	rw[12] = tsd_ul_crc8(0, rw + 1, 11);
	expect_frame(f, n, rw, sizeof rw);
	/* MEM_READ of 256 bytes at 0x10000200, sequence 15: no payload */
	n = tsd_ul_encode(f, TSD_UL_MEM_READ, 15, 0x10000200, 256, NULL);
	uint8_t mr[] = { 0xA5, 0xF3, 0x00, 0x02, 0x00, 0x10, 0x00, 0x01, 0 };
	mr[8] = tsd_ul_crc8(0, mr + 1, 7);
	expect_frame(f, n, mr, sizeof mr);
	/* MEM_WRITE of 3 bytes, sequence 16 wraps to 0 */
	n = tsd_ul_encode(f, TSD_UL_MEM_WRITE, 16, 0x1234, 3, (const uint8_t *)"abc");
	uint8_t mw[] = { 0xA5, 0x04, 0x34, 0x12, 0, 0, 3, 0, 'a', 'b', 'c', 0 };
	mw[11] = tsd_ul_crc8(0, mw + 1, 10);
	expect_frame(f, n, mw, sizeof mw);
	/* INFO */
	n = tsd_ul_encode(f, TSD_UL_INFO, 7, 0, 0, NULL);
	uint8_t in[] = { 0xA5, 0x75, 0, 0, 0, 0, 0, 0, 0 };
	in[8] = tsd_ul_crc8(0, in + 1, 7);
	expect_frame(f, n, in, sizeof in);
	/* the longest frame */
	uint8_t big[TSD_UL_MEM_MAX];
	memset(big, 0xA5, sizeof big);
	assert_int_equal(tsd_ul_encode(f, TSD_UL_MEM_WRITE, 1, 0, TSD_UL_MEM_MAX, big), TSD_UL_FRAME_MAX);
	assert_int_equal(tsd_ul_crc8(0, f + 1, TSD_UL_FRAME_MAX - 1), 0);
	/* payload sizes */
	assert_int_equal(tsd_ul_request_payload(TSD_UL_REG_READ, 4), 0);
	assert_int_equal(tsd_ul_request_payload(TSD_UL_REG_WRITE, 4), 4);
	assert_int_equal(tsd_ul_request_payload(TSD_UL_MEM_WRITE, 200), 200);
	assert_int_equal(tsd_ul_response_payload(TSD_UL_REG_READ, 4), 4);
	assert_int_equal(tsd_ul_response_payload(TSD_UL_MEM_READ, 17), 17);
	assert_int_equal(tsd_ul_response_payload(TSD_UL_INFO, 0), 16);
	assert_int_equal(tsd_ul_response_payload(TSD_UL_MEM_WRITE, 17), 0);
}

/* ---- requests through the board model --------------------------------------------------- */
static void test_every_request(void **state)
{
	(void)state;
	static board b;
	tsd_ul *ul = open_link(&b);
	ts_diag d = { "" };
	const tsd_ul_info *info = tsd_ul_get_info(ul);
	assert_int_equal(info->mem_base, MEM_BASE);
	assert_int_equal(info->mem_size, MEM_SIZE);
	assert_int_equal(info->clock_hz, 12000000);
	assert_int_equal(info->baud, BAUD);
	uint32_t v = 0;
	assert_int_equal(tsd_ul_reg_read(ul, 0, &v, &d), TS_OK);
	assert_int_equal(v, TS_REG_ID_MAGIC);
	assert_int_equal(tsd_ul_reg_write(ul, 0x24, 0xdeadbeef, &d), TS_OK);
	assert_int_equal(b.regs[0x24 / 4], 0xdeadbeef);
	assert_int_equal(tsd_ul_reg_read(ul, 0x24, &v, &d), TS_OK);
	assert_int_equal(v, 0xdeadbeef);
	/* 600 bytes: frames of 256, 256, 88, at an odd address */
	uint8_t w[600], r[600];
	for (size_t i = 0; i < sizeof w; i++)
		w[i] = (uint8_t)(i * 31 + 1);
	assert_int_equal(tsd_ul_mem_write(ul, MEM_BASE + 1001, w, sizeof w, &d), TS_OK);
	assert_memory_equal(b.mem + 1001, w, sizeof w);
	memset(r, 0, sizeof r);
	assert_int_equal(tsd_ul_mem_read(ul, MEM_BASE + 1001, r, sizeof r, &d), TS_OK);
	assert_memory_equal(r, w, sizeof w);
	/* the whole memory, to its last byte */
	static uint8_t all[MEM_SIZE];
	assert_int_equal(tsd_ul_mem_read(ul, MEM_BASE, all, MEM_SIZE, &d), TS_OK);
	assert_memory_equal(all, b.mem, MEM_SIZE);
	tsd_ul_info again;
	assert_int_equal(tsd_ul_info_read(ul, &again, &d), TS_OK);
	assert_int_equal(again.mem_size, MEM_SIZE);
	const tsd_ul_stats *s = tsd_ul_get_stats(ul);
	assert_int_equal(s->retries + s->timeouts + s->bad_responses + s->nacks, 0);
	assert_int_equal(s->requests, 1 + 3 + 3 + 3 + MEM_SIZE / 256 + 1); /* INFO of the open first */
	assert_int_equal(d.msg[0], 0);
	tsd_ul_close(ul);
}

static void test_dropped_byte(void **state)
{
	(void)state;
	static board b;
	tsd_ul *ul = open_link(&b);
	ts_diag d = { "" };
	uint8_t w[200], r[200];
	for (size_t i = 0; i < sizeof w; i++)
		w[i] = (uint8_t)(255 - i);
	/* a byte missing in each part of a MEM_WRITE frame: sync, CMD, ADDR, LEN, payload, CRC */
	static const long at[] = { 0, 1, 3, 6, 7, 8, 100, 208 };
	for (size_t k = 0; k < sizeof at / sizeof *at; k++) {
		unsigned retries = (unsigned)tsd_ul_get_stats(ul)->retries;
		w[0] = (uint8_t)k;
		b.drop_at = at[k];
		assert_int_equal(tsd_ul_mem_write(ul, MEM_BASE + 64, w, sizeof w, &d), TS_OK);
		assert_int_equal(b.drop_at, -1); /* the fault happened */
		assert_memory_equal(b.mem + 64, w, sizeof w);
		assert_int_equal(tsd_ul_get_stats(ul)->retries, retries + 1);
	}
	/* and in a request without payload */
	b.drop_at = 4;
	uint32_t v = 0;
	assert_int_equal(tsd_ul_reg_read(ul, 0, &v, &d), TS_OK);
	assert_int_equal(v, TS_REG_ID_MAGIC);
	assert_int_equal(tsd_ul_mem_read(ul, MEM_BASE + 64, r, sizeof r, &d), TS_OK);
	assert_memory_equal(r, w, sizeof w);
	tsd_ul_close(ul);
}

static void test_corrupted_byte(void **state)
{
	(void)state;
	static board b;
	tsd_ul *ul = open_link(&b);
	ts_diag d = { "" };
	/* a flipped bit in the payload: the board answers BAD_CRC, the host sends it again */
	uint8_t w[40];
	memset(w, 0x3c, sizeof w);
	unsigned frames = b.frames;
	b.corrupt_at = 20;
	assert_int_equal(tsd_ul_mem_write(ul, MEM_BASE, w, sizeof w, &d), TS_OK);
	assert_memory_equal(b.mem, w, sizeof w);
	assert_int_equal(b.frames, frames + 2);
	assert_int_equal(tsd_ul_get_stats(ul)->nacks, 1);
	/* in the op nibble: MEM_WRITE (4) becomes 0: BAD_CMD at once, the rest discarded */
	b.corrupt_at = 1;
	w[0] = 9;
	assert_int_equal(tsd_ul_mem_write(ul, MEM_BASE, w, sizeof w, &d), TS_OK);
	assert_int_equal(b.mem[0], 9);
	assert_int_equal(tsd_ul_get_stats(ul)->nacks, 2);
	/* in the sync byte: the frame is not seen, no answer, a timeout */
	b.corrupt_at = 0;
	assert_int_equal(tsd_ul_reg_write(ul, 0x30, 77, &d), TS_OK);
	assert_int_equal(b.regs[0x30 / 4], 77);
	assert_int_equal(tsd_ul_get_stats(ul)->timeouts, 1);
	/* in an answer: its CRC fails, the read is sent again */
	uint32_t v = 0;
	b.rsp_corrupt_at = 3;
	assert_int_equal(tsd_ul_reg_read(ul, 0x30, &v, &d), TS_OK);
	assert_int_equal(v, 77);
	assert_int_equal(tsd_ul_get_stats(ul)->bad_responses, 1);
	/* an answer's sync byte */
	b.rsp_corrupt_at = 0;
	assert_int_equal(tsd_ul_reg_read(ul, 0x30, &v, &d), TS_OK);
	assert_int_equal(tsd_ul_get_stats(ul)->bad_responses, 2);
	/* a byte missing in an answer: cut short */
	b.rsp_drop_at = 5;
	assert_int_equal(tsd_ul_reg_read(ul, 0x30, &v, &d), TS_OK);
	assert_int_equal(v, 77);
	assert_int_equal(tsd_ul_get_stats(ul)->timeouts, 2);
	tsd_ul_close(ul);
}

/* An answer lost after the board executed: a read is executed again, a write is not. */
static void test_lost_answer(void **state)
{
	(void)state;
	static board b;
	tsd_ul *ul = open_link(&b);
	ts_diag d = { "" };
	uint32_t v = 0;
	b.lose_answer = 1;
	unsigned executed = b.executed;
	assert_int_equal(tsd_ul_reg_read(ul, 0, &v, &d), TS_OK);
	assert_int_equal(v, TS_REG_ID_MAGIC);
	assert_int_equal(b.executed, executed + 2);
	assert_int_equal(tsd_ul_get_stats(ul)->timeouts, 1);
	assert_int_equal(tsd_ul_get_stats(ul)->retries, 1);

	/* the accumulating register: 5 written once, whatever the retransmission */
	b.lose_answer = 1;
	executed = b.executed;
	assert_int_equal(tsd_ul_reg_write(ul, ACC_REG, 5, &d), TS_OK);
	assert_int_equal(b.executed, executed + 1);
	assert_int_equal(b.regs[ACC_REG / 4], 5);
	assert_int_equal(tsd_ul_get_stats(ul)->retries, 2);
	/* the next write of the same value is a new request (another sequence number) */
	assert_int_equal(tsd_ul_reg_write(ul, ACC_REG, 5, &d), TS_OK);
	assert_int_equal(b.regs[ACC_REG / 4], 10);
	/* a MEM_WRITE whose answer is lost */
	uint8_t w[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	b.lose_answer = 1;
	executed = b.executed;
	assert_int_equal(tsd_ul_mem_write(ul, MEM_BASE + 8, w, 8, &d), TS_OK);
	assert_int_equal(b.executed, executed + 1);
	assert_memory_equal(b.mem + 8, w, 8);

	/* the filter is what keeps it single: a board without it adds twice */
	b.no_dup_filter = 1;
	b.lose_answer = 1;
	assert_int_equal(tsd_ul_reg_write(ul, ACC_REG, 1, &d), TS_OK);
	assert_int_equal(b.regs[ACC_REG / 4], 12);
	tsd_ul_close(ul);
}

/* Sixteen requests later the sequence number comes round again: a write with the same
 * number and op but other bytes is executed (the filter compares the CRC too). */
static void test_sequence_wraps(void **state)
{
	(void)state;
	static board b;
	tsd_ul *ul = open_link(&b);
	ts_diag d = { "" };
	for (uint32_t i = 1; i <= 40; i++)
		assert_int_equal(tsd_ul_reg_write(ul, ACC_REG, i, &d), TS_OK);
	assert_int_equal(b.regs[ACC_REG / 4], 40 * 41 / 2);
	tsd_ul_close(ul);
}

static void test_refused(void **state)
{
	(void)state;
	static board b;
	tsd_ul *ul = open_link(&b);
	ts_diag d = { "" };
	uint8_t buf[16] = { 0 };
	unsigned frames = b.frames;
	/* outside the memory: one frame, no retry, TS_ERR_INPUT naming the range */
	assert_int_equal(tsd_ul_mem_read(ul, MEM_BASE + MEM_SIZE - 8, buf, 16, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "outside the board memory 0x1000..0x2000"));
	assert_int_equal(b.frames, frames + 1);
	ts_diag_clear(&d);
	assert_int_equal(tsd_ul_mem_write(ul, 0x10, buf, 4, &d), TS_ERR_INPUT);
	ts_diag_clear(&d);
	/* busy: the accelerator runs */
	b.busy = 1;
	assert_int_equal(tsd_ul_mem_write(ul, MEM_BASE, buf, 4, &d), TS_ERR_INTERNAL);
	assert_non_null(strstr(d.msg, "busy"));
	ts_diag_clear(&d);
	uint32_t v;
	assert_int_equal(tsd_ul_reg_read(ul, 0, &v, &d), TS_OK); /* registers still answer */
	b.busy = 0;
	/* arguments the host refuses before sending */
	frames = b.frames;
	assert_int_equal(tsd_ul_reg_read(ul, 2, &v, &d), TS_ERR_INPUT);
	ts_diag_clear(&d);
	assert_int_equal(tsd_ul_reg_write(ul, 0x1000, 0, &d), TS_ERR_INPUT);
	ts_diag_clear(&d);
	assert_int_equal(tsd_ul_mem_read(ul, 0xfffffff0u, buf, 17, &d), TS_ERR_INPUT);
	ts_diag_clear(&d);
	assert_int_equal(b.frames, frames);
	assert_int_equal(tsd_ul_mem_write(ul, MEM_BASE, buf, 0, &d), TS_OK); /* nothing to do */
	assert_int_equal(b.frames, frames);
	tsd_ul_close(ul);
}

/* A board that hears but never answers, and a line that is gone. */
static void test_dead_line(void **state)
{
	(void)state;
	static board b;
	tsd_ul *ul = open_link(&b);
	ts_diag d = { "" };
	uint32_t v;
	b.mute = 1;
	unsigned answers = b.answers;
	assert_int_equal(tsd_ul_reg_read(ul, 0x8, &v, &d), TS_ERR_IO);
	assert_non_null(strstr(d.msg, "REG_READ at 0x8: no valid answer in 5 tries (last: no answer)"));
	assert_int_equal(b.answers, answers + 5); /* each try reached the board */
	ts_diag_clear(&d);
	b.mute = 0;
	b.gone = 1;
	assert_int_equal(tsd_ul_reg_read(ul, 0x8, &v, &d), TS_ERR_IO);
	assert_non_null(strstr(d.msg, "the line is gone"));
	tsd_ul_close(ul);

	/* opening on a mute board fails, freeing what it had */
	board_init(&b);
	b.mute = 1;
	tsd_ul_transport t = { &b, t_send, t_recv };
	tsd_ul_opts o = { BAUD, 0, 1 };
	ts_diag_clear(&d);
	assert_int_equal(tsd_ul_open(&t, &o, &ul, &d), TS_ERR_IO);
	assert_null(ul);
	assert_non_null(strstr(d.msg, "INFO"));
}

/* Many requests, each with a random fault or none: the memory and registers end as the
 * host wrote them, every read returned what was there. */
static void test_random_faults(void **state)
{
	(void)state;
	static board b;
	tsd_ul *ul = open_link(&b);
	ts_diag d = { "" };
	rng_seed(g_seed);
	static uint8_t shadow[MEM_SIZE];
	memcpy(shadow, b.mem, MEM_SIZE);
	uint32_t acc = 0;
	for (int i = 0; i < 400; i++) {
		int fault = (int)rng_range(0, 7);
		uint16_t len = (uint16_t)rng_range(1, TSD_UL_MEM_MAX);
		uint32_t off = (uint32_t)rng_range(0, MEM_SIZE - len);
		switch (fault) {
		case 1: b.drop_at = (long)rng_range(0, 12); break;
		case 2: b.corrupt_at = (long)rng_range(0, 12); break;
		case 3: b.lose_answer = 1; break;
		case 4: b.rsp_corrupt_at = (long)rng_range(0, 2); break;
		case 5: b.rsp_drop_at = (long)rng_range(0, 2); break;
		default: break;
		}
		uint8_t buf[TSD_UL_MEM_MAX];
		ts_status st;
		int what = (int)rng_range(0, 2);
		if (what == 0) {
			for (unsigned k = 0; k < len; k++)
				buf[k] = (uint8_t)rng_next();
			st = tsd_ul_mem_write(ul, MEM_BASE + off, buf, len, &d);
			memcpy(shadow + off, buf, len);
		} else if (what == 1) {
			st = tsd_ul_mem_read(ul, MEM_BASE + off, buf, len, &d);
			if (!st && memcmp(buf, shadow + off, len))
				fail_msg("request %d: MEM_READ of %u at +%u differs (seed %llu)", i, len, off,
					 (unsigned long long)g_seed);
		} else {
			uint32_t x = (uint32_t)rng_range(0, 1000);
			st = tsd_ul_reg_write(ul, ACC_REG, x, &d);
			acc += x;
		}
		if (st)
			fail_msg("request %d (fault %d): %s (seed %llu)", i, fault, d.msg, (unsigned long long)g_seed);
		b.drop_at = b.corrupt_at = b.rsp_corrupt_at = b.rsp_drop_at = -1;
		b.lose_answer = 0;
	}
	assert_memory_equal(b.mem, shadow, MEM_SIZE);
	assert_int_equal(b.regs[ACC_REG / 4], acc);
	const tsd_ul_stats *s = tsd_ul_get_stats(ul);
	assert_true(s->retries > 50);
	fprintf(stderr, "test_random_faults: %llu requests, %llu retries (%llu timeouts, %llu bad answers, "
		"%llu refusals)\n", (unsigned long long)s->requests, (unsigned long long)s->retries,
		(unsigned long long)s->timeouts, (unsigned long long)s->bad_responses, (unsigned long long)s->nacks);
	tsd_ul_close(ul);
}

int main(void)
{
	g_seed = ts_test_seed("test_uart_link");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc8),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_every_request),
		cmocka_unit_test(test_dropped_byte),
		cmocka_unit_test(test_corrupted_byte),
		cmocka_unit_test(test_lost_answer),
		cmocka_unit_test(test_sequence_wraps),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_dead_line),
		cmocka_unit_test(test_random_faults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
