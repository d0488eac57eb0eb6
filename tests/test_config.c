/* test_config.c — hwcfg.json parsing and validation, presets, the board
 * database. Run from the repo root (data under tests/data/config/).
 * The random round-trip test takes its seed from TS_SEED, else the time. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "test_seed.h"

#include "tessera/gen.h"
#include "tessera/hwcfg.h"
#include "tessera/util.h"
#include "util/bits.h"

#define DATA "tests/data/config/"

/* Fail with both strings shown when s does not start with prefix. */
static void assert_prefix(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)) != 0) {
		print_error("expected prefix: '%s'\n          got: '%s'\n", prefix, s);
		fail();
	}
}

static void assert_contains(const char *s, const char *part)
{
	if (!strstr(s, part)) {
		print_error("expected to contain: '%s'\n                got: '%s'\n", part, s);
		fail();
	}
}

/* Parse text; expect TS_ERR_INPUT with message "<fname>:<pos>: <text...>". */
static void expect_parse_error(const char *text, const char *pos, const char *msg_part)
{
	ts_hwcfg c;
	ts_diag d;
	ts_diag_clear(&d);
	memset(&c, 0x5a, sizeof c);
	ts_hwcfg before = c;
	ts_status st = ts_hwcfg_parse(text, strlen(text), "cfg.json", &c, &d);
	if (st != TS_ERR_INPUT)
		print_error("input: %s\nstatus %d, message '%s'\n", text, st, d.msg);
	assert_int_equal(st, TS_ERR_INPUT);
	char prefix[64];
	snprintf(prefix, sizeof prefix, "cfg.json:%s: ", pos);
	assert_prefix(d.msg, prefix);
	assert_contains(d.msg, msg_part);
	/* no partial output */
	assert_memory_equal(&c, &before, sizeof c);
}

static ts_hwcfg parse_ok(const char *text)
{
	ts_hwcfg c;
	ts_diag d;
	ts_diag_clear(&d);
	ts_status st = ts_hwcfg_parse(text, strlen(text), "cfg.json", &c, &d);
	if (st != TS_OK)
		print_error("input: %s\nmessage: %s\n", text, d.msg);
	assert_int_equal(st, TS_OK);
	return c;
}

/* ---- names and widths -------------------------------------------------- */

static void test_names_and_bits(void **state)
{
	(void)state;
	ts_pe_type pe;
	ts_dataflow df;
	assert_int_equal(ts_pe_type_from_name("LightPE2", &pe), 0);
	assert_int_equal(pe, TS_PE_LIGHTPE2);
	assert_int_equal(ts_pe_type_from_name("int7", &pe), -1);
	assert_int_equal(ts_dataflow_from_name("OS", &df), 0);
	assert_int_equal(df, TS_DF_OS);
	assert_string_equal(ts_pe_type_name(TS_PE_BINARY), "binary");
	assert_string_equal(ts_dataflow_name(TS_DF_WS), "ws");
	static const uint32_t wbits[TS_PE_COUNT] = { 16, 8, 4, 4, 8, 1 };
	static const uint32_t abits[TS_PE_COUNT] = { 16, 8, 4, 8, 8, 1 };
	for (int i = 0; i < TS_PE_COUNT; i++) {
		assert_int_equal(ts_pe_wbits((ts_pe_type)i), wbits[i]);
		assert_int_equal(ts_pe_abits((ts_pe_type)i), abits[i]);
	}
	uint32_t bit;
	assert_int_equal(ts_sparse_format_from_name("RLC", &bit), 0);
	assert_int_equal(bit, TS_SPF_RLC);
	assert_string_equal(ts_sparse_format_name(TS_SPF_CSC), "csc");
	assert_int_equal(ts_sparse_format_from_name("bsr", &bit), -1);
}

/* ---- boards --------------------------------------------------------------- */

static void test_boards(void **state)
{
	(void)state;
	assert_int_equal(ts_board_count(), 8);
	const ts_board *e = ts_board_find("ulx3s");
	assert_non_null(e);
	assert_string_equal(e->family, "ecp5");
	assert_int_equal(e->lut, 83640);
	assert_int_equal(e->dsp, 156);
	assert_int_equal(e->bram, 208);
	assert_int_equal(e->bram_kbits, 18);
	assert_int_equal(e->mem_bytes, 32u << 20);
	/* every board says what its memory is and can feed */
	for (size_t i = 0; i < ts_board_count(); i++) {
		const ts_board *x = ts_board_get(i);
		assert_true(x->mem_port_bytes >= 1 && x->mem_bytes > 0 && x->dram_gbps > 0);
		assert_non_null(x->mem_what);
	}
	const ts_board *b = ts_board_find("pynq-z2");
	assert_non_null(b);
	assert_string_equal(b->part, "xc7z020clg400-1");
	assert_string_equal(b->family, "zynq7");
	assert_int_equal(b->lut, 53200);
	assert_int_equal(b->ff, 106400);
	assert_int_equal(b->dsp, 220);
	assert_int_equal(b->bram, 140);
	assert_int_equal(b->bram_kbits, 36);
	b = ts_board_find("ZCU104");
	assert_non_null(b);
	assert_int_equal(b->uram, 96);
	assert_int_equal(b->dsp, 1728);
	b = ts_board_find("u250");
	assert_int_equal(b->lut, 1728000);
	assert_int_equal(b->bram, 2688);
	assert_int_equal(b->uram, 1280);
	b = ts_board_find("icebreaker");
	assert_string_equal(b->part, "ice40up5k-sg48");
	assert_int_equal(b->dsp, 8);
	assert_int_equal(b->bram, 30);
	assert_int_equal(b->bram_kbits, 4);
	assert_int_equal(b->uram, 4);
	assert_int_equal(b->uram_kbits, 256);
	b = ts_board_find("hx8k");
	assert_int_equal(b->lut, 7680);
	assert_int_equal(b->dsp, 0);
	assert_int_equal(b->bram, 32);
	assert_null(ts_board_find("zedboard"));
	assert_null(ts_board_get(ts_board_count()));
	for (size_t i = 0; i < ts_board_count(); i++) {
		b = ts_board_get(i);
		assert_ptr_equal(ts_board_find(b->name), b);
		assert_true(b->max_clock_mhz > 0 && b->max_clock_mhz <= 1000);
		assert_true(b->dram_gbps > 0);
		assert_true((b->uram == 0) == (b->uram_kbits == 0));
	}
}

/* ---- presets ---------------------------------------------------------------- */

