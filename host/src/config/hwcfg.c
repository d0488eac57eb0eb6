/* hwcfg.c — hwcfg.json: parse, validate, serialize (see tessera/hwcfg.h).
 *
 * Format (every key optional; a missing key keeps the value of the base
 * config, which is the "edge" preset = ts_hwcfg_default unless "preset"
 * names another one):
 *
 *   {
 *     "preset":     "edge",                 base preset (never written back)
 *     "name":       "edge",                 1..63 characters, no control chars
 *     "array":      { "rows": 12,           1..TS_HW_MAX_DIM
 *                     "cols": 16,           1..TS_HW_MAX_DIM
 *                     "dataflow": "ws",     ws | os
 *                     "pe": "int8",         int16 | int8 | int4 | lightpe1 | lightpe2 | binary
 *                     "acc_bits": 32 },     16 | 24 | 32 | 40 | 48, >= the PE product width
 *     "scratchpad": { "input_bytes": 65536, 1..TS_HW_MAX_SPAD_BYTES and >= one rows x rows input tile
 *                     "weight_bytes": 32768,            ... >= one rows x cols weight tile
 *                     "acc_bytes": 65536 },             ... >= rows x cols accumulators
 *     "dram":       { "bytes_per_cycle": 8, 1..TS_HW_MAX_DRAM_BPC
 *                     "latency": 30 },      0..TS_HW_MAX_DRAM_LATENCY cycles
 *     "requant":    { "cycles": 1 },        the requantizer's multiply, cycles per output
 *                                           element: 1 (one cycle) | 2 | 4 | 8 | 16 | 32
 *                                           (serial; docs/timing.md §1)
 *     "clock_mhz":  150,                    a number, 0 < f <= 1000
 *     "sparse":     { "formats": ["bitmap", "csr"],  subset of bitmap, csr, csc, coo, rlc;
 *                                                    [] = no sparse unit
 *                     "lanes": 4 },         1..TS_HW_MAX_LANES (checked even without formats)
 *     "board":      "pynq-z2"               a name from the board database
 *   }
 *
 * Integers must be JSON integers (12.0 is rejected); names of enums, boards
 * and presets match case-insensitively with '-' and '_' equivalent and are
 * stored in canonical spelling. Unknown and duplicate keys are errors. Every
 * parse error reads "file:line:col: ..." (columns count UTF-8 characters, as
 * jansson does); jansson gives no positions for values, so a small scanner
 * over the raw text finds the position of the key path a message is about.
 * ts_hwcfg_to_json writes every key (not "preset") in the order above.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tessera/hwcfg.h"
#include "tessera/util.h"
#include "util/bits.h"

/* ---- names --------------------------------------------------------------- */

static const char *const dataflow_names[TS_DF_COUNT] = { "ws", "os" };
static const char *const pe_names[TS_PE_COUNT] = {
#define TS_PE_TYPE(name, code, config_name, wbits, abits, product_bits, what) [code] = config_name,
#include "tessera/pe.def"
#undef TS_PE_TYPE
};
/* pe.def's codes are 0 .. TS_PE_COUNT - 1, one row each. */
enum {
	PE_ROWS = 0
#define TS_PE_TYPE(name, code, config_name, wbits, abits, product_bits, what) +1
#include "tessera/pe.def"
#undef TS_PE_TYPE
};
_Static_assert((int)PE_ROWS == (int)TS_PE_COUNT, "pe.def: one row per code 0 .. n-1");
#define SPF_COUNT 5
static const char *const spf_names[SPF_COUNT] = { "bitmap", "csr", "csc", "coo", "rlc" };

const char *ts_dataflow_name(ts_dataflow df)
{
	return (unsigned)df < TS_DF_COUNT ? dataflow_names[df] : "?";
}

const char *ts_pe_type_name(ts_pe_type pe)
{
	return (unsigned)pe < TS_PE_COUNT ? pe_names[pe] : "?";
}

int ts_dataflow_from_name(const char *s, ts_dataflow *out)
{
	for (int i = 0; i < TS_DF_COUNT; i++)
		if (ts_name_eq(s, dataflow_names[i])) {
			*out = (ts_dataflow)i;
			return 0;
		}
	return -1;
}

int ts_pe_type_from_name(const char *s, ts_pe_type *out)
{
	for (int i = 0; i < TS_PE_COUNT; i++)
		if (ts_name_eq(s, pe_names[i])) {
			*out = (ts_pe_type)i;
			return 0;
		}
	return -1;
}

const char *ts_sparse_format_name(uint32_t spf_bit)
{
	for (int i = 0; i < SPF_COUNT; i++)
		if (spf_bit == 1u << i)
			return spf_names[i];
	return "?";
}

int ts_sparse_format_from_name(const char *s, uint32_t *spf_bit)
{
	for (int i = 0; i < SPF_COUNT; i++)
		if (ts_name_eq(s, spf_names[i])) {
			*spf_bit = 1u << i;
			return 0;
		}
	return -1;
}

/* Element widths (pe.def): lightpe1 stores sign + 3-bit exponent; lightpe2 two such terms. */
uint32_t ts_pe_wbits(ts_pe_type pe)
{
	static const uint32_t bits[TS_PE_COUNT] = {
#define TS_PE_TYPE(name, code, config_name, wbits, abits, product_bits, what) [code] = wbits,
#include "tessera/pe.def"
#undef TS_PE_TYPE
	};
	return (unsigned)pe < TS_PE_COUNT ? bits[pe] : 0;
}

uint32_t ts_pe_abits(ts_pe_type pe)
{
	static const uint32_t bits[TS_PE_COUNT] = {
#define TS_PE_TYPE(name, code, config_name, wbits, abits, product_bits, what) [code] = abits,
#include "tessera/pe.def"
#undef TS_PE_TYPE
	};
	return (unsigned)pe < TS_PE_COUNT ? bits[pe] : 0;
}

