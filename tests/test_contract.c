/* test_contract.c — the hardware/software contract tables (host/include/tessera
 * *.def): consistent in C (opcodes, fields that never overlap, accessors, error
 * names, PE types, register fields), and the generated Verilog includes hold
 * the same values: Icarus Verilog evaluates every macro of ts_regmap.vh and
 * ts_contract.vh, and each is compared with its C value (skipped without
 * iverilog). A mutated include must be caught. Random round trips: TS_SEED. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_seed.h"

#include "tessera/cost.h"
#include "tessera/desc.h"
#include "tessera/gen.h"
#include "tessera/hwcfg.h"
#include "tessera/regmap.h"
#include "tessera/runtime.h"

static uint64_t seed;

/* ---- C side ---------------------------------------------------------------------------- */

/* The bits of field f in a zeroed descriptor. */
static ts_desc field_bits(ts_desc_field f)
{
	ts_desc d = { { 0 } };
	ts_desc_set(&d, f, 0xffffffffu);
	return d;
}

/* Claim the bits of field f in used; fail when one was taken (by another field of op). */
static void claim(ts_desc *used, ts_desc_field f, const char *name, const char *op)
{
	ts_desc b = field_bits(f);
	for (int i = 0; i < TS_DESC_WORDS; i++) {
		if (used->w[i] & b.w[i]) {
			print_error("desc.def: field %s overlaps another field of %s in word %d (bits 0x%08x)\n",
				    name, op, i, used->w[i] & b.w[i]);
			fail();
		}
		used->w[i] |= b.w[i];
	}
}