static void test_presets_validate_and_fit(void **state)
{
	(void)state;
	assert_true(ts_preset_count() >= 7);
	static const char *const required[] = { "tiny-ice40", "edge", "cloud", "cloud-u250",
						"edge-lightpe", "ultra96", "hx8k" };
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		assert_non_null(ts_preset_find(required[i]));
	for (size_t i = 0; i < ts_preset_count(); i++) {
		const ts_preset *p = ts_preset_get(i);
		ts_hwcfg c;
		ts_diag d;
		ts_diag_clear(&d);
		p->fill(&c);
		if (ts_hwcfg_validate(&c, &d) != TS_OK)
			print_error("preset %s: %s\n", p->name, d.msg);
		assert_int_equal(ts_hwcfg_validate(&c, &d), TS_OK);
		assert_string_equal(c.name, p->name);
		const ts_board *b = ts_board_find(c.board);
		assert_non_null(b);
		/* scratchpads fit the part's block RAM + URAM/SPRAM, clock the part */
		uint64_t spad_bits = 8ull * ((uint64_t)c.spad_input_bytes + c.spad_weight_bytes +
					     c.spad_acc_bytes);
		uint64_t mem_bits = 1024ull * ((uint64_t)b->bram * b->bram_kbits +
					       (uint64_t)b->uram * b->uram_kbits);
		if (spad_bits > mem_bits)
			print_error("preset %s: %llu spad bits > %llu on %s\n", p->name,
				    (unsigned long long)spad_bits, (unsigned long long)mem_bits, b->name);
		assert_true(spad_bits <= mem_bits);
		assert_true(c.clock_mhz <= b->max_clock_mhz);
		/* multiplier PEs: at most one per DSP where the part has DSPs */
		if (b->dsp && (c.pe == TS_PE_INT8 || c.pe == TS_PE_INT16))
			assert_true(c.rows * c.cols <= b->dsp);
	}
	/* the specific ones the brief fixes */
	ts_hwcfg c;
	ts_preset_find("tiny-ice40")->fill(&c);
	assert_int_equal(c.rows, 2);
	assert_int_equal(c.cols, 4);
	assert_string_equal(c.board, "ulx3s");
	assert_int_equal(c.spad_input_bytes, 4096);
	assert_int_equal(c.spad_weight_bytes, 1024);
	assert_int_equal(c.spad_acc_bytes, 4096);
	assert_int_equal(c.dram_bytes_per_cycle, 2);
	assert_int_equal(c.dram_latency, 2);
	assert_true(c.clock_mhz == 25); /* the ULX3S oscillator: no PLL */
	ts_preset_find("cloud_u250")->fill(&c); /* '_' and '-' are the same */
	assert_int_equal(c.rows, 64);
	assert_int_equal(c.cols, 96);
	assert_int_equal(c.spad_weight_bytes, 2u << 20);
	assert_int_equal(c.dram_latency, 80);
	ts_preset_find("ultra96")->fill(&c);
	assert_int_equal(c.dataflow, TS_DF_OS);
	ts_preset_find("edge-lightpe")->fill(&c);
	assert_int_equal(c.pe, TS_PE_LIGHTPE2);
	ts_preset_find("hx8k")->fill(&c);
	assert_int_equal(c.pe, TS_PE_INT4);
	assert_int_equal(c.requant_cycles, 8); /* the serial requantizer: no DSPs on the part */
	assert_true(c.clock_mhz == 24);
	assert_null(ts_preset_find("nope"));
}

/* ---- derived quantities (config/derive.c) ------------------------------------ */

typedef struct derived_expect {
	const char *preset;
	uint64_t in_word, w_word, acc_word, d_in, d_w, d_acc;
	uint32_t spad_banks, out_per_byte, store_lanes, acc_banks_per_col, acc_banks;
} derived_expect;

static void assert_derived(const ts_hwcfg *c, const derived_expect *e)
{
	ts_hwcfg_derived dv;
	memset(&dv, 0xa5, sizeof dv); /* every field must be written */
	ts_hwcfg_derive(c, &dv);
	if (dv.d_in != e->d_in || dv.d_w != e->d_w || dv.d_acc != e->d_acc || dv.acc_banks != e->acc_banks)
		print_error("%s: depths %llu %llu %llu, acc banks %u\n", c->name, (unsigned long long)dv.d_in,
			    (unsigned long long)dv.d_w, (unsigned long long)dv.d_acc, dv.acc_banks);
	assert_int_equal(dv.abits, ts_pe_abits(c->pe));
	assert_int_equal(dv.wbits, ts_pe_wbits(c->pe));
	assert_int_equal(dv.obits, ts_pe_abits(c->pe));
	assert_int_equal(dv.acc_bytes, c->acc_bits / 8);
	assert_int_equal(dv.in_word_bits, (uint64_t)c->rows * ts_pe_abits(c->pe));
	assert_int_equal(dv.w_word_bits, (uint64_t)c->cols * ts_pe_wbits(c->pe));
	assert_int_equal(dv.acc_word_bits, (uint64_t)c->cols * c->acc_bits);
	assert_int_equal(dv.in_word_bytes, e->in_word);
	assert_int_equal(dv.w_word_bytes, e->w_word);
	assert_int_equal(dv.acc_word_bytes, e->acc_word);
	assert_int_equal(dv.d_in, e->d_in);
	assert_int_equal(dv.d_w, e->d_w);
	assert_int_equal(dv.d_acc, e->d_acc);
	assert_int_equal(dv.spad_banks, e->spad_banks);
	assert_int_equal(dv.out_per_byte, e->out_per_byte);
	assert_int_equal(dv.store_lanes, e->store_lanes);
	assert_int_equal(dv.acc_banks_per_col, e->acc_banks_per_col);
	assert_int_equal(dv.acc_banks, e->acc_banks);
}

/* The default with the fields derive.c reads set; spad: input, weight, acc bytes. */
static void hand_cfg(ts_hwcfg *c, uint32_t rows, uint32_t cols, ts_pe_type pe, uint32_t acc_bits,
		     const uint32_t spad[3], uint32_t bpc)
{
	ts_hwcfg_default(c);
	snprintf(c->name, sizeof c->name, "%ux%u-%s", rows, cols, ts_pe_type_name(pe));
	c->rows = rows;
	c->cols = cols;
	c->pe = pe;
	c->acc_bits = acc_bits;
	c->spad_input_bytes = spad[0];
	c->spad_weight_bytes = spad[1];
	c->spad_acc_bytes = spad[2];
	c->dram_bytes_per_cycle = bpc;
}

/* The value of "<prefix><name> <value>" in generated text. */
static uint64_t generated_value(const char *text, const char *prefix, const char *name)
{
	char key[64];
	snprintf(key, sizeof key, "%s%s ", prefix, name);
	const char *p = strstr(text, key);
	if (!p) {
		print_error("'%s' not in:\n%s\n", key, text);
		fail();
	}
	return strtoull(p + strlen(key), NULL, 10);
}

/* Hand-computed from docs/timing.md §2 (depth = floor(bytes / word bytes)) and
 * the bank rules of rtl/ts_top.v; tiny-ice40's 2 + 2 + 8 banks are the ones
 * docs/timing.md names. */