/* Width of one PE product, the narrowest accumulator that makes sense (pe.def):
 * 16 x 16 -> 32; 8 x 8 and narrower (shifted int8, popcounts) fit in 16. */
static uint32_t pe_product_bits(ts_pe_type pe)
{
	static const uint32_t bits[TS_PE_COUNT] = {
#define TS_PE_TYPE(name, code, config_name, wbits, abits, product_bits, what) [code] = product_bits,
#include "tessera/pe.def"
#undef TS_PE_TYPE
	};
	return bits[pe];
}

/* ---- fields ---------------------------------------------------------------- */

typedef enum field {
	F_NONE = -1,
	F_NAME = 0,
	F_ROWS,
	F_COLS,
	F_DATAFLOW,
	F_PE,
	F_ACC_BITS,
	F_SPAD_INPUT,
	F_SPAD_WEIGHT,
	F_SPAD_ACC,
	F_DRAM_BPC,
	F_DRAM_LATENCY,
	F_REQUANT_CYCLES,
	F_CLOCK,
	F_SPARSE_FORMATS,
	F_SPARSE_LANES,
	F_BOARD,
	F_PRESET,
	F_COUNT
} field;

/* section NULL = top-level key; lo..hi = integer range (hi 0: not an integer field). */
static const struct field_info {
	const char *section;
	const char *key;
	const char *path;
	uint32_t lo, hi;
} fields[F_COUNT] = {
	[F_NAME] = { NULL, "name", "name", 0, 0 },
	[F_ROWS] = { "array", "rows", "array.rows", 1, TS_HW_MAX_DIM },
	[F_COLS] = { "array", "cols", "array.cols", 1, TS_HW_MAX_DIM },
	[F_DATAFLOW] = { "array", "dataflow", "array.dataflow", 0, 0 },
	[F_PE] = { "array", "pe", "array.pe", 0, 0 },
	[F_ACC_BITS] = { "array", "acc_bits", "array.acc_bits", TS_HW_MIN_ACC_BITS, TS_HW_MAX_ACC_BITS },
	[F_SPAD_INPUT] = { "scratchpad", "input_bytes", "scratchpad.input_bytes", 1, TS_HW_MAX_SPAD_BYTES },
	[F_SPAD_WEIGHT] = { "scratchpad", "weight_bytes", "scratchpad.weight_bytes", 1, TS_HW_MAX_SPAD_BYTES },
	[F_SPAD_ACC] = { "scratchpad", "acc_bytes", "scratchpad.acc_bytes", 1, TS_HW_MAX_SPAD_BYTES },
	[F_DRAM_BPC] = { "dram", "bytes_per_cycle", "dram.bytes_per_cycle", 1, TS_HW_MAX_DRAM_BPC },
	[F_DRAM_LATENCY] = { "dram", "latency", "dram.latency", 0, TS_HW_MAX_DRAM_LATENCY },
	[F_REQUANT_CYCLES] = { "requant", "cycles", "requant.cycles", 1, TS_HW_MAX_REQUANT_CYCLES },
	[F_CLOCK] = { NULL, "clock_mhz", "clock_mhz", 0, 0 },
	[F_SPARSE_FORMATS] = { "sparse", "formats", "sparse.formats", 0, 0 },
	[F_SPARSE_LANES] = { "sparse", "lanes", "sparse.lanes", 1, TS_HW_MAX_LANES },
	[F_BOARD] = { NULL, "board", "board", 0, 0 },
	[F_PRESET] = { NULL, "preset", "preset", 0, 0 },
};

static const char *const top_keys[] = { "name", "array", "scratchpad", "dram", "requant",
					"clock_mhz", "sparse", "board", "preset", NULL };
static const char *const array_keys[] = { "rows", "cols", "dataflow", "pe", "acc_bits", NULL };
static const char *const spad_keys[] = { "input_bytes", "weight_bytes", "acc_bytes", NULL };
static const char *const dram_keys[] = { "bytes_per_cycle", "latency", NULL };
static const char *const requant_keys[] = { "cycles", NULL };
static const char *const sparse_keys[] = { "formats", "lanes", NULL };

static const uint32_t acc_bits_allowed[] = { 16, 24, 32, 40, 48 };
#define N_ACC_BITS (sizeof acc_bits_allowed / sizeof acc_bits_allowed[0])
/* The serial requantizer consumes 32 / M multiplier bits a cycle: M divides 32. */
static const uint32_t requant_cycles_allowed[] = { 1, 2, 4, 8, 16, 32 };
#define N_REQUANT_CYCLES (sizeof requant_cycles_allowed / sizeof requant_cycles_allowed[0])

static bool one_of(uint32_t v, const uint32_t *allowed, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v == allowed[i])
			return true;
	return false;
}

/* The allowed set of a field that takes one of a list of values; NULL for a range. */
static const uint32_t *value_set(field f, size_t *n)
{
	if (f == F_ACC_BITS) {
		*n = N_ACC_BITS;
		return acc_bits_allowed;
	}
	if (f == F_REQUANT_CYCLES) {
		*n = N_REQUANT_CYCLES;
		return requant_cycles_allowed;
	}
	*n = 0;
	return NULL;
}

/* Append to a fixed buffer, always terminated, never overflowing. */
static void catf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void catf(char *buf, size_t size, const char *fmt, ...)
{
	size_t used = strlen(buf);
	if (used + 1 >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + used, size - used, fmt, ap);
	va_end(ap);
}

static void join_names(char *buf, size_t size, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n && names[i]; i++)
		catf(buf, size, "%s%s", i ? ", " : "", names[i]);
}

static void board_list(char *buf, size_t size)
{
	for (size_t i = 0; i < ts_board_count(); i++)
		catf(buf, size, "%s%s", i ? ", " : "", ts_board_get(i)->name);
}

static void preset_list(char *buf, size_t size)
{
	for (size_t i = 0; i < ts_preset_count(); i++)
		catf(buf, size, "%s%s", i ? ", " : "", ts_preset_get(i)->name);
}