static void test_desc_table(void **state)
{
	(void)state;
	assert_int_equal(sizeof(ts_desc), TS_DESC_BYTES);
	assert_int_equal(TS_DESC_BYTES, 4 * TS_DESC_WORDS);
	/* Opcodes: distinct, nonzero, within the OPCODE field. */
	static const uint32_t ops[] = {
#define TS_DESC_OP(name, code, what) (code),
#include "tessera/desc.def"
	};
	size_t n_ops = sizeof ops / sizeof ops[0];
	for (size_t i = 0; i < n_ops; i++) {
		assert_true(ops[i] != 0);
		assert_true(ops[i] <= ts_desc_field_mask(TS_FLD_OPCODE));
		for (size_t j = 0; j < i; j++)
			assert_true(ops[i] != ops[j]);
	}
	/* Per opcode: the fields of every opcode and its own never share a bit, and
	 * its flags are distinct bits of FLAGS. */
	for (size_t k = 0; k < n_ops; k++) {
		uint32_t op = ops[k];
		ts_desc used = { { 0 } };
		char opname[16];
		snprintf(opname, sizeof opname, "opcode %u", op);
#define TS_DESC_FIELD(name, fop, word, lsb, width, what)                                              \
	if (!strcmp(#fop, "ANY") || op == OPCODE_OF_##fop)                                    \
		claim(&used, TS_FLD_##name, #name, opname);
#define OPCODE_OF_ANY 0u /* (matched by name) */
#define OPCODE_OF_LOAD TS_DESC_LOAD
#define OPCODE_OF_COMPUTE TS_DESC_COMPUTE
#define OPCODE_OF_STORE TS_DESC_STORE
#include "tessera/desc.def"
		uint32_t flags = 0;
#define TS_DESC_FLAG(name, fop, bit, what)                                                            \
	if (op == TS_DESC_##fop) {                                                                    \
		assert_true((bit) < ts_desc_field_width(TS_FLD_FLAGS));                               \
		assert_int_equal(flags & TS_##name, 0);                                               \
		flags |= TS_##name;                                                                   \
	}
#include "tessera/desc.def"
		assert_int_equal(ts_desc_op_flags(op), flags);
	}
	/* Word 0 is OPCODE | FLAGS | RESERVED, whole. */
	ts_desc w0 = { { 0 } };
	claim(&w0, TS_FLD_OPCODE, "OPCODE", "word 0");
	claim(&w0, TS_FLD_FLAGS, "FLAGS", "word 0");
	claim(&w0, TS_FLD_RESERVED, "RESERVED", "word 0");
	assert_int_equal(ts_desc_word(&w0, TS_FLD_OPCODE), 0xffffffffu);
	assert_int_equal(TS_DESC_OPCODE(&w0), ts_desc_field_mask(TS_FLD_OPCODE));
}

/* ts_desc_set changes the field's bits only; ts_desc_get reads back the value
 * cut to the field's width; make and the 64-bit pair agree. */
static void test_desc_accessors(void **state)
{
	(void)state;
	static const ts_desc_field fields[] = {
#define TS_DESC_FIELD(name, op, word, lsb, width, what) TS_FLD_##name,
#include "tessera/desc.def"
	};
	rng_seed(seed);
	for (int rep = 0; rep < 2000; rep++) {
		ts_desc d, before;
		for (int i = 0; i < TS_DESC_WORDS; i++)
			d.w[i] = (uint32_t)rng_next();
		before = d;
		ts_desc_field f = fields[rng_next() % (sizeof fields / sizeof fields[0])];
		uint32_t v = (uint32_t)rng_next();
		ts_desc_set(&d, f, v);
		assert_int_equal(ts_desc_get(&d, f), v & ts_desc_field_mask(f));
		ts_desc bits = field_bits(f);
		for (int i = 0; i < TS_DESC_WORDS; i++)
			if ((d.w[i] ^ before.w[i]) & ~bits.w[i]) {
				print_error("seed %llu: setting field 0x%x changed word %d outside it\n",
					    (unsigned long long)seed, (unsigned)f, i);
				fail();
			}
	}
	ts_desc d = ts_desc_make(TS_DESC_STORE, TS_LOAD_TO_W);
	assert_int_equal(TS_DESC_OPCODE(&d), TS_DESC_STORE);
	assert_int_equal(TS_DESC_FLAGS(&d), TS_LOAD_TO_W);
	ts_desc_set64(&d, TS_FLD_STORE_ADDR_LO, TS_FLD_STORE_ADDR_HI, 0x123456789abcdef0ull);
	assert_int_equal(ts_desc_get64(&d, TS_FLD_STORE_ADDR_LO, TS_FLD_STORE_ADDR_HI), 0x123456789abcdef0ull);
	assert_int_equal(ts_desc_get(&d, TS_FLD_STORE_ADDR_HI), 0x12345678u);
	/* Encoding: 32 bytes, word i little-endian at byte 4i. */
	uint8_t bytes[TS_DESC_BYTES];
	ts_desc_encode(&d, bytes);
	assert_int_equal(bytes[4 * ts_desc_field_word(TS_FLD_STORE_ADDR_LO)], 0xf0);
	ts_desc back;
	ts_desc_decode(bytes, &back);
	assert_memory_equal(&back, &d, sizeof d);
}

static void test_hwerr_pe_timing_tables(void **state)
{
	(void)state;
	int i = 0;
#define TS_HWERR(name, code, what)                                                                    \
	assert_int_equal((code), i++);                                                                \
	assert_string_equal(ts_hw_err_name(TS_HWERR_##name), (code) ? "ERR_" #name : "NONE");
#include "tessera/hwerr.def"
#undef TS_HWERR
	assert_int_equal(i, TS_HWERR_COUNT);
	assert_string_equal(ts_hw_err_name(TS_HWERR_COUNT), "?");

	i = 0;
#define TS_PE_TYPE(name, code, config_name, wbits, abits, product_bits, what)                       \
	{                                                                                             \
		assert_int_equal((code), i++);                                                        \
		assert_string_equal(ts_pe_type_name(TS_PE_##name), config_name);                      \
		ts_pe_type pe;                                                                        \
		assert_int_equal(ts_pe_type_from_name(config_name, &pe), 0);                          \
		assert_int_equal(pe, TS_PE_##name);                                                   \
		assert_int_equal(ts_pe_wbits(TS_PE_##name), (wbits));                                 \
		assert_int_equal(ts_pe_abits(TS_PE_##name), (abits));                                 \
		assert_true((product_bits) >= (wbits) && (product_bits) >= (abits));                  \
	}
#include "tessera/pe.def"
#undef TS_PE_TYPE
	assert_int_equal(i, TS_PE_COUNT);
	assert_int_equal(ts_pe_wbits(TS_PE_COUNT), 0);

	uint32_t start = 0;
#define TS_TIMING(name, cycles, what)                                                                 \
	assert_true((cycles) >= 1);                                                                   \
	if (!strcmp(#name, "START"))                                                                  \
		start = (cycles);
#include "tessera/timing.def"
#undef TS_TIMING
	assert_int_equal(start, TS_T_START);
}

/* Register fields: inside 32 bits, never sharing a bit within their register. */
static void test_regmap_fields(void **state)
{
	(void)state;
	static const struct {
		uint32_t reg, lsb, width;
		const char *name;
	} fields[] = {
#define TS_REG_FIELD(reg, name, lsb, width, description) { TS_REG_##reg, (lsb), (width), #reg "." #name },
#include "tessera/regmap.def"
	};
	size_t n = sizeof fields / sizeof fields[0];
	for (size_t i = 0; i < n; i++) {
		assert_true(fields[i].width >= 1 && fields[i].lsb + fields[i].width <= 32);
		uint32_t mi = (0xffffffffu >> (32 - fields[i].width)) << fields[i].lsb;
		for (size_t j = 0; j < i; j++) {
			uint32_t mj = (0xffffffffu >> (32 - fields[j].width)) << fields[j].lsb;
			if (fields[i].reg == fields[j].reg && (mi & mj)) {
				print_error("regmap.def: %s overlaps %s\n", fields[i].name, fields[j].name);
				fail();
			}
		}
	}
	assert_int_equal(TS_STATUS_DONE, 1u << TS_STATUS_DONE_LSB);
	assert_int_equal(TS_HWERR_COUNT - 1, (TS_HWERR_COUNT - 1) & TS_ERR_CODE_CODE); /* codes fit */
}

/* ---- Verilog side --------------------------------------------------------------------- */

/* Expected outputs of the testbench: "name value" lines. */
typedef struct facts {
	FILE *tb;
	char *want;
	size_t want_len;
	FILE *wantf;
	size_t n;
} facts;

/* One $display of a Verilog expression, expected to print want. */
static void fact(facts *f, const char *name, const char *fmt, const char *expr, const char *want)
{
	fprintf(f->tb, "\t\t$display(\"%s %s\", %s);\n", name, fmt, expr);
	fprintf(f->wantf, "%s %s\n", name, want);
	f->n++;
}

static void fact_u(facts *f, const char *name, const char *expr, unsigned long long v)
{
	char want[32];
	snprintf(want, sizeof want, "%llu", v);
	fact(f, name, "%0d", expr, want);
}

/* A macro whose name is the C name: `NAME == C value. */
static void fact_macro(facts *f, const char *name, unsigned long long v)
{
	char expr[128];
	snprintf(expr, sizeof expr, "`%s", name);
	fact_u(f, name, expr, v);
}

static void desc_hex(const ts_desc *d, char *out, size_t size)
{
	size_t o = 0;
	for (int i = TS_DESC_WORDS - 1; i >= 0; i--)
		o += (size_t)snprintf(out + o, size - o, "%08x", d->w[i]);
}

/* A descriptor whose 32 bytes all differ, as C and as a Verilog literal. */
static ts_desc pattern(void)
{
	uint8_t b[TS_DESC_BYTES];
	for (int k = 0; k < TS_DESC_BYTES; k++)
		b[k] = (uint8_t)(k * 37 + 11);
	ts_desc d;
	ts_desc_decode(b, &d);
	return d;
}

static void field_facts(facts *f, const char *name, ts_desc_field fld)
{
	char n[96], e[160], want[2 * TS_DESC_BYTES + 1];
	snprintf(n, sizeof n, "TS_FLD_%s_WORD", name);
	fact_macro(f, n, ts_desc_field_word(fld));
	snprintf(n, sizeof n, "TS_FLD_%s_LSB", name);
	fact_macro(f, n, ts_desc_field_lsb(fld));
	snprintf(n, sizeof n, "TS_FLD_%s_WIDTH", name);
	fact_macro(f, n, ts_desc_field_width(fld));
	/* the part-select: all ones in a zero descriptor */
	fprintf(f->tb, "\t\td = 0;\n\t\td[`TS_FLD_%s] = {`TS_FLD_%s_WIDTH{1'b1}};\n", name, name);
	ts_desc bits = field_bits(fld);
	desc_hex(&bits, want, sizeof want);
	snprintf(n, sizeof n, "TS_FLD_%s", name);
	fact(f, n, "%h", "d", want);
	/* TS_GET_<name>: its value in the pattern */
	ts_desc p = pattern();
	desc_hex(&p, want, sizeof want);
	fprintf(f->tb, "\t\td = %d'h%s;\n", 8 * TS_DESC_BYTES, want);
	snprintf(n, sizeof n, "TS_GET_%s", name);
	snprintf(e, sizeof e, "`TS_GET_%s(d)", name);
	fact_u(f, n, e, ts_desc_get(&p, fld));
}

/* The testbench module and its expected output, from the C tables. */
static void write_facts(facts *f)
{
	char n[64], e[64];
	fprintf(f->tb, "`include \"ts_regmap.vh\"\n`include \"ts_contract.vh\"\n"
		       "module contract_tb;\n\treg [8*`TS_DESC_BYTES-1:0] d;\n\tinitial begin\n");
	/* regmap.def */
#define TS_REG_CONST(name, value, description) fact_macro(f, "TS_" #name, TS_##name);
#define TS_REG(name, offset, access, description) fact_macro(f, "TS_REG_" #name, TS_REG_##name);
#define TS_REG_FIELD(reg, name, lsb, width, description)                                              \
	fact_macro(f, "TS_" #reg "_" #name, TS_##reg##_##name);                                       \
	fact_macro(f, "TS_" #reg "_" #name "_LSB", TS_##reg##_##name##_LSB);                          \
	fact_macro(f, "TS_" #reg "_" #name "_WIDTH", TS_##reg##_##name##_WIDTH);
#include "tessera/regmap.def"
	/* desc.def */
	fact_macro(f, "TS_DESC_BYTES", TS_DESC_BYTES);
#define TS_DESC_CONST(name, value, what) fact_macro(f, "TS_DESC_" #name, TS_DESC_##name);
#define TS_DESC_OP(name, code, what)                                                                  \
	fact_macro(f, "TS_DESC_" #name, TS_DESC_##name);                                              \
	fact_macro(f, "TS_DESC_" #name "_FLAGS", ts_desc_op_flags(TS_DESC_##name));
#define TS_DESC_FLAG(name, op, bit, what)                                                             \
	fact_macro(f, "TS_" #name, TS_##name);                                                        \
	fact_macro(f, "TS_" #name "_BIT", (unsigned)__builtin_ctz(TS_##name));
#define TS_DESC_FIELD(name, op, word, lsb, width, what) field_facts(f, #name, TS_FLD_##name);
#include "tessera/desc.def"
	/* hwerr.def */
#define TS_HWERR(name, code, what) fact_macro(f, "TS_HWERR_" #name, TS_HWERR_##name);
#include "tessera/hwerr.def"
#undef TS_HWERR
	/* pe.def: codes, bits, and the functions of a code */
#define TS_PE_TYPE(name, code, config_name, wbits, abits, product_bits, what)                       \
	fact_macro(f, "TS_PE_" #name, TS_PE_##name);                                                  \
	fact_macro(f, "TS_PE_" #name "_WBITS", ts_pe_wbits(TS_PE_##name));                            \
	fact_macro(f, "TS_PE_" #name "_ABITS", ts_pe_abits(TS_PE_##name));
#include "tessera/pe.def"
#undef TS_PE_TYPE
	for (int pe = 0; pe < TS_PE_COUNT; pe++) {
		snprintf(n, sizeof n, "TS_PE_WBITS(%d)", pe);
		snprintf(e, sizeof e, "`TS_PE_WBITS(%d)", pe);
		fact_u(f, n, e, ts_pe_wbits((ts_pe_type)pe));
		snprintf(n, sizeof n, "TS_PE_ABITS(%d)", pe);
		snprintf(e, sizeof e, "`TS_PE_ABITS(%d)", pe);
		fact_u(f, n, e, ts_pe_abits((ts_pe_type)pe));
	}
	/* timing.def */
#define TS_TIMING(name, cycles, what) fact_macro(f, "TS_T_" #name, TS_T_##name);
#include "tessera/timing.def"
#undef TS_TIMING
	fprintf(f->tb, "\t\t$finish;\n\tend\nendmodule\n");
}

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int bad = fputs(text, f) < 0;
	return fclose(f) != 0 || bad ? -1 : 0;
}

/* Compile the testbench against the two includes in a temporary directory and
 * compare its output with the C values. Returns the number of mismatches (one
 * per differing or missing line, each printed unless quiet), -1 when iverilog
 * failed. */
static int compare_with_verilog(const char *regmap_vh, const char *contract_vh, int quiet)
{
	char dir[] = "/tmp/test_contract.XXXXXX";
	assert_non_null(mkdtemp(dir));
	facts f = { 0 };
	char tbpath[512];
	snprintf(tbpath, sizeof tbpath, "%s/contract_tb.v", dir);
	f.tb = fopen(tbpath, "w");
	assert_non_null(f.tb);
	f.wantf = open_memstream(&f.want, &f.want_len);
	assert_non_null(f.wantf);
	write_facts(&f);
	assert_int_equal(fclose(f.tb), 0);
	assert_int_equal(fclose(f.wantf), 0);
	assert_int_equal(write_file(dir, "ts_regmap.vh", regmap_vh), 0);
	assert_int_equal(write_file(dir, "ts_contract.vh", contract_vh), 0);

	char cmd[2048];
	snprintf(cmd, sizeof cmd,
		 "cd %s && iverilog -g2005 -I. -o tb.vvp contract_tb.v >iverilog.log 2>&1 && vvp -n tb.vvp >out.txt 2>&1",
		 dir);
	int rc = system(cmd);
	int mismatches = -1;
	char path[600];
	if (rc == 0) {
		snprintf(path, sizeof path, "%s/out.txt", dir);
		FILE *out = fopen(path, "r");
		assert_non_null(out);
		/* Both lists are in the same order: compare line by line. */
		mismatches = 0;
		char got[512];
		const char *w = f.want;
		for (size_t i = 0; i < f.n; i++) {
			const char *nl = strchr(w, '\n');
			size_t wl = (size_t)(nl - w);
			if (!fgets(got, sizeof got, out)) {
				if (!quiet)
					print_error("verilog: no output for '%.*s'\n", (int)wl, w);
				mismatches++;
			} else {
				got[strcspn(got, "\n")] = 0;
				if (strlen(got) != wl || memcmp(got, w, wl) != 0) {
					if (!quiet)
						print_error("verilog '%s' != C '%.*s'\n", got, (int)wl, w);
					mismatches++;
				}
			}
			w = nl + 1;
		}
		fclose(out);
	} else {
		snprintf(path, sizeof path, "%s/iverilog.log", dir);
		FILE *log = fopen(path, "r");
		char line[300];
		while (log && fgets(line, sizeof line, log))
			print_error("iverilog: %s", line);
		if (log)
			fclose(log);
	}
	free(f.want);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		print_error("could not remove %s\n", dir);
	return mismatches;
}

static int have_iverilog(void)
{
	return system("command -v iverilog >/dev/null 2>&1 && command -v vvp >/dev/null 2>&1") == 0;
}

static void test_verilog_equals_c(void **state)
{
	(void)state;
	if (!have_iverilog()) {
		fprintf(stderr, "test_contract: iverilog not installed, Verilog comparison skipped\n");
		skip();
	}
	char *rm = ts_gen_regmap_vh(), *ct = ts_gen_contract_vh();
	assert_non_null(rm);
	assert_non_null(ct);
	assert_int_equal(compare_with_verilog(rm, ct, 0), 0);
	free(rm);
	free(ct);
}

/* Replace the first occurrence of from in text (which must have it) by to. */
static char *replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	assert_non_null(at);
	size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
	char *out = malloc(n);
	assert_non_null(out);
	snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	return out;
}

/* The comparison can fail: one wrong value, one wrong field position and one
 * wrong register bit in otherwise generated includes are each found. */
static void test_mismatch_detected(void **state)
{
	(void)state;
	if (!have_iverilog())
		skip();
	char *rm = ts_gen_regmap_vh(), *ct = ts_gen_contract_vh();
	assert_non_null(rm);
	assert_non_null(ct);
	char from[64], to[64];
	/* T_START one cycle more */
	snprintf(from, sizeof from, "%-28s 32'd%d", "TS_T_START", TS_T_START);
	snprintf(to, sizeof to, "%-28s 32'd%d", "TS_T_START", TS_T_START + 1);
	char *bad = replace(ct, from, to);
	assert_int_equal(compare_with_verilog(rm, bad, 1), 1);
	free(bad);
	/* LOAD_ROWS one bit higher: its part-select and its getter differ */
	unsigned bit = 32 * ts_desc_field_word(TS_FLD_LOAD_ROWS) + ts_desc_field_lsb(TS_FLD_LOAD_ROWS);
	snprintf(from, sizeof from, "%-28s %u +:", "TS_FLD_LOAD_ROWS", bit);
	snprintf(to, sizeof to, "%-28s %u +:", "TS_FLD_LOAD_ROWS", bit + 1);
	bad = replace(ct, from, to);
	assert_int_equal(compare_with_verilog(rm, bad, 1), 1);
	free(bad);
	/* STATUS.DONE's mask */
	snprintf(from, sizeof from, "%-28s 32'h%08X", "TS_STATUS_DONE", (unsigned)TS_STATUS_DONE);
	snprintf(to, sizeof to, "%-28s 32'h%08X", "TS_STATUS_DONE", (unsigned)TS_STATUS_DONE << 1);
	bad = replace(rm, from, to);
	assert_int_equal(compare_with_verilog(bad, ct, 1), 1);
	free(bad);
	free(rm);
	free(ct);
}

int main(void)
{
	seed = ts_test_seed("test_contract");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_desc_table),
		cmocka_unit_test(test_desc_accessors),
		cmocka_unit_test(test_hwerr_pe_timing_tables),
		cmocka_unit_test(test_regmap_fields),
		cmocka_unit_test(test_verilog_equals_c),
		cmocka_unit_test(test_mismatch_detected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