static void test_derived_presets(void **state)
{
	(void)state;
	static const derived_expect want[] = {
		/* 2x4 int8, 4 KiB / 1 KiB / 4 KiB, B = 2 */
		{ "tiny-ice40", 2, 4, 16, 2048, 256, 256, 2, 1, 2, 2, 8 },
		/* 12x16 int8: 65536 / 12 = 5461.3 words */
		{ "edge", 12, 16, 64, 5461, 2048, 1024, 8, 1, 8, 8, 128 },
		{ "edge-lightpe", 16, 16, 64, 4096, 2048, 1024, 8, 1, 8, 8, 128 },
		{ "ultra96", 16, 16, 64, 8192, 4096, 2048, 16, 1, 16, 16, 256 },
		{ "cloud", 32, 64, 256, 16384, 8192, 2048, 32, 1, 32, 32, 2048 },
		/* 2 MiB / 96 = 21845.3, 2 MiB / 384 = 5461.3 */
		{ "cloud-u250", 64, 96, 384, 32768, 21845, 5461, 64, 1, 64, 64, 6144 },
		/* 4x3 int4, 16-bit accumulators (2 bytes), B = 1: one bank, two
		 * outputs per byte, so two accumulator banks per column; 2048 / 6 */
		{ "hx8k", 2, 2, 6, 1024, 512, 341, 1, 2, 2, 2, 6 },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		ts_hwcfg c;
		const ts_preset *p = ts_preset_find(want[i].preset);
		assert_non_null(p);
		p->fill(&c);
		assert_derived(&c, &want[i]);
	}
	/* Odd widths: 12 binary activations in 2 bytes, 5 weights in 1, eight
	 * outputs per byte of a 3-byte beat = 24 lanes -> 32 banks per column. */
	ts_hwcfg c;
	hand_cfg(&c, 12, 5, TS_PE_BINARY, 16, (uint32_t[3]){ 101, 77, 999 }, 3);
	assert_derived(&c, &(derived_expect){ NULL, 2, 1, 10, 50, 77, 99, 4, 8, 24, 32, 160 });
	/* 3x5 int4 with 40-bit accumulators: 12 and 20 element bits in 2 and 3
	 * bytes, 5-byte accumulators; B = 5 -> 8 banks, 10 lanes -> 16 per column. */
	hand_cfg(&c, 3, 5, TS_PE_INT4, 40, (uint32_t[3]){ 1000, 1000, 1000 }, 5);
	assert_derived(&c, &(derived_expect){ NULL, 2, 3, 25, 500, 333, 40, 8, 2, 10, 16, 80 });
	/* Not a valid config, but no division by zero: empty words have depth 0. */
	c.pe = TS_PE_COUNT;
	c.acc_bits = 0;
	ts_hwcfg_derived dv;
	ts_hwcfg_derive(&c, &dv);
	assert_int_equal(dv.in_word_bytes, 0);
	assert_int_equal(dv.d_in, 0);
	assert_int_equal(dv.d_w, 0);
	assert_int_equal(dv.d_acc, 0);
}

/* The generated includes carry the derived depths and element widths, for
 * every preset. */
static void test_derived_match_generated(void **state)
{
	(void)state;
	for (size_t i = 0; i < ts_preset_count(); i++) {
		ts_hwcfg c;
		ts_preset_get(i)->fill(&c);
		ts_hwcfg_derived dv;
		ts_hwcfg_derive(&c, &dv);
		char *h = ts_gen_params_h(&c, "test"), *vh = ts_gen_params_vh(&c, "test");
		assert_non_null(h);
		assert_non_null(vh);
		const struct {
			const char *name;
			uint64_t value;
		} params[] = {
			{ "D_IN", dv.d_in }, { "D_W", dv.d_w }, { "D_ACC", dv.d_acc },
			{ "ABITS", dv.abits }, { "WBITS", dv.wbits }, { "DRAM_BPC", c.dram_bytes_per_cycle },
		};
		for (size_t j = 0; j < sizeof params / sizeof params[0]; j++) {
			assert_int_equal(generated_value(h, "#define TS_CFG_", params[j].name), params[j].value);
			/* the .vh pads names to a column: find the value after the spaces */
			char key[32];
			snprintf(key, sizeof key, "`define TS_%s ", params[j].name);
			const char *p = strstr(vh, key);
			assert_non_null(p);
			p += strlen(key);
			assert_int_equal(strtoull(p, NULL, 10), params[j].value);
		}
		free(h);
		free(vh);
	}
}

/* ceil(log2 v), at least 1: the clog2 function of rtl/ts_top.v. */
static uint32_t rtl_clog2(uint64_t v)
{
	uint32_t r = 1;
	for (uint64_t x = 2; x < v; x *= 2)
		r++;
	return r;
}

/* Banks and lanes against a transcription of ts_top.v's localparams (NBW,
 * EPB, NQ, ACC_NRW, ACC_NBK) for every port width, PE type and some widths. */
static void test_derived_banks_as_rtl(void **state)
{
	(void)state;
	for (uint32_t b = 1; b <= TS_HW_MAX_DRAM_BPC; b++)
		for (int pe = 0; pe < TS_PE_COUNT; pe++)
			for (uint32_t cols = 1; cols <= 256; cols *= 3) {
				ts_hwcfg c;
				ts_hwcfg_default(&c);
				c.pe = (ts_pe_type)pe;
				c.cols = cols;
				c.dram_bytes_per_cycle = b;
				ts_hwcfg_derived dv;
				ts_hwcfg_derive(&c, &dv);
				uint32_t ob = ts_pe_abits(c.pe);
				uint32_t nbw = b == 1 ? 0 : rtl_clog2(b);
				uint32_t epb = ob >= 8 ? 1 : 8 / ob;
				uint32_t nq = b * epb;
				uint32_t acc_nrw = nq == 1 ? 0 : rtl_clog2(nq);
				if (dv.spad_banks != 1u << nbw || dv.acc_banks != cols << acc_nrw)
					print_error("B %u pe %d cols %u: banks %u / %u, rtl %u / %u\n", b, pe, cols,
						    dv.spad_banks, dv.acc_banks, 1u << nbw, cols << acc_nrw);
				assert_int_equal(dv.spad_banks, 1u << nbw);
				assert_int_equal(dv.out_per_byte, epb);
				assert_int_equal(dv.store_lanes, nq);
				assert_int_equal(dv.acc_banks_per_col, 1u << acc_nrw);
				assert_int_equal(dv.acc_banks, cols << acc_nrw);
				/* every bank count covers its lanes, with less than 2x to spare */
				assert_true(dv.spad_banks >= b && dv.spad_banks < 2 * b);
				assert_true(dv.acc_banks_per_col >= nq && dv.acc_banks_per_col < 2 * nq);
			}
}