/* Allowed values of an integer field as text: "1..256" or "16, 24, 32, 40, 48". */
static void range_text(field f, char *buf, size_t size)
{
	buf[0] = '\0';
	size_t n;
	const uint32_t *set = value_set(f, &n);
	if (set) {
		for (size_t i = 0; i < n; i++)
			catf(buf, size, "%s%u", i ? ", " : "", set[i]);
		return;
	}
	snprintf(buf, size, "%u..%u", fields[f].lo, fields[f].hi);
}

static bool utf8_valid(const unsigned char *s)
{
	while (*s) {
		unsigned char b = *s;
		int extra;
		uint32_t cp;
		if (b < 0x80) {
			s++;
			continue;
		} else if ((b & 0xe0) == 0xc0) {
			extra = 1;
			cp = b & 0x1f;
		} else if ((b & 0xf0) == 0xe0) {
			extra = 2;
			cp = b & 0x0f;
		} else if ((b & 0xf8) == 0xf0) {
			extra = 3;
			cp = b & 0x07;
		} else {
			return false;
		}
		for (int i = 1; i <= extra; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		static const uint32_t min_cp[4] = { 0, 0x80, 0x800, 0x10000 };
		if (cp < min_cp[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += extra + 1;
	}
	return true;
}

/* Shortest text that reads back as x: integral values without a fraction
 * ("150"), others with the fewest of 15..17 significant digits. */
static void format_double(char *buf, size_t size, double x)
{
	if (!isfinite(x)) {
		snprintf(buf, size, "%s", isnan(x) ? "nan" : x > 0 ? "inf" : "-inf");
		return;
	}
	if (x == floor(x) && fabs(x) < 1e15) {
		snprintf(buf, size, "%.0f", x);
		return;
	}
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			return;
	}
}

/* ---- validation ------------------------------------------------------------
 * check() is shared by ts_hwcfg_validate and the parser: it writes the message
 * without a position and lists the fields involved, most specific first, so
 * the parser can point at whichever of them the file actually sets. */

#define MAX_INVOLVED 4 /* inv[] holds up to this many, then F_NONE */

static ts_status fail(field *inv, char *msg, size_t size, const field *list, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static ts_status fail(field *inv, char *msg, size_t size, const field *list, const char *fmt, ...)
{
	int i = 0;
	for (; i < MAX_INVOLVED && list[i] != F_NONE; i++)
		inv[i] = list[i];
	inv[i] = F_NONE;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, size, fmt, ap);
	va_end(ap);
	return TS_ERR_INPUT;
}

#define FAIL(...) return fail(inv, msg, size, (const field[]){ __VA_ARGS__, F_NONE }, "%s", text)

static ts_status check_u32(field f, uint32_t v, field *inv, char *msg, size_t size)
{
	if (v >= fields[f].lo && v <= fields[f].hi)
		return TS_OK;
	char range[64], text[160];
	range_text(f, range, sizeof range);
	snprintf(text, sizeof text, "%s = %u is out of range (allowed: %s)", fields[f].path, v, range);
	FAIL(f);
}

static ts_status check(const ts_hwcfg *c, field *inv, char *msg, size_t size)
{
	char text[512], list[256];
	ts_status st;
	text[0] = list[0] = '\0';

	size_t name_len = strnlen(c->name, sizeof c->name);
	if (name_len == 0 || name_len >= sizeof c->name) {
		snprintf(text, sizeof text, "name must be 1..%zu characters", sizeof c->name - 1);
		FAIL(F_NAME);
	}
	for (size_t i = 0; i < name_len; i++)
		if ((unsigned char)c->name[i] < 0x20 || c->name[i] == 0x7f) {
			snprintf(text, sizeof text, "name contains a control character (byte %zu)", i + 1);
			FAIL(F_NAME);
		}
	if (!utf8_valid((const unsigned char *)c->name)) {
		snprintf(text, sizeof text, "name is not valid UTF-8");
		FAIL(F_NAME);
	}
	if ((st = check_u32(F_ROWS, c->rows, inv, msg, size)) ||
	    (st = check_u32(F_COLS, c->cols, inv, msg, size)))
		return st;
	if ((unsigned)c->dataflow >= TS_DF_COUNT) {
		join_names(list, sizeof list, dataflow_names, TS_DF_COUNT);
		snprintf(text, sizeof text, "array.dataflow = %d is not a dataflow (expected: %s)",
			 (int)c->dataflow, list);
		FAIL(F_DATAFLOW);
	}
	if ((unsigned)c->pe >= TS_PE_COUNT) {
		join_names(list, sizeof list, pe_names, TS_PE_COUNT);
		snprintf(text, sizeof text, "array.pe = %d is not a PE type (expected: %s)", (int)c->pe,
			 list);
		FAIL(F_PE);
	}
	if (!one_of(c->acc_bits, acc_bits_allowed, N_ACC_BITS)) {
		range_text(F_ACC_BITS, list, sizeof list);
		snprintf(text, sizeof text, "array.acc_bits = %u is not one of %s", c->acc_bits, list);
		FAIL(F_ACC_BITS);
	}
	if (c->acc_bits < pe_product_bits(c->pe)) {
		snprintf(text, sizeof text,
			 "array.acc_bits = %u is narrower than the %u-bit products of %s PEs",
			 c->acc_bits, pe_product_bits(c->pe), pe_names[c->pe]);
		FAIL(F_ACC_BITS, F_PE);
	}
	if ((st = check_u32(F_SPAD_INPUT, c->spad_input_bytes, inv, msg, size)) ||
	    (st = check_u32(F_SPAD_WEIGHT, c->spad_weight_bytes, inv, msg, size)) ||
	    (st = check_u32(F_SPAD_ACC, c->spad_acc_bytes, inv, msg, size)))
		return st;

	/* One tile of each operand must fit, the least any tiling can work
	 * with: weights rows x cols, inputs rows x rows (rows rows of a
	 * rows-deep reduction), accumulators rows x cols at acc_bits. */
	uint64_t rows = c->rows, cols = c->cols;
	uint64_t need = ts_nbytes(rows * cols, ts_pe_wbits(c->pe));
	if (c->spad_weight_bytes < need) {
		snprintf(text, sizeof text,
			 "scratchpad.weight_bytes = %u cannot hold one %ux%u %s weight tile (%llu bytes)",
			 c->spad_weight_bytes, c->rows, c->cols, pe_names[c->pe],
			 (unsigned long long)need);
		FAIL(F_SPAD_WEIGHT, F_ROWS, F_COLS, F_PE);
	}
	need = ts_nbytes(rows * rows, ts_pe_abits(c->pe));
	if (c->spad_input_bytes < need) {
		snprintf(text, sizeof text,
			 "scratchpad.input_bytes = %u cannot hold one %ux%u %s input tile (%llu bytes)",
			 c->spad_input_bytes, c->rows, c->rows, pe_names[c->pe],
			 (unsigned long long)need);
		FAIL(F_SPAD_INPUT, F_ROWS, F_PE);
	}
	need = rows * cols * (c->acc_bits / 8);
	if (c->spad_acc_bytes < need) {
		snprintf(text, sizeof text,
			 "scratchpad.acc_bytes = %u cannot hold one %ux%u tile of %u-bit accumulators (%llu bytes)",
			 c->spad_acc_bytes, c->rows, c->cols, c->acc_bits, (unsigned long long)need);
		FAIL(F_SPAD_ACC, F_ROWS, F_COLS, F_ACC_BITS);
	}
	if ((st = check_u32(F_DRAM_BPC, c->dram_bytes_per_cycle, inv, msg, size)) ||
	    (st = check_u32(F_DRAM_LATENCY, c->dram_latency, inv, msg, size)))
		return st;
	if (!one_of(c->requant_cycles, requant_cycles_allowed, N_REQUANT_CYCLES)) {
		range_text(F_REQUANT_CYCLES, list, sizeof list);
		snprintf(text, sizeof text, "requant.cycles = %u is not one of %s", c->requant_cycles, list);
		FAIL(F_REQUANT_CYCLES);
	}
	if (!(c->clock_mhz > 0 && c->clock_mhz <= 1000)) {
		char num[40];
		format_double(num, sizeof num, c->clock_mhz);
		snprintf(text, sizeof text, "clock_mhz = %s is out of range (allowed: > 0 and <= 1000)",
			 num);
		FAIL(F_CLOCK);
	}
	if (c->sparse_formats & ~(uint32_t)TS_SPF_ALL) {
		snprintf(text, sizeof text, "sparse.formats = 0x%x has bits outside TS_SPF_ALL (0x%x)",
			 c->sparse_formats, (unsigned)TS_SPF_ALL);
		FAIL(F_SPARSE_FORMATS);
	}
	if ((st = check_u32(F_SPARSE_LANES, c->sparse_lanes, inv, msg, size)))
		return st;
	const ts_board *b = strnlen(c->board, sizeof c->board) < sizeof c->board ? ts_board_find(c->board) : NULL;
	if (!b) {
		board_list(list, sizeof list);
		snprintf(text, sizeof text, "board = \"%.31s\" is not a known board (known: %s)",
			 c->board, list);
		FAIL(F_BOARD);
	}
	/* What the board's memory can feed: its port width, and its bandwidth at the clock. */
	if (b->mem_port_bytes && c->dram_bytes_per_cycle > b->mem_port_bytes) {
		snprintf(text, sizeof text, "dram.bytes_per_cycle = %u is wider than %s's memory port (at most %u "
			 "bytes per cycle: %s)", c->dram_bytes_per_cycle, b->name, b->mem_port_bytes, b->mem_what);
		FAIL(F_DRAM_BPC, F_BOARD);
	}
	double gbps = c->dram_bytes_per_cycle * c->clock_mhz * 1e-3;
	if (b->dram_gbps > 0 && gbps > b->dram_gbps * (1 + 1e-9)) {
		char num[40], clk[40];
		format_double(num, sizeof num, gbps);
		format_double(clk, sizeof clk, c->clock_mhz);
		snprintf(text, sizeof text, "dram.bytes_per_cycle = %u at clock_mhz = %s is %s GB/s, more than %s's "
			 "memory feeds (%g GB/s: %s)", c->dram_bytes_per_cycle, clk, num, b->name, b->dram_gbps,
			 b->mem_what);
		FAIL(F_DRAM_BPC, F_CLOCK, F_BOARD);
	}
	return TS_OK;
}

ts_status ts_hwcfg_validate(const ts_hwcfg *c, ts_diag *d)
{
	field inv[MAX_INVOLVED + 1];
	char msg[TS_DIAG_MAX];
	ts_status st = check(c, inv, msg, sizeof msg);
	return st ? ts_err(d, st, "%s", msg) : TS_OK;
}

/* ---- position scanner --------------------------------------------------------
 * Runs only on text jansson has accepted, but checks bounds anyway. A path
 * element is an object key or (key NULL) an array index. */

typedef struct path_el {
	const char *key;
	size_t index;
} path_el;

static size_t skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

/* i at the opening quote; returns the index after the closing quote. */
static size_t skip_string(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return n;
}

/* i at the first character of a value; returns the index after it. */
static size_t skip_value(const char *s, size_t n, size_t i)
{
	size_t depth = 0;
	while (i < n) {
		char ch = s[i];
		if (ch == '"') {
			i = skip_string(s, n, i);
			if (depth == 0)
				return i;
		} else if (ch == '{' || ch == '[') {
			depth++;
			i++;
		} else if (ch == '}' || ch == ']') {
			if (depth == 0)
				return i; /* a scalar ended by its container's close */
			i++;
			if (--depth == 0)
				return i;
		} else if (depth == 0 && (ch == ',' || ch == ' ' || ch == '\t' || ch == '\n' ||
					  ch == '\r')) {
			return i;
		} else {
			i++;
		}
	}
	return n;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static long read_hex4(const char *s, size_t n, size_t i)
{
	if (i + 4 > n)
		return -1;
	long v = 0;
	for (size_t k = 0; k < 4; k++) {
		int h = hex_digit(s[i + k]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Does the JSON string token at i (opening quote) decode to want? */
static bool string_equals(const char *s, size_t n, size_t i, const char *want)
{
	size_t w = 0, want_len = strlen(want);
	for (i++; i < n && s[i] != '"'; i++) {
		char piece[4];
		size_t plen = 1;
		if (s[i] != '\\') {
			piece[0] = s[i];
		} else {
			if (++i >= n)
				return false;
			switch (s[i]) {
			case 'b': piece[0] = '\b'; break;
			case 'f': piece[0] = '\f'; break;
			case 'n': piece[0] = '\n'; break;
			case 'r': piece[0] = '\r'; break;
			case 't': piece[0] = '\t'; break;
			case 'u': {
				long cp = read_hex4(s, n, i + 1);
				if (cp < 0)
					return false;
				i += 4;
				if (cp >= 0xd800 && cp <= 0xdbff && i + 2 < n && s[i + 1] == '\\' &&
				    s[i + 2] == 'u') {
					long lo = read_hex4(s, n, i + 3);
					if (lo >= 0xdc00 && lo <= 0xdfff) {
						cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
						i += 6;
					}
				}
				plen = utf8_encode((uint32_t)cp, piece);
				break;
			}
			default: piece[0] = s[i]; break; /* " \ / */
			}
		}
		if (w + plen > want_len || memcmp(want + w, piece, plen) != 0)
			return false;
		w += plen;
	}
	return i < n && w == want_len;
}

/* Offset of the value at path (or of its key when want_key), -1 if absent. */
static long locate(const char *s, size_t n, const path_el *path, size_t depth, bool want_key)
{
	size_t i = skip_ws(s, n, 0);
	for (size_t level = 0; level < depth; level++) {
		const path_el *p = &path[level];
		if (i >= n || s[i] != (p->key ? '{' : '['))
			return -1;
		i = skip_ws(s, n, i + 1);
		for (size_t idx = 0;; idx++) {
			if (i >= n || s[i] == '}' || s[i] == ']')
				return -1;
			bool match;
			size_t key_at = i;
			if (p->key) {
				if (s[i] != '"')
					return -1;
				match = string_equals(s, n, i, p->key);
				i = skip_ws(s, n, skip_string(s, n, i));
				if (i >= n || s[i] != ':')
					return -1;
				i = skip_ws(s, n, i + 1);
			} else {
				match = idx == p->index;
			}
			if (match) {
				if (level + 1 == depth && want_key && p->key)
					return (long)key_at;
				break;
			}
			i = skip_ws(s, n, skip_value(s, n, i));
			if (i >= n || s[i] != ',')
				return -1;
			i = skip_ws(s, n, i + 1);
		}
	}
	return i < n ? (long)i : -1;
}

/* 1-based line and column (in UTF-8 characters) of byte offset pos. */
static void line_col(const char *s, size_t n, size_t pos, int *line, int *col)
{
	int l = 1, c = 1;
	for (size_t i = 0; i < pos && i < n; i++) {
		if (s[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)s[i] & 0xc0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

/* ---- parser ------------------------------------------------------------------ */

typedef struct parser {
	const char *text;
	size_t len;
	const char *fname;
	ts_diag *d;
} parser;

static ts_status perr_at(parser *p, long pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static ts_status perr_at(parser *p, long pos, const char *fmt, ...)
{
	char msg[TS_DIAG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	int line, col;
	line_col(p->text, p->len, pos < 0 ? skip_ws(p->text, p->len, 0) : (size_t)pos, &line, &col);
	return ts_err(p->d, TS_ERR_INPUT, "%s:%d:%d: %s", p->fname, line, col, msg);
}

/* Position of a field's value (or key) in the text, -1 when not written. */
static long field_pos(parser *p, field f, bool want_key)
{
	path_el path[2];
	size_t depth = 0;
	if (fields[f].section)
		path[depth++] = (path_el){ fields[f].section, 0 };
	path[depth++] = (path_el){ fields[f].key, 0 };
	return locate(p->text, p->len, path, depth, want_key);
}

/* A JSON value for a message: 12, 12.5, "text" (shortened), true, [...]. */
static void describe(const json_t *v, char *buf, size_t size)
{
	switch (json_typeof(v)) {
	case JSON_INTEGER:
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		/* keep it visibly a real: 12.0 is not an integer here */
		format_double(buf, size, json_real_value(v));
		if (!strpbrk(buf, ".eEn"))
			catf(buf, size, ".0");
		break;
	case JSON_STRING: {
		const char *s = json_string_value(v);
		size_t len = json_string_length(v), k = 0;
		char tmp[48];
		for (size_t i = 0; i < len && k < 40; i++)
			tmp[k++] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
		tmp[k] = '\0';
		snprintf(buf, size, "\"%s%s\"", tmp, len > 40 ? "..." : "");
		break;
	}
	case JSON_TRUE: snprintf(buf, size, "true"); break;
	case JSON_FALSE: snprintf(buf, size, "false"); break;
	case JSON_NULL: snprintf(buf, size, "null"); break;
	case JSON_OBJECT: snprintf(buf, size, "{...}"); break;
	case JSON_ARRAY: snprintf(buf, size, "[...]"); break;
	}
}

static ts_status check_keys(parser *p, const json_t *obj, const char *section,
			    const char *const *allowed)
{
	const char *key;
	json_t *val;
	json_object_foreach((json_t *)obj, key, val) {
		bool known = false;
		for (size_t i = 0; allowed[i]; i++)
			known |= strcmp(key, allowed[i]) == 0;
		if (known)
			continue;
		path_el path[2];
		size_t depth = 0;
		if (section)
			path[depth++] = (path_el){ section, 0 };
		path[depth++] = (path_el){ key, 0 };
		char list[256] = "";
		join_names(list, sizeof list, allowed, 16);
		long pos = locate(p->text, p->len, path, depth, true);
		if (section)
			return perr_at(p, pos, "unknown key '%.64s' in '%s' (expected: %s)", key, section,
				       list);
		return perr_at(p, pos, "unknown key '%.64s' (expected: %s)", key, list);
	}
	return TS_OK;
}

static ts_status get_u32(parser *p, const json_t *obj, field f, uint32_t *out)
{
	const json_t *v = json_object_get(obj, fields[f].key);
	if (!v)
		return TS_OK;
	char range[64], shown[64];
	range_text(f, range, sizeof range);
	describe(v, shown, sizeof shown);
	size_t n_set;
	bool is_set = value_set(f, &n_set) != NULL;
	const char *allowed = is_set ? "one of" : "an integer in";
	if (!json_is_integer(v))
		return perr_at(p, field_pos(p, f, false), "%s = %s: expected %s %s", fields[f].path,
			       shown, allowed, range);
	json_int_t x = json_integer_value(v);
	if (x < 0 || x > (json_int_t)UINT32_MAX) {
		if (is_set)
			return perr_at(p, field_pos(p, f, false), "%s = %s is not one of %s",
				       fields[f].path, shown, range);
		return perr_at(p, field_pos(p, f, false), "%s = %s is out of range (allowed: %s)",
			       fields[f].path, shown, range);
	}
	*out = (uint32_t)x; /* the range itself is checked by check() */
	return TS_OK;
}

/* A string field naming one of names[0..count); stores the index. */
static ts_status get_enum(parser *p, const json_t *obj, field f, const char *const *names,
			  int count, const char *what, int *out)
{
	const json_t *v = json_object_get(obj, fields[f].key);
	if (!v)
		return TS_OK;
	if (json_is_string(v))
		for (int i = 0; i < count; i++)
			if (ts_name_eq(json_string_value(v), names[i])) {
				*out = i;
				return TS_OK;
			}
	char list[256] = "", shown[64];
	join_names(list, sizeof list, names, (size_t)count);
	describe(v, shown, sizeof shown);
	return perr_at(p, field_pos(p, f, false), "%s = %s is not a %s (expected: %s)",
		       fields[f].path, shown, what, list);
}

/* The object at key section of root, or NULL; an error if not an object
 * or if it has unknown keys. */
static ts_status get_section(parser *p, const json_t *root, const char *section,
			     const char *const *allowed, const json_t **out)
{
	*out = json_object_get(root, section);
	if (!*out)
		return TS_OK;
	if (!json_is_object(*out)) {
		char list[256] = "", shown[64];
		join_names(list, sizeof list, allowed, 16);
		describe(*out, shown, sizeof shown);
		path_el path = { section, 0 };
		return perr_at(p, locate(p->text, p->len, &path, 1, false),
			       "%s = %s is not an object (expected keys: %s)", section, shown, list);
	}
	return check_keys(p, *out, section, allowed);
}

static ts_status get_sparse_formats(parser *p, const json_t *sparse, uint32_t *mask)
{
	const json_t *v = json_object_get(sparse, "formats");
	if (!v)
		return TS_OK;
	char list[128] = "", shown[64];
	join_names(list, sizeof list, spf_names, SPF_COUNT);
	if (!json_is_array(v)) {
		describe(v, shown, sizeof shown);
		return perr_at(p, field_pos(p, F_SPARSE_FORMATS, false),
			       "sparse.formats = %s is not a list (expected: a list of %s)", shown, list);
	}
	uint32_t m = 0;
	for (size_t i = 0; i < json_array_size(v); i++) {
		const json_t *e = json_array_get(v, i);
		path_el path[3] = { { "sparse", 0 }, { "formats", 0 }, { NULL, i } };
		uint32_t bit = 0;
		describe(e, shown, sizeof shown);
		if (!json_is_string(e) || ts_sparse_format_from_name(json_string_value(e), &bit) != 0)
			return perr_at(p, locate(p->text, p->len, path, 3, false),
				       "sparse.formats[%zu] = %s is not a sparse format (expected: %s)",
				       i, shown, list);
		if (m & bit)
			return perr_at(p, locate(p->text, p->len, path, 3, false),
				       "sparse.formats[%zu] = %s is listed twice", i, shown);
		m |= bit;
	}
	*mask = m;
	return TS_OK;
}

static ts_status parse_root(parser *p, const json_t *root, ts_hwcfg *c)
{
	ts_status st;
	const json_t *v, *array, *spad, *dram, *requant, *sparse;
	char list[256] = "", shown[64];

	if ((st = check_keys(p, root, NULL, top_keys)))
		return st;
	ts_hwcfg_default(c);
	if ((v = json_object_get(root, "preset"))) {
		const ts_preset *pr = json_is_string(v) ? ts_preset_find(json_string_value(v)) : NULL;
		if (!pr) {
			preset_list(list, sizeof list);
			describe(v, shown, sizeof shown);
			return perr_at(p, field_pos(p, F_PRESET, false),
				       "preset = %s is not a preset (known: %s)", shown, list);
		}
		pr->fill(c);
	}
	if ((v = json_object_get(root, "name"))) {
		size_t len = json_is_string(v) ? json_string_length(v) : 0;
		if (len == 0 || len >= sizeof c->name) {
			describe(v, shown, sizeof shown);
			return perr_at(p, field_pos(p, F_NAME, false),
				       "name = %s: expected a string of 1..%zu characters", shown,
				       sizeof c->name - 1);
		}
		memcpy(c->name, json_string_value(v), len);
		c->name[len] = '\0';
	}

	if ((st = get_section(p, root, "array", array_keys, &array)))
		return st;
	if (array) {
		int df = (int)c->dataflow, pe = (int)c->pe;
		if ((st = get_u32(p, array, F_ROWS, &c->rows)) ||
		    (st = get_u32(p, array, F_COLS, &c->cols)) ||
		    (st = get_enum(p, array, F_DATAFLOW, dataflow_names, TS_DF_COUNT, "dataflow", &df)) ||
		    (st = get_enum(p, array, F_PE, pe_names, TS_PE_COUNT, "PE type", &pe)) ||
		    (st = get_u32(p, array, F_ACC_BITS, &c->acc_bits)))
			return st;
		c->dataflow = (ts_dataflow)df;
		c->pe = (ts_pe_type)pe;
	}
	if ((st = get_section(p, root, "scratchpad", spad_keys, &spad)))
		return st;
	if (spad && ((st = get_u32(p, spad, F_SPAD_INPUT, &c->spad_input_bytes)) ||
		     (st = get_u32(p, spad, F_SPAD_WEIGHT, &c->spad_weight_bytes)) ||
		     (st = get_u32(p, spad, F_SPAD_ACC, &c->spad_acc_bytes))))
		return st;
	if ((st = get_section(p, root, "dram", dram_keys, &dram)))
		return st;
	if (dram && ((st = get_u32(p, dram, F_DRAM_BPC, &c->dram_bytes_per_cycle)) ||
		     (st = get_u32(p, dram, F_DRAM_LATENCY, &c->dram_latency))))
		return st;
	if ((st = get_section(p, root, "requant", requant_keys, &requant)))
		return st;
	if (requant && (st = get_u32(p, requant, F_REQUANT_CYCLES, &c->requant_cycles)))
		return st;
	if ((v = json_object_get(root, "clock_mhz"))) {
		if (!json_is_number(v)) {
			describe(v, shown, sizeof shown);
			return perr_at(p, field_pos(p, F_CLOCK, false),
				       "clock_mhz = %s: expected a number > 0 and <= 1000", shown);
		}
		c->clock_mhz = json_number_value(v);
	}
	if ((st = get_section(p, root, "sparse", sparse_keys, &sparse)))
		return st;
	if (sparse && ((st = get_sparse_formats(p, sparse, &c->sparse_formats)) ||
		       (st = get_u32(p, sparse, F_SPARSE_LANES, &c->sparse_lanes))))
		return st;
	if ((v = json_object_get(root, "board"))) {
		const ts_board *b = json_is_string(v) ? ts_board_find(json_string_value(v)) : NULL;
		if (!b) {
			board_list(list, sizeof list);
			describe(v, shown, sizeof shown);
			return perr_at(p, field_pos(p, F_BOARD, false),
				       "board = %s is not a known board (known: %s)", shown, list);
		}
		ts_strlcpy(c->board, b->name, sizeof c->board);
	}

	field inv[MAX_INVOLVED + 1];
	char msg[TS_DIAG_MAX];
	if ((st = check(c, inv, msg, sizeof msg))) {
		/* Point at the first involved field the file sets; else at the
		 * preset it started from; else at the top-level object. */
		long pos = -1;
		for (int i = 0; i < MAX_INVOLVED && inv[i] != F_NONE && pos < 0; i++)
			pos = field_pos(p, inv[i], false);
		if (pos < 0)
			pos = field_pos(p, F_PRESET, false);
		return perr_at(p, pos, "%s", msg);
	}
	return TS_OK;
}

/* Start of the string token that ends at byte end (jansson reports the
 * position after a duplicate key); -1 if there is none. */
static long string_ending_at(const char *s, size_t n, size_t end)
{
	for (size_t i = 0; i < end && i < n;) {
		if (s[i] == '"') {
			size_t after = skip_string(s, n, i);
			if (after == end)
				return (long)i;
			i = after;
		} else {
			i++;
		}
	}
	return -1;
}

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	default: return "an object";
	}
}

ts_status ts_hwcfg_parse(const char *buf, size_t len, const char *fname, ts_hwcfg *out, ts_diag *d)
{
	parser p = { buf ? buf : "", buf ? len : 0, fname ? fname : "<config>", d };
	const char *nul = memchr(p.text, '\0', p.len);
	if (nul)
		return perr_at(&p, nul - p.text, "NUL byte in the input (not a JSON text)");
	if (skip_ws(p.text, p.len, 0) == p.len)
		return perr_at(&p, 0, "empty file (expected a JSON object)");

	json_error_t je;
	json_t *root = json_loadb(p.text, p.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (!root) {
		if (strncmp(je.text, "duplicate object key", 20) == 0 && je.position > 0) {
			long at = string_ending_at(p.text, p.len, (size_t)je.position);
			if (at >= 0) {
				int key_len = (int)((size_t)je.position - (size_t)at);
				return perr_at(&p, at, "duplicate key %.*s%s (a key may appear once per object)",
					       key_len > 66 ? 66 : key_len, p.text + at,
					       key_len > 66 ? "...\"" : "");
			}
		}
		return ts_err(d, TS_ERR_INPUT, "%s:%d:%d: invalid JSON: %s", p.fname,
			      je.line > 0 ? je.line : 1, je.column > 0 ? je.column : 1, je.text);
	}
	ts_status st;
	ts_hwcfg c;
	if (!json_is_object(root))
		st = perr_at(&p, -1, "the top level must be an object {...}, not %s",
			     json_type_name(root));
	else
		st = parse_root(&p, root, &c);
	json_decref(root);
	if (st == TS_OK)
		*out = c;
	return st;
}

ts_status ts_hwcfg_load(const char *path, ts_hwcfg *out, ts_diag *d)
{
	char *buf;
	size_t len;
	ts_status st = ts_read_file(path, &buf, &len, d);
	if (st)
		return st;
	st = ts_hwcfg_parse(buf, len, path, out, d);
	free(buf);
	return st;
}

ts_status ts_hwcfg_resolve(const char *spec, ts_hwcfg *out, ts_diag *d)
{
	const ts_preset *pr = ts_preset_find(spec);
	if (pr) {
		pr->fill(out);
		return TS_OK;
	}
	ts_diag local;
	ts_diag_clear(&local);
	ts_status st = ts_hwcfg_load(spec, out, &local);
	if (st == TS_ERR_IO) {
		char list[256] = "";
		preset_list(list, sizeof list);
		return ts_err(d, st, "%s (and not a preset: %s)", local.msg, list);
	}
	return st ? ts_err(d, st, "%s", local.msg) : TS_OK;
}

/* ---- output ------------------------------------------------------------------ */

static void put_string(FILE *f, const char *s, size_t max)
{
	fputc('"', f);
	for (size_t i = 0; i < max && s[i]; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

/* Non-finite values (never valid) as 0, so the text stays JSON. */
static void put_number(FILE *f, double x)
{
	char buf[40];
	if (isfinite(x))
		format_double(buf, sizeof buf, x);
	else
		snprintf(buf, sizeof buf, "0");
	fputs(buf, f);
}

char *ts_hwcfg_to_json(const ts_hwcfg *c)
{
	char *text = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	if (!f)
		return NULL;
	fputs("{\n  \"name\": ", f);
	put_string(f, c->name, sizeof c->name);
	fprintf(f, ",\n  \"array\": { \"rows\": %u, \"cols\": %u, \"dataflow\": \"%s\", "
		   "\"pe\": \"%s\", \"acc_bits\": %u },\n",
		c->rows, c->cols, ts_dataflow_name(c->dataflow), ts_pe_type_name(c->pe), c->acc_bits);
	fprintf(f, "  \"scratchpad\": { \"input_bytes\": %u, \"weight_bytes\": %u, \"acc_bytes\": %u },\n",
		c->spad_input_bytes, c->spad_weight_bytes, c->spad_acc_bytes);
	fprintf(f, "  \"dram\": { \"bytes_per_cycle\": %u, \"latency\": %u },\n",
		c->dram_bytes_per_cycle, c->dram_latency);
	fprintf(f, "  \"requant\": { \"cycles\": %u },\n", c->requant_cycles);
	fputs("  \"clock_mhz\": ", f);
	put_number(f, c->clock_mhz);
	fputs(",\n  \"sparse\": { \"formats\": [", f);
	int n = 0;
	for (int i = 0; i < SPF_COUNT; i++)
		if (c->sparse_formats & (1u << i))
			fprintf(f, "%s\"%s\"", n++ ? ", " : "", spf_names[i]);
	fprintf(f, "], \"lanes\": %u },\n  \"board\": ", c->sparse_lanes);
	put_string(f, c->board, sizeof c->board);
	fputs("\n}\n", f);
	if (ferror(f)) {
		fclose(f);
		free(text);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

int ts_hwcfg_diff(const ts_hwcfg *a, const ts_hwcfg *b, char *buf, size_t size)
{
	int n = 0;
	if (buf && size)
		buf[0] = '\0';
#define DIFF(cond, ...)                                                       \
	do {                                                                  \
		if (cond) {                                                   \
			if (buf && size) {                                    \
				catf(buf, size, "%s", n ? ", " : "");         \
				catf(buf, size, __VA_ARGS__);                 \
			}                                                     \
			n++;                                                  \
		}                                                             \
	} while (0)
#define DIFF_U(field, name) DIFF(a->field != b->field, name " %u vs %u", a->field, b->field)
	DIFF_U(rows, "array.rows");
	DIFF_U(cols, "array.cols");
	DIFF(a->dataflow != b->dataflow, "array.dataflow %s vs %s", ts_dataflow_name(a->dataflow),
	     ts_dataflow_name(b->dataflow));
	DIFF(a->pe != b->pe, "array.pe %s vs %s", ts_pe_type_name(a->pe), ts_pe_type_name(b->pe));
	DIFF_U(acc_bits, "array.acc_bits");
	DIFF_U(spad_input_bytes, "scratchpad.input_bytes");
	DIFF_U(spad_weight_bytes, "scratchpad.weight_bytes");
	DIFF_U(spad_acc_bytes, "scratchpad.acc_bytes");
	DIFF_U(dram_bytes_per_cycle, "dram.bytes_per_cycle");
	DIFF_U(dram_latency, "dram.latency");
	DIFF_U(requant_cycles, "requant.cycles");
	DIFF(a->clock_mhz != b->clock_mhz, "clock_mhz %g vs %g", a->clock_mhz, b->clock_mhz);
	DIFF(a->sparse_formats != b->sparse_formats, "sparse.formats 0x%x vs 0x%x", a->sparse_formats,
	     b->sparse_formats);
	DIFF_U(sparse_lanes, "sparse.lanes");
#undef DIFF_U
#undef DIFF
	return n;
}

int ts_hwcfg_equal(const ts_hwcfg *a, const ts_hwcfg *b)
{
	return strncmp(a->name, b->name, sizeof a->name) == 0 &&
	       strncmp(a->board, b->board, sizeof a->board) == 0 && ts_hwcfg_diff(a, b, NULL, 0) == 0;
}

void ts_hwcfg_summary(const ts_hwcfg *c, char *buf, size_t size)
{
	if (!size)
		return;
	buf[0] = '\0';
	catf(buf, size, "%ux%u %s %s @ %g MHz on %.31s", c->rows, c->cols, ts_pe_type_name(c->pe),
	     ts_dataflow_name(c->dataflow), c->clock_mhz, c->board);
	if (c->requant_cycles > 1)
		catf(buf, size, ", requant %u cycles", c->requant_cycles);
	if (c->sparse_formats) {
		catf(buf, size, ", sparse ");
		int n = 0;
		for (int i = 0; i < SPF_COUNT; i++)
			if (c->sparse_formats & (1u << i))
				catf(buf, size, "%s%s", n++ ? "+" : "", spf_names[i]);
		catf(buf, size, " x%u", c->sparse_lanes);
	}
}