static void test_default_is_edge(void **state)
{
	(void)state;
	ts_hwcfg c, e;
	ts_hwcfg_default(&c);
	ts_preset_find("edge")->fill(&e);
	assert_true(ts_hwcfg_equal(&c, &e));
	assert_string_equal(c.name, "edge");
	assert_int_equal(c.rows, 12);
	assert_int_equal(c.cols, 16);
	assert_int_equal(c.dataflow, TS_DF_WS);
	assert_int_equal(c.pe, TS_PE_INT8);
	assert_int_equal(c.acc_bits, 32);
	assert_int_equal(c.spad_input_bytes, 65536);
	assert_int_equal(c.spad_weight_bytes, 32768);
	assert_int_equal(c.spad_acc_bytes, 65536);
	assert_int_equal(c.dram_bytes_per_cycle, 8);
	assert_int_equal(c.dram_latency, 30);
	assert_int_equal(c.requant_cycles, 1); /* the one-cycle requantizer */
	assert_true(c.clock_mhz == 150);
	assert_int_equal(c.sparse_formats, 0);
	assert_string_equal(c.board, "zcu104");
}

static void test_preset_round_trip(void **state)
{
	(void)state;
	for (size_t i = 0; i < ts_preset_count(); i++) {
		ts_hwcfg c, back;
		ts_diag d;
		ts_diag_clear(&d);
		ts_preset_get(i)->fill(&c);
		char *text = ts_hwcfg_to_json(&c);
		assert_non_null(text);
		ts_status st = ts_hwcfg_parse(text, strlen(text), "rt.json", &back, &d);
		if (st)
			print_error("%s\n%s\n", text, d.msg);
		assert_int_equal(st, TS_OK);
		assert_true(ts_hwcfg_equal(&c, &back));
		/* canonical: serializing again gives the same bytes */
		char *again = ts_hwcfg_to_json(&back);
		assert_string_equal(text, again);
		free(text);
		free(again);
	}
}

static void test_to_json_exact(void **state)
{
	(void)state;
	ts_hwcfg c;
	ts_preset_find("edge-sparse")->fill(&c);
	char *text = ts_hwcfg_to_json(&c);
	assert_string_equal(text,
		"{\n"
		"  \"name\": \"edge-sparse\",\n"
		"  \"array\": { \"rows\": 12, \"cols\": 16, \"dataflow\": \"ws\", \"pe\": \"int8\", \"acc_bits\": 32 },\n"
		"  \"scratchpad\": { \"input_bytes\": 65536, \"weight_bytes\": 32768, \"acc_bytes\": 65536 },\n"
		"  \"dram\": { \"bytes_per_cycle\": 8, \"latency\": 30 },\n"
		"  \"requant\": { \"cycles\": 1 },\n"
		"  \"clock_mhz\": 150,\n"
		"  \"sparse\": { \"formats\": [\"bitmap\", \"csr\"], \"lanes\": 4 },\n"
		"  \"board\": \"zcu104\"\n"
		"}\n");
	free(text);
	/* escaping of the name, a fractional clock */
	ts_hwcfg_default(&c);
	strcpy(c.name, "a\"b\\c");
	c.clock_mhz = 133.25;
	text = ts_hwcfg_to_json(&c);
	assert_contains(text, "\"name\": \"a\\\"b\\\\c\",\n");
	assert_contains(text, "\"clock_mhz\": 133.25,\n");
	ts_hwcfg back;
	assert_int_equal(ts_hwcfg_parse(text, strlen(text), "x", &back, NULL), TS_OK);
	assert_true(ts_hwcfg_equal(&c, &back));
	free(text);
}

static void test_summary(void **state)
{
	(void)state;
	ts_hwcfg c;
	char buf[128];
	ts_hwcfg_default(&c);
	ts_hwcfg_summary(&c, buf, sizeof buf);
	assert_string_equal(buf, "12x16 int8 ws @ 150 MHz on zcu104");
	ts_preset_find("edge-sparse")->fill(&c);
	ts_hwcfg_summary(&c, buf, sizeof buf);
	assert_string_equal(buf, "12x16 int8 ws @ 150 MHz on zcu104, sparse bitmap+csr x4");
	ts_hwcfg_default(&c);
	c.requant_cycles = 8;
	ts_hwcfg_summary(&c, buf, sizeof buf);
	assert_string_equal(buf, "12x16 int8 ws @ 150 MHz on zcu104, requant 8 cycles");
}

/* ---- good files --------------------------------------------------------------- */

static void test_good_full(void **state)
{
	(void)state;
	ts_hwcfg c;
	ts_diag d;
	ts_diag_clear(&d);
	ts_status st = ts_hwcfg_load(DATA "good_full.json", &c, &d);
	if (st)
		print_error("%s\n", d.msg);
	assert_int_equal(st, TS_OK);
	assert_string_equal(c.name, "full-test");
	assert_int_equal(c.rows, 8);
	assert_int_equal(c.cols, 24);
	assert_int_equal(c.dataflow, TS_DF_OS);
	assert_int_equal(c.pe, TS_PE_INT16);
	assert_int_equal(c.acc_bits, 48);
	assert_int_equal(c.requant_cycles, 16);
	assert_int_equal(c.spad_input_bytes, 131072);
	assert_int_equal(c.spad_weight_bytes, 16384);
	assert_int_equal(c.spad_acc_bytes, 98304);
	assert_int_equal(c.dram_bytes_per_cycle, 16);
	assert_int_equal(c.dram_latency, 45);
	assert_true(c.clock_mhz == 187.5);
	assert_int_equal(c.sparse_formats, TS_SPF_COO | TS_SPF_BITMAP | TS_SPF_RLC);
	assert_int_equal(c.sparse_lanes, 8);
	assert_string_equal(c.board, "zcu104");
}

static void test_good_partial_defaults(void **state)
{
	(void)state;
	ts_hwcfg c, e;
	ts_diag d;
	ts_diag_clear(&d);
	assert_int_equal(ts_hwcfg_load(DATA "good_partial.json", &c, &d), TS_OK);
	ts_hwcfg_default(&e);
	e.rows = 16;
	e.clock_mhz = 100;
	assert_true(ts_hwcfg_equal(&c, &e));
	/* {} is the default */
	c = parse_ok("{}");
	ts_hwcfg_default(&e);
	assert_true(ts_hwcfg_equal(&c, &e));
	/* an empty sparse list turns the unit off; lanes alone keeps formats */
	c = parse_ok("{\"preset\": \"edge-sparse\", \"sparse\": {\"formats\": []}}");
	assert_int_equal(c.sparse_formats, 0);
	assert_int_equal(c.sparse_lanes, 4);
	c = parse_ok("{\"preset\": \"edge-sparse\", \"sparse\": {\"lanes\": 16}}");
	assert_int_equal(c.sparse_formats, TS_SPF_BITMAP | TS_SPF_CSR);
	assert_int_equal(c.sparse_lanes, 16);
	/* names fold case and '_', and are stored canonically */
	c = parse_ok("{\"board\": \"PYNQ_Z2\", \"array\": {\"pe\": \"LightPE1\", \"dataflow\": \"OS\"}}");
	assert_string_equal(c.board, "pynq-z2");
	assert_int_equal(c.pe, TS_PE_LIGHTPE1);
	assert_int_equal(c.dataflow, TS_DF_OS);
	/* limits are inclusive */
	c = parse_ok("{\"clock_mhz\": 1000, \"dram\": {\"latency\": 0, \"bytes_per_cycle\": 1}}");
	assert_true(c.clock_mhz == 1000);
	assert_int_equal(c.dram_latency, 0);
	/* (256 bytes per cycle: only u250's memory is that wide, 76.8 GB/s = 256 x 300 MHz) */
	c = parse_ok("{\"board\": \"u250\", \"clock_mhz\": 300, \"dram\": {\"bytes_per_cycle\": 256}}");
	assert_int_equal(c.dram_bytes_per_cycle, 256);
	/* escaped keys are keys */
	c = parse_ok("{\"arr\\u0061y\": {\"r\\u006fws\": 5}}");
	assert_int_equal(c.rows, 5);
	/* the serial requantizer: every allowed cycle count; nothing else changes */
	for (uint32_t m = 1; m <= 32; m *= 2) {
		char text[64];
		snprintf(text, sizeof text, "{\"requant\": {\"cycles\": %u}}", m);
		c = parse_ok(text);
		assert_int_equal(c.requant_cycles, m);
		ts_hwcfg_default(&e);
		e.requant_cycles = m;
		assert_true(ts_hwcfg_equal(&c, &e));
	}
	c = parse_ok("{\"preset\": \"icebreaker\", \"requant\": {}}");
	assert_int_equal(c.requant_cycles, 1);
}

static void test_good_preset_override(void **state)
{
	(void)state;
	ts_hwcfg c, e;
	ts_diag d;
	ts_diag_clear(&d);
	assert_int_equal(ts_hwcfg_load(DATA "good_preset.json", &c, &d), TS_OK);
	ts_preset_find("cloud")->fill(&e);
	assert_string_equal(c.name, "cloud-fast");
	assert_int_equal(c.dataflow, TS_DF_OS);
	assert_true(c.clock_mhz == 300);
	/* everything else from cloud */
	assert_int_equal(c.rows, 32);
	assert_int_equal(c.cols, 64);
	assert_int_equal(c.spad_input_bytes, 512u << 10);
	assert_int_equal(c.dram_bytes_per_cycle, 32);
	assert_int_equal(c.dram_latency, 60);
	assert_string_equal(c.board, "zcu102");
	e.dataflow = TS_DF_OS;
	e.clock_mhz = 300;
	strcpy(e.name, "cloud-fast");
	assert_true(ts_hwcfg_equal(&c, &e));
	/* a preset without "name" keeps the preset's name */
	c = parse_ok("{\"preset\": \"hx8k\"}");
	assert_string_equal(c.name, "hx8k");
}

static void test_resolve(void **state)
{
	(void)state;
	ts_hwcfg c;
	ts_diag d;
	ts_diag_clear(&d);
	assert_int_equal(ts_hwcfg_resolve("Tiny_ICE40", &c, &d), TS_OK);
	assert_string_equal(c.name, "tiny-ice40");
	assert_int_equal(ts_hwcfg_resolve(DATA "good_full.json", &c, &d), TS_OK);
	assert_string_equal(c.name, "full-test");
	assert_int_equal(ts_hwcfg_resolve(DATA "no_such.json", &c, &d), TS_ERR_IO);
	assert_prefix(d.msg, DATA "no_such.json: cannot open");
	assert_contains(d.msg, "not a preset: tiny-ice40, edge");
	ts_diag_clear(&d);
	assert_int_equal(ts_hwcfg_resolve(DATA "bad_board.json", &c, &d), TS_ERR_INPUT);
	assert_prefix(d.msg, DATA "bad_board.json:2:12: ");
}

/* ---- bad files ---------------------------------------------------------------- */

static const struct bad_file {
	const char *file;
	const char *pos;
	const char *msg; /* the message after "file:line:col: " starts with this */
} bad_files[] = {
	{ "bad_syntax.json", "3:25", "invalid JSON: string or '}' expected near '}'" },
	{ "bad_unknown_top.json", "3:3",
	  "unknown key 'colz' (expected: name, array, scratchpad, dram, requant, clock_mhz, sparse, board, preset)" },
	{ "bad_unknown_nested.json", "3:5",
	  "unknown key 'colz' in 'array' (expected: rows, cols, dataflow, pe, acc_bits)" },
	{ "bad_type.json", "2:22", "array.rows = \"12\": expected an integer in 1..256" },
	{ "bad_real.json", "2:22", "array.rows = 12.5: expected an integer in 1..256" },
	{ "bad_negative.json", "1:20", "array.cols = -3 is out of range (allowed: 1..256)" },
	{ "bad_rows_zero.json", "3:22", "array.rows = 0 is out of range (allowed: 1..256)" },
	{ "bad_rows_257.json", "3:13", "array.rows = 257 is out of range (allowed: 1..256)" },
	{ "bad_acc_bits_20.json", "2:26", "array.acc_bits = 20 is not one of 16, 24, 32, 40, 48" },
	{ "bad_requant_cycles.json", "3:26", "requant.cycles = 12 is not one of 1, 2, 4, 8, 16, 32" },
	{ "bad_acc16_int16.json", "2:41",
	  "array.acc_bits = 16 is narrower than the 32-bit products of int16 PEs" },
	{ "bad_spad_small.json", "5:34",
	  "scratchpad.weight_bytes = 100 cannot hold one 16x16 int8 weight tile (256 bytes)" },
	{ "bad_board.json", "2:12",
	  "board = \"zedboard\" is not a known board (known: pynq-z2, ultra96, zcu102, zcu104, u250, icebreaker, hx8k, ulx3s)" },
	{ "bad_pe.json", "4:11",
	  "array.pe = \"int7\" is not a PE type (expected: int16, int8, int4, lightpe1, lightpe2, binary)" },
	{ "bad_duplicate.json", "4:3", "duplicate key \"array\"" },
	{ "bad_empty.json", "1:1", "empty file" },
	{ "bad_toplevel.json", "1:1", "the top level must be an object {...}, not an array" },
};

static void test_bad_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_files / sizeof bad_files[0]; i++) {
		const struct bad_file *b = &bad_files[i];
		char path[256], expect[512];
		snprintf(path, sizeof path, DATA "%s", b->file);
		snprintf(expect, sizeof expect, "%s:%s: %s", path, b->pos, b->msg);
		ts_hwcfg c;
		ts_diag d;
		ts_diag_clear(&d);
		ts_status st = ts_hwcfg_load(path, &c, &d);
		if (st != TS_ERR_INPUT)
			print_error("%s: status %d (%s)\n", path, st, d.msg);
		assert_int_equal(st, TS_ERR_INPUT);
		assert_prefix(d.msg, expect);
	}
}

static void test_bad_inline(void **state)
{
	(void)state;
	/* types and ranges of every kind of field */
	expect_parse_error("{\"name\": \"\"}", "1:10", "name = \"\": expected a string of 1..63 characters");
	expect_parse_error("{\"name\": \"0123456789012345678901234567890123456789012345678901234567890123\"}",
			   "1:10", "expected a string of 1..63 characters");
	expect_parse_error("{\"name\": \"tab\\there\"}", "1:10", "name contains a control character");
	expect_parse_error("{\"name\": 7}", "1:10", "name = 7: expected a string");
	expect_parse_error("{\"array\": {\"rows\": 12.0}}", "1:20", "array.rows = 12.0: expected an integer");
	expect_parse_error("{\"array\": {\"rows\": 99999999999}}", "1:20",
			   "array.rows = 99999999999 is out of range (allowed: 1..256)");
	expect_parse_error("{\"array\": {\"rows\": null}}", "1:20", "array.rows = null: expected an integer");
	expect_parse_error("{\"array\": {\"acc_bits\": \"32\"}}", "1:24",
			   "array.acc_bits = \"32\": expected one of 16, 24, 32, 40, 48");
	expect_parse_error("{\"requant\": {\"cycles\": 3}}", "1:24",
			   "requant.cycles = 3 is not one of 1, 2, 4, 8, 16, 32");
	expect_parse_error("{\"requant\": {\"cycles\": 0}}", "1:24",
			   "requant.cycles = 0 is not one of 1, 2, 4, 8, 16, 32");
	expect_parse_error("{\"requant\": {\"cycles\": 64}}", "1:24",
			   "requant.cycles = 64 is not one of 1, 2, 4, 8, 16, 32");
	expect_parse_error("{\"requant\": {\"cycles\": -8}}", "1:24",
			   "requant.cycles = -8 is not one of 1, 2, 4, 8, 16, 32");
	expect_parse_error("{\"requant\": {\"cycles\": 8.0}}", "1:24",
			   "requant.cycles = 8.0: expected one of 1, 2, 4, 8, 16, 32");
	expect_parse_error("{\"requant\": {\"cycles\": \"8\"}}", "1:24",
			   "requant.cycles = \"8\": expected one of 1, 2, 4, 8, 16, 32");
	expect_parse_error("{\"requant\": 8}", "1:13", "requant = 8 is not an object (expected keys: cycles)");
	expect_parse_error("{\"requant\": {\"cycle\": 8}}", "1:14",
			   "unknown key 'cycle' in 'requant' (expected: cycles)");
	expect_parse_error("{\"array\": {\"dataflow\": \"rs\"}}", "1:24",
			   "array.dataflow = \"rs\" is not a dataflow (expected: ws, os)");
	expect_parse_error("{\"array\": 12}", "1:11", "array = 12 is not an object (expected keys: rows");
	expect_parse_error("{\"scratchpad\": {\"acc_bytes\": 0}}", "1:30",
			   "scratchpad.acc_bytes = 0 is out of range (allowed: 1..67108864)");
	expect_parse_error("{\"scratchpad\": {\"input_bytes\": 67108865}}", "1:32",
			   "scratchpad.input_bytes = 67108865 is out of range");
	expect_parse_error("{\"dram\": {\"bytes_per_cycle\": 257}}", "1:30",
			   "dram.bytes_per_cycle = 257 is out of range (allowed: 1..256)");
	expect_parse_error("{\"dram\": {\"latency\": 4097}}", "1:22",
			   "dram.latency = 4097 is out of range (allowed: 0..4096)");
	expect_parse_error("{\"clock_mhz\": 0}", "1:15", "clock_mhz = 0 is out of range (allowed: > 0 and <= 1000)");
	expect_parse_error("{\"clock_mhz\": 1000.5}", "1:15", "clock_mhz = 1000.5 is out of range");
	expect_parse_error("{\"clock_mhz\": 1000.0000001}", "1:15", "clock_mhz = 1000.0000001 is out of range");
	expect_parse_error("{\"clock_mhz\": -1e-3}", "1:15", "clock_mhz = -0.001 is out of range");
	expect_parse_error("{\"array\": {\"cols\": 1e2}}", "1:20", "array.cols = 100.0: expected an integer");
	expect_parse_error("{\"clock_mhz\": \"fast\"}", "1:15", "clock_mhz = \"fast\": expected a number");
	expect_parse_error("{\"sparse\": {\"formats\": \"csr\"}}", "1:24",
			   "sparse.formats = \"csr\" is not a list");
	expect_parse_error("{\"sparse\": {\"formats\": [\"csr\",\n  \"bsr\"]}}", "2:3",
			   "sparse.formats[1] = \"bsr\" is not a sparse format (expected: bitmap, csr, csc, coo, rlc)");
	expect_parse_error("{\"sparse\": {\"formats\": [\"csr\", [1, 2], \"coo\"]}}", "1:32",
			   "sparse.formats[1] = [...] is not a sparse format");
	expect_parse_error("{\"sparse\": {\"formats\": [\"csr\", \"CSR\"]}}", "1:32",
			   "sparse.formats[1] = \"CSR\" is listed twice");
	/* lanes are range-checked even without a sparse unit */
	expect_parse_error("{\"sparse\": {\"formats\": [], \"lanes\": 0}}", "1:37",
			   "sparse.lanes = 0 is out of range (allowed: 1..64)");
	expect_parse_error("{\"sparse\": {\"lanes\": 65}}", "1:22", "sparse.lanes = 65 is out of range");
	expect_parse_error("{\"board\": 3}", "1:11", "board = 3 is not a known board");
	expect_parse_error("{\"preset\": \"huge\"}", "1:12",
			   "preset = \"huge\" is not a preset (known: tiny-ice40, edge,");
	expect_parse_error("{\"sparse\": {\"lanes\": 4, \"width\": 2}}", "1:25",
			   "unknown key 'width' in 'sparse' (expected: formats, lanes)");

	/* tile checks: input (rows x rows) and accumulator tiles */
	expect_parse_error("{\"array\": {\"rows\": 64}, \"scratchpad\": {\"input_bytes\": 4095}}", "1:55",
			   "scratchpad.input_bytes = 4095 cannot hold one 64x64 int8 input tile (4096 bytes)");
	expect_parse_error("{\"scratchpad\": {\"acc_bytes\": 767}}", "1:30",
			   "scratchpad.acc_bytes = 767 cannot hold one 12x16 tile of 32-bit accumulators (768 bytes)");
	/* binary weights: 12x16 bits = 24 bytes, 23 is one short */
	ts_hwcfg c = parse_ok("{\"array\": {\"pe\": \"binary\", \"acc_bits\": 16}, \"scratchpad\": {\"weight_bytes\": 24}}");
	assert_int_equal(c.spad_weight_bytes, 24);
	expect_parse_error("{\"array\": {\"pe\": \"binary\"}, \"scratchpad\": {\"weight_bytes\": 23}}", "1:60",
			   "cannot hold one 12x16 binary weight tile (24 bytes)");
	/* a cross-field error whose culprit the file does not set points at the
	 * field it does set: hx8k has 16-bit accumulators, int16 needs 32 */
	expect_parse_error("{\"preset\": \"hx8k\",\n \"array\": {\"pe\": \"int16\"}}", "2:18",
			   "array.acc_bits = 16 is narrower than the 32-bit products of int16 PEs");
	/* growing rows past what the default spads hold: points at rows */
	expect_parse_error("{\"array\": {\"rows\": 256, \"cols\": 256}}", "1:20",
			   "scratchpad.weight_bytes = 32768 cannot hold one 256x256 int8 weight tile (65536 bytes)");

	/* positions: UTF-8 counts as one column, escapes in keys, nesting */
	expect_parse_error("{\"name\": \"h\xc3\xa9llo\", \"colz\": 1}", "1:19", "unknown key 'colz'");
	expect_parse_error("{\"arr\\u0061y\": {\"rows\": 0}}", "1:25", "array.rows = 0");
	expect_parse_error("{\"name\": \"{\\\"array\\\": {\\\"rows\\\"\", \"array\": {\"rows\": 0}}",
			   "1:53", "array.rows = 0");
	expect_parse_error("\r\n\t{\"array\": {\"rows\": 1,\r\n \"rows\": 2}}", "3:2",
			   "duplicate key \"rows\"");

	/* syntax and framing */
	expect_parse_error("{\"a\": tru}", "1:9", "invalid JSON: invalid token near 'tru'");
	expect_parse_error("{\n  \"name\": \"x\"\n", "3:1", "invalid JSON: '}' expected near end of file");
	expect_parse_error("{} {}", "1:4", "invalid JSON: end of file expected");
	expect_parse_error("  \n\t ", "1:1", "empty file");
	expect_parse_error("\n  42", "2:3", "the top level must be an object {...}, not a number");
	expect_parse_error("\"edge\"", "1:1", "not a string");
	char with_nul[] = "{\"name\": \"a\0b\"}";
	ts_diag d;
	ts_diag_clear(&d);
	assert_int_equal(ts_hwcfg_parse(with_nul, sizeof with_nul - 1, "cfg.json", &c, &d), TS_ERR_INPUT);
	assert_prefix(d.msg, "cfg.json:1:12: NUL byte");
}

static void test_validate_messages(void **state)
{
	(void)state;
	ts_hwcfg c;
	ts_diag d;
	ts_hwcfg_default(&c);
	ts_diag_clear(&d);
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_OK);
	assert_string_equal(d.msg, "");

	c.rows = 0;
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_string_equal(d.msg, "array.rows = 0 is out of range (allowed: 1..256)");

	/* What the board's memory can feed (edge on pynq-z2, 150 MHz; 2.1 GB/s, 32-byte port) */
	ts_hwcfg_default(&c);
	ts_strlcpy(c.board, "pynq-z2", sizeof c.board);
	ts_diag_clear(&d);
	c.dram_bytes_per_cycle = 14; /* 2.1 GB/s exactly */
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_OK);
	c.dram_bytes_per_cycle = 15;
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_string_equal(d.msg, "dram.bytes_per_cycle = 15 at clock_mhz = 150 is 2.25 GB/s, more than pynq-z2's "
				   "memory feeds (2.1 GB/s: DDR3 x16 behind four 64-bit HP ports)");
	ts_diag_clear(&d);
	c.dram_bytes_per_cycle = 64; /* the array search's old pick for ResNet-18 */
	c.clock_mhz = 10;
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_string_equal(d.msg, "dram.bytes_per_cycle = 64 is wider than pynq-z2's memory port (at most 32 "
				   "bytes per cycle: DDR3 x16 behind four 64-bit HP ports)");
	ts_diag_clear(&d);
	c.dram_bytes_per_cycle = 2;
	c.clock_mhz = 100;
	snprintf(c.board, sizeof c.board, "ulx3s");
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_OK);
	c.dram_bytes_per_cycle = 3;
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_non_null(strstr(d.msg, "wider than ulx3s's memory port (at most 2 bytes per cycle: 32 MB SDRAM, 16 bits)"));

	ts_hwcfg_default(&c);
	ts_diag_clear(&d);
	c.cols = 300;
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_string_equal(d.msg, "array.cols = 300 is out of range (allowed: 1..256)");

	ts_hwcfg_default(&c);
	ts_diag_clear(&d);
	c.rows = c.cols = 16;
	c.spad_weight_bytes = 100;
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_string_equal(d.msg,
			    "scratchpad.weight_bytes = 100 cannot hold one 16x16 int8 weight tile (256 bytes)");

	/* int4: 16x16 weights = 128 bytes; 127 too few, 128 enough */
	c.pe = TS_PE_INT4;
	c.spad_weight_bytes = 127;
	ts_diag_clear(&d);
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_string_equal(d.msg,
			    "scratchpad.weight_bytes = 127 cannot hold one 16x16 int4 weight tile (128 bytes)");
	c.spad_weight_bytes = 128;
	assert_int_equal(ts_hwcfg_validate(&c, NULL), TS_OK);
	/* lightpe1: 4-bit weights but 8-bit activations: 16x16 inputs = 256 bytes */
	c.pe = TS_PE_LIGHTPE1;
	c.spad_input_bytes = 255;
	ts_diag_clear(&d);
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_string_equal(d.msg,
			    "scratchpad.input_bytes = 255 cannot hold one 16x16 lightpe1 input tile (256 bytes)");

	ts_hwcfg_default(&c);
	ts_diag_clear(&d);
	c.pe = TS_PE_INT16;
	c.acc_bits = 24;
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_string_equal(d.msg, "array.acc_bits = 24 is narrower than the 32-bit products of int16 PEs");

	ts_hwcfg_default(&c);
	ts_diag_clear(&d);
	c.acc_bits = 33;
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_string_equal(d.msg, "array.acc_bits = 33 is not one of 16, 24, 32, 40, 48");

	ts_hwcfg_default(&c);
	ts_diag_clear(&d);
	c.requant_cycles = 0; /* a config built field by field without it */
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_string_equal(d.msg, "requant.cycles = 0 is not one of 1, 2, 4, 8, 16, 32");

	ts_hwcfg_default(&c);
	ts_diag_clear(&d);
	c.pe = (ts_pe_type)TS_PE_COUNT;
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_prefix(d.msg, "array.pe = 6 is not a PE type");

	ts_hwcfg_default(&c);
	ts_diag_clear(&d);
	c.clock_mhz = NAN;
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_prefix(d.msg, "clock_mhz = ");

	ts_hwcfg_default(&c);
	ts_diag_clear(&d);
	c.sparse_formats = 1u << 7;
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_prefix(d.msg, "sparse.formats = 0x80 has bits outside");

	ts_hwcfg_default(&c);
	ts_diag_clear(&d);
	c.sparse_lanes = 0;
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_string_equal(d.msg, "sparse.lanes = 0 is out of range (allowed: 1..64)");

	ts_hwcfg_default(&c);
	ts_diag_clear(&d);
	strcpy(c.board, "zedboard");
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_prefix(d.msg, "board = \"zedboard\" is not a known board (known: pynq-z2,");

	ts_hwcfg_default(&c);
	ts_diag_clear(&d);
	c.name[0] = '\0';
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_string_equal(d.msg, "name must be 1..63 characters");

	ts_hwcfg_default(&c);
	ts_diag_clear(&d);
	strcpy(c.name, "bad\xff");
	assert_int_equal(ts_hwcfg_validate(&c, &d), TS_ERR_INPUT);
	assert_string_equal(d.msg, "name is not valid UTF-8");
}

/* ---- random round trip ---------------------------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n) /* 0..n-1, xorshift64* */
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)(((rng_state * 2685821657736338717ull) >> 32) % n);
}

static uint32_t rnd_range(uint32_t lo, uint32_t hi)
{
	return lo + rnd(hi - lo + 1);
}

static void random_config(ts_hwcfg *c)
{
	static const char alphabet[] = "abcXYZ09 -_.\"\\/{}[]:,";
	static const uint32_t accs[] = { 16, 24, 32, 40, 48 };
	memset(c, 0, sizeof *c);
	size_t len = rnd_range(1, 40);
	size_t k = 0;
	while (k < len) {
		if (rnd(8) == 0 && k + 2 < len) {
			c->name[k++] = (char)0xc3; /* é */
			c->name[k++] = (char)0xa9;
		} else {
			c->name[k++] = alphabet[rnd(sizeof alphabet - 1)];
		}
	}
	c->rows = rnd(4) ? rnd_range(1, 64) : rnd_range(1, TS_HW_MAX_DIM);
	c->cols = rnd(4) ? rnd_range(1, 64) : rnd_range(1, TS_HW_MAX_DIM);
	c->dataflow = (ts_dataflow)rnd(TS_DF_COUNT);
	c->pe = (ts_pe_type)rnd(TS_PE_COUNT);
	do
		c->acc_bits = accs[rnd(5)];
	while (c->pe == TS_PE_INT16 && c->acc_bits < 32);
	uint64_t w = ts_nbytes((uint64_t)c->rows * c->cols, ts_pe_wbits(c->pe));
	uint64_t a = ts_nbytes((uint64_t)c->rows * c->rows, ts_pe_abits(c->pe));
	uint64_t acc = (uint64_t)c->rows * c->cols * (c->acc_bits / 8);
	c->spad_weight_bytes = (uint32_t)w + rnd(1u << 20);
	c->spad_input_bytes = (uint32_t)a + rnd(1u << 20);
	c->spad_acc_bytes = (uint32_t)acc + rnd(1u << 20);
	/* the board first: its memory bounds the port width, and width x clock */
	const ts_board *b = ts_board_get(rnd((uint32_t)ts_board_count()));
	strcpy(c->board, b->name);
	c->dram_bytes_per_cycle = rnd_range(1, b->mem_port_bytes);
	c->dram_latency = rnd_range(0, TS_HW_MAX_DRAM_LATENCY);
	double max_mhz = b->dram_gbps * 1e3 / c->dram_bytes_per_cycle;
	if (max_mhz > 1000)
		max_mhz = 1000;
	c->clock_mhz = rnd(2) ? rnd_range(1, 1000) : rnd_range(1, 1000000) / 1000.0 + rnd(1000) * 1e-9;
	while (c->clock_mhz > max_mhz)
		c->clock_mhz /= 2;
	c->sparse_formats = rnd(TS_SPF_ALL + 1);
	c->sparse_lanes = rnd_range(1, TS_HW_MAX_LANES);
	c->requant_cycles = 1u << rnd(6);
}

static void test_random_round_trip(void **state)
{
	(void)state;
	uint64_t seed = ts_test_seed("test_random_round_trip");
	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	for (int iter = 0; iter < 2000; iter++) {
		ts_hwcfg c, back;
		ts_diag d;
		ts_diag_clear(&d);
		random_config(&c);
		if (ts_hwcfg_validate(&c, &d) != TS_OK)
			print_error("seed %llu iter %d: %s\n", (unsigned long long)seed, iter, d.msg);
		assert_int_equal(ts_hwcfg_validate(&c, &d), TS_OK);
		char *text = ts_hwcfg_to_json(&c);
		assert_non_null(text);
		ts_status st = ts_hwcfg_parse(text, strlen(text), "rt.json", &back, &d);
		if (st != TS_OK || !ts_hwcfg_equal(&c, &back))
			print_error("seed %llu iter %d: %s\n%s\n", (unsigned long long)seed, iter, text, d.msg);
		assert_int_equal(st, TS_OK);
		assert_true(ts_hwcfg_equal(&c, &back));
		free(text);

		/* one spad a byte short of its tile must fail, naming that spad */
		ts_hwcfg bad = c;
		const char *expect;
		switch (rnd(3)) {
		case 0:
			bad.spad_weight_bytes = (uint32_t)ts_nbytes((uint64_t)c.rows * c.cols, ts_pe_wbits(c.pe)) - 1;
			expect = "scratchpad.weight_bytes = ";
			break;
		case 1:
			bad.spad_input_bytes = (uint32_t)ts_nbytes((uint64_t)c.rows * c.rows, ts_pe_abits(c.pe)) - 1;
			expect = "scratchpad.input_bytes = ";
			break;
		default:
			bad.spad_acc_bytes = c.rows * c.cols * (c.acc_bits / 8) - 1;
			expect = "scratchpad.acc_bytes = ";
			break;
		}
		ts_diag_clear(&d);
		assert_int_equal(ts_hwcfg_validate(&bad, &d), TS_ERR_INPUT);
		/* a 0-byte spad is caught by the range check, which names it too */
		assert_prefix(d.msg, expect);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_bits),
		cmocka_unit_test(test_boards),
		cmocka_unit_test(test_presets_validate_and_fit),
		cmocka_unit_test(test_derived_presets),
		cmocka_unit_test(test_derived_match_generated),
		cmocka_unit_test(test_derived_banks_as_rtl),
		cmocka_unit_test(test_default_is_edge),
		cmocka_unit_test(test_preset_round_trip),
		cmocka_unit_test(test_to_json_exact),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_good_full),
		cmocka_unit_test(test_good_partial_defaults),
		cmocka_unit_test(test_good_preset_override),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_bad_inline),
		cmocka_unit_test(test_validate_messages),
		cmocka_unit_test(test_random_round_trip),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
