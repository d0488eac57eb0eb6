/* bench_gemm.c — int8 GEMM throughput of tessera's ISA paths beside OpenBLAS sgemm and
 * oneDNN's u8 x s8 -> s32 matmul, measured in the same run on the same shapes: 256^3,
 * 1024^3 and a mix of MobileNet-V2 / ResNet-50 layers (as im2col GEMMs), 1 and N threads.
 * `make bench-gemm`. oneDNN is capped at avx512_core_vnni for a like-for-like comparison
 * (tessera has no AMX kernel); a child process also measures it uncapped (AMX allowed), and
 * another plays an AVX2-only machine: tessera's avx2 path vs oneDNN capped at avx2 (one
 * thread; `RESULT avx2-machine` lines). oneDNN's ISA cap can be set once per process, so
 * each capped comparison runs in its own child.
 * Then the other PE types at 1024^3 on one thread (`RESULT pe` lines): int16 x int16, int4 x
 * int4, uint8 x lightpe2 codes and binary, each ISA path beside the scalar reference (the
 * golden model, timed on one call: it takes seconds) and OpenBLAS sgemm on the same shape,
 * with the time ratios. GOP/s count 2 ops per MAC, but binary counts one op per
 * XNOR-popcount bit (M N K ops), so its ratios (times) are the comparable figure.
 * Env: BENCH_SECONDS (minimum time per measurement, default 0.3), TESSERA_THREADS (N),
 * BENCH_QUICK=1 (best ISA, one thread only), BENCH_AVX2=1 (only the AVX2-machine rows),
 * BENCH_PE=1 (only the PE-type rows). */
#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tessera/kernels.h"
#include "tessera/util.h"

void omp_set_num_threads(int n); /* libgomp, which oneDNN uses */

struct shape {
	const char *group; /* results are summed per group */
	const char *name;
	size_t m, n, k;
};

/* Layer GEMMs: M = output pixels (batch 1), K = C * R * S, N = output channels. */
static const struct shape shapes[] = {
	{ "256^3", "256x256x256", 256, 256, 256 },
	{ "1024^3", "1024x1024x1024", 1024, 1024, 1024 },
	{ "mix", "resnet50 conv1 7x7/2 3->64", 12544, 64, 147 },
	{ "mix", "resnet50 res2a 1x1 64->256", 3136, 256, 64 },
	{ "mix", "resnet50 res3 3x3 128->128", 784, 128, 1152 },
	{ "mix", "resnet50 res4 1x1 1024->256", 196, 256, 1024 },
	{ "mix", "resnet50 res5 3x3 512->512", 49, 512, 4608 },
	{ "mix", "mobilenet_v2 conv1 3x3/2 3->32", 12544, 32, 27 },
	{ "mix", "mobilenet_v2 expand 1x1 24->144", 3136, 144, 24 },
	{ "mix", "mobilenet_v2 project 1x1 144->24", 3136, 24, 144 },
	{ "mix", "mobilenet_v2 expand 1x1 96->576", 196, 576, 96 },
	{ "mix", "mobilenet_v2 1x1 320->1280", 49, 1280, 320 },
};
#define N_SHAPES (sizeof shapes / sizeof shapes[0])
static const char *const groups[] = { "256^3", "1024^3", "mix" };
#define N_GROUPS 3

struct bufs {
	uint8_t *a;
	int8_t *b;
	int32_t *c;
	float *af, *bf, *cf;
};

static double min_seconds = 0.3;

/* Best time of one call, repeating until min_seconds have passed (at least 3 calls).
 * Each library keeps its default thread wait policy (OpenMP, OpenBLAS and tessera's pool
 * spin for a while after a call, then sleep); a 20 ms pause before each measurement lets
 * the previous library's threads go to sleep so they do not steal the cores. */
typedef int (*run_fn)(const struct shape *s, struct bufs *b, void *ctx);
static double time_best(run_fn fn, const struct shape *s, struct bufs *b, void *ctx)
{
	usleep(20000);
	if (fn(s, b, ctx))
		return -1;
	double best = 1e30, start = ts_now();
	int reps = 0;
	while (reps < 3 || ts_now() - start < min_seconds) {
		double t0 = ts_now();
		if (fn(s, b, ctx))
			return -1;
		double t = ts_now() - t0;
		if (t < best)
			best = t;
		reps++;
		if (reps >= 1 && ts_now() - start > 20 * min_seconds)
			break;
	}
	return best;
}

struct tessera_ctx {
	ts_isa isa;
	unsigned threads;
	ts_kernel_pool *pool;
};

static int run_tessera(const struct shape *s, struct bufs *b, void *ctx)
{
	struct tessera_ctx *tc = ctx;
	ts_gemm_args g = { .m = s->m, .n = s->n, .k = s->k, .a_type = TS_Q_UINT8, .a = b->a,
			   .lda = s->k, .a_zp = 0, .b_type = TS_Q_INT8, .b = b->b, .ldb = s->n,
			   .b_zp = 0, .c = b->c, .ldc = s->n };
	ts_diag d = { { 0 } };
	ts_kernel_ctx kctx = { tc->isa, tc->threads, tc->pool };
	if (ts_gemm(&g, &kctx, &d)) {
		fprintf(stderr, "bench_gemm: %s\n", d.msg);
		return 1;
	}
	return 0;
}

static int run_sgemm(const struct shape *s, struct bufs *b, void *ctx)
{
	(void)ctx;
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)s->m, (int)s->n, (int)s->k, 1.0f,
		    b->af, (int)s->k, b->bf, (int)s->n, 0.0f, b->cf, (int)s->n);
	return 0;
}

/* ---- oneDNN ------------------------------------------------------------------------- */
static dnnl_engine_t dnnl_eng;
static dnnl_stream_t dnnl_strm;

struct dnnl_mm {
	dnnl_primitive_t prim;
	dnnl_memory_t a, b, c;
};

static int dnnl_setup(const struct shape *s, struct bufs *bf, struct dnnl_mm *mm)
{
	dnnl_memory_desc_t a_md, b_md, c_md;
	dnnl_dims_t ad = { (dnnl_dim_t)s->m, (dnnl_dim_t)s->k };
	dnnl_dims_t bd = { (dnnl_dim_t)s->k, (dnnl_dim_t)s->n };
	dnnl_dims_t cd = { (dnnl_dim_t)s->m, (dnnl_dim_t)s->n };
	dnnl_matmul_desc_t desc;
	dnnl_primitive_desc_t pd;
	if (dnnl_memory_desc_init_by_tag(&a_md, 2, ad, dnnl_u8, dnnl_ab) ||
	    dnnl_memory_desc_init_by_tag(&b_md, 2, bd, dnnl_s8, dnnl_ab) ||
	    dnnl_memory_desc_init_by_tag(&c_md, 2, cd, dnnl_s32, dnnl_ab) ||
	    dnnl_matmul_desc_init(&desc, &a_md, &b_md, NULL, &c_md) ||
	    dnnl_primitive_desc_create(&pd, &desc, NULL, dnnl_eng, NULL))
		return 1;
	int bad = dnnl_primitive_create(&mm->prim, pd) ||
		  dnnl_memory_create(&mm->a, &a_md, dnnl_eng, bf->a) ||
		  dnnl_memory_create(&mm->b, &b_md, dnnl_eng, bf->b) ||
		  dnnl_memory_create(&mm->c, &c_md, dnnl_eng, bf->c);
	dnnl_primitive_desc_destroy(pd);
	return bad;
}

static int run_dnnl(const struct shape *s, struct bufs *b, void *ctx)
{
	(void)s;
	(void)b;
	struct dnnl_mm *mm = ctx;
	dnnl_exec_arg_t args[3] = { { DNNL_ARG_SRC, mm->a }, { DNNL_ARG_WEIGHTS, mm->b },
				    { DNNL_ARG_DST, mm->c } };
	if (dnnl_primitive_execute(mm->prim, dnnl_strm, 3, args) || dnnl_stream_wait(dnnl_strm))
		return 1;
	return 0;
}

static double time_dnnl(const struct shape *s, struct bufs *b)
{
	struct dnnl_mm mm;
	if (dnnl_setup(s, b, &mm))
		return -1;
	double t = time_best(run_dnnl, s, b, &mm);
	dnnl_primitive_destroy(mm.prim);
	dnnl_memory_destroy(mm.a);
	dnnl_memory_destroy(mm.b);
	dnnl_memory_destroy(mm.c);
	return t;
}

static int dnnl_init(void)
{
	return dnnl_engine_create(&dnnl_eng, dnnl_cpu, 0) ||
	       dnnl_stream_create(&dnnl_strm, dnnl_eng, dnnl_stream_default_flags);
}

static const char *dnnl_isa_name(void)
{
	switch (dnnl_get_effective_cpu_isa()) {
	case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
	case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
	case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
	case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
	case dnnl_cpu_isa_avx2: return "avx2";
	default: return "other";
	}
}

/* ---- main ------------------------------------------------------------------------------- */

static double ops(const struct shape *s)
{
	return 2.0 * (double)s->m * (double)s->n * (double)s->k;
}

/* Child: oneDNN without the ISA cap (AMX on CPUs that have it), one thread. */
static void measure_dnnl_uncapped(struct bufs *b)
{
	omp_set_num_threads(1);
	if (dnnl_init()) {
		printf("onednn uncapped: cannot create engine\n");
		return;
	}
	double t[N_GROUPS] = { 0 }, o[N_GROUPS] = { 0 };
	for (size_t i = 0; i < N_SHAPES; i++) {
		double ti = time_dnnl(&shapes[i], b);
		for (int g = 0; g < N_GROUPS; g++)
			if (!strcmp(shapes[i].group, groups[g])) {
				t[g] += ti;
				o[g] += ops(&shapes[i]);
			}
	}
	printf("onednn uncapped (isa %s), 1 thread:", dnnl_isa_name());
	for (int g = 0; g < N_GROUPS; g++)
		printf("  %s %.1f GOP/s", groups[g], o[g] / t[g] * 1e-9);
	printf("\n");
}

/* Child: an AVX2-only machine. tessera's avx2 path and oneDNN capped at avx2, one thread,
 * measured alternately (3 rounds, best of each) so that a clock change during the run
 * does not favour either. Also says whether oneDNN's result is exact (tessera's is: the
 * tests check it against the reference); without VNNI oneDNN uses VPMADDUBSW, whose int16
 * pair sums saturate on full-range u8 x s8 data. */
static void measure_avx2_machine(struct bufs *b, size_t max_c)
{
	if (!ts_isa_supported(TS_ISA_AVX2)) {
		printf("avx2-machine: this CPU has no AVX2; skipped\n");
		return;
	}
	omp_set_num_threads(1);
	if (dnnl_set_max_cpu_isa(dnnl_cpu_isa_avx2) || dnnl_init()) {
		printf("avx2-machine: cannot cap oneDNN at avx2; skipped\n");
		return;
	}
	int32_t *c_ts = aligned_alloc(64, (max_c * 4 + 63) / 64 * 64);
	if (!c_ts) {
		printf("avx2-machine: out of memory\n");
		return;
	}
	struct bufs bt = *b;
	bt.c = c_ts;
	struct tessera_ctx tc = { TS_ISA_AVX2, 1, NULL };
	double t_ts[N_GROUPS] = { 0 }, t_dn[N_GROUPS] = { 0 }, o[N_GROUPS] = { 0 };
	int inexact = 0;
	printf("\navx2-machine: tessera avx2 vs oneDNN capped at %s, 1 thread (GOP/s)\n%-36s %11s %11s %7s %s\n",
	       dnnl_isa_name(), "shape", "tessera", "onednn", "ratio", "onednn exact");
	for (size_t i = 0; i < N_SHAPES; i++) {
		const struct shape *s = &shapes[i];
		double best_ts = 1e30, best_dn = 1e30;
		for (int round = 0; round < 3; round++) {
			double t = time_best(run_tessera, s, &bt, &tc);
			if (t > 0 && t < best_ts)
				best_ts = t;
			t = time_dnnl(s, b);
			if (t > 0 && t < best_dn)
				best_dn = t;
		}
		int exact = !memcmp(b->c, c_ts, s->m * s->n * sizeof *c_ts);
		inexact += !exact;
		int g = 0;
		while (strcmp(s->group, groups[g]))
			g++;
		o[g] += ops(s);
		t_ts[g] += best_ts;
		t_dn[g] += best_dn;
		printf("%-36s %11.1f %11.1f %7.2f %s\n", s->name, ops(s) / best_ts * 1e-9,
		       ops(s) / best_dn * 1e-9, best_dn / best_ts, exact ? "yes" : "no");
		fflush(stdout);
	}
	for (int g = 0; g < N_GROUPS; g++)
		printf("RESULT avx2-machine threads=1 %-7s tessera-avx2 %.1f | onednn-avx2 %.1f | ratio %.2f\n",
		       groups[g], o[g] / t_ts[g] * 1e-9, o[g] / t_dn[g] * 1e-9, t_dn[g] / t_ts[g]);
	printf("avx2-machine: oneDNN's result differs from the exact one on %d of %zu shapes\n", inexact,
	       N_SHAPES);
	free(c_ts);
}

/* ---- other PE types (int16, int4, lightpe2, binary) -------------------------------------- */

enum pe_kind { PE_INT16, PE_INT4, PE_LIGHTPE2, PE_BINARY, PE_COUNT };
static const char *const pe_names[PE_COUNT] = { "int16", "int4", "lightpe2", "binary" };

struct pe_bufs {
	size_t m, n, k;
	int16_t *a16, *b16;   /* int16 A (m x k), B (k x n) */
	int8_t *a4, *b4;      /* int4 values, one per byte */
	uint8_t *au8, *codes; /* uint8 A, lightpe2 codes (k x n) */
	uint8_t *abits, *bbits; /* binary: m rows, n columns of k / 8 bytes */
	int32_t *c;
};

struct pe_run {
	struct pe_bufs *pb;
	enum pe_kind kind;
	ts_isa isa;
	int ref; /* 1: the golden model */
};

static int run_pe(const struct shape *s, struct bufs *b, void *ctx)
{
	(void)s;
	(void)b;
	struct pe_run *r = ctx;
	struct pe_bufs *pb = r->pb;
	ts_diag d = { { 0 } };
	ts_kernel_ctx kctx = { r->isa, 1, NULL };
	ts_gemm_args g = { .m = pb->m, .n = pb->n, .k = pb->k, .lda = pb->k, .ldb = pb->n,
			   .c = pb->c, .ldc = pb->n };
	ts_status st;
	switch (r->kind) {
	case PE_INT16:
	case PE_INT4:
		g.a_type = g.b_type = r->kind == PE_INT16 ? TS_Q_INT16 : TS_Q_INT4;
		g.a = r->kind == PE_INT16 ? (const void *)pb->a16 : (const void *)pb->a4;
		g.b = r->kind == PE_INT16 ? (const void *)pb->b16 : (const void *)pb->b4;
		st = r->ref ? ts_ref_gemm(&g, &d) : ts_gemm(&g, &kctx, &d);
		break;
	case PE_LIGHTPE2:
		g.a_type = TS_Q_UINT8;
		g.a = pb->au8;
		g.b_type = TS_Q_LIGHTPE2;
		g.b = pb->codes;
		st = r->ref ? ts_ref_gemm_lightpe(&g, &d) : ts_gemm_lightpe(&g, &kctx, &d);
		break;
	default: {
		size_t bytes = pb->k / 8;
		st = r->ref ? ts_ref_gemm_binary(pb->m, pb->n, pb->k, pb->abits, bytes, pb->bbits, bytes,
						 pb->c, pb->n, 0, &d) :
			      ts_gemm_binary(pb->m, pb->n, pb->k, pb->abits, bytes, pb->bbits, bytes,
					     pb->c, pb->n, 0, &kctx, &d);
	}
	}
	if (st) {
		fprintf(stderr, "bench_gemm: %s: %s\n", pe_names[r->kind], d.msg);
		return 1;
	}
	return 0;
}

static double time_once(run_fn fn, const struct shape *s, struct bufs *b, void *ctx)
{
	double t0 = ts_now();
	return fn(s, b, ctx) ? -1 : ts_now() - t0;
}

/* 1024^3, one thread: each PE type on every ISA path, its reference, sgemm. */
static void measure_pe_types(struct bufs *b, const ts_isa *paths, int n_paths, ts_isa best)
{
	const struct shape *s = &shapes[1]; /* 1024^3 */
	size_t m = s->m, n = s->n, k = s->k;
	struct pe_bufs pb = { .m = m, .n = n, .k = k };
	pb.a16 = malloc(m * k * 2);
	pb.b16 = malloc(k * n * 2);
	pb.a4 = malloc(m * k);
	pb.b4 = malloc(k * n);
	pb.au8 = malloc(m * k);
	pb.codes = malloc(k * n);
	pb.abits = malloc(m * k / 8);
	pb.bbits = malloc(n * k / 8);
	pb.c = malloc(m * n * sizeof *pb.c);
	if (!pb.a16 || !pb.b16 || !pb.a4 || !pb.b4 || !pb.au8 || !pb.codes || !pb.abits || !pb.bbits ||
	    !pb.c) {
		fprintf(stderr, "bench_gemm: out of memory\n");
		return;
	}
	uint32_t x = 777;
#define NEXT() (x = x * 1664525u + 1013904223u, x >> 8)
	for (size_t i = 0; i < m * k; i++) {
		pb.a16[i] = (int16_t)NEXT();
		pb.a4[i] = (int8_t)((int)(NEXT() & 15) - 8);
		pb.au8[i] = (uint8_t)NEXT();
	}
	for (size_t i = 0; i < k * n; i++) {
		pb.b16[i] = (int16_t)NEXT();
		pb.b4[i] = (int8_t)((int)(NEXT() & 15) - 8);
		/* codes as the quantizer makes them: |w / scale| <= 96 (so the weights fit int8) */
		pb.codes[i] = ts_lightpe_encode((float)((int)(NEXT() % 193) - 96), TS_Q_LIGHTPE2);
	}
	for (size_t i = 0; i < m * k / 8; i++)
		pb.abits[i] = (uint8_t)NEXT();
	for (size_t i = 0; i < n * k / 8; i++)
		pb.bbits[i] = (uint8_t)NEXT();
#undef NEXT
	openblas_set_num_threads(1);
	double t_sg = time_best(run_sgemm, s, b, NULL);
	printf("\nPE types, %s, 1 thread (GOP/s: 2 ops per MAC; binary: 1 op per XNOR-popcount bit); "
	       "ref = the scalar golden model (one call); sgemm %.1f GFLOP/s; ratios are times on the "
	       "same shape\n", s->name, ops(s) / t_sg * 1e-9);
	for (int kind = 0; kind < PE_COUNT; kind++) {
		double o = kind == PE_BINARY ? (double)m * n * k : ops(s);
		struct pe_run r = { &pb, (enum pe_kind)kind, TS_ISA_SCALAR, 1 };
		double t_ref = time_once(run_pe, s, b, &r);
		double t_best = 0;
		printf("RESULT pe=%-8s threads=1 %s ref %.2f", pe_names[kind], s->name, o / t_ref * 1e-9);
		r.ref = 0;
		for (int p = 0; p < n_paths; p++) {
			if (paths[p] == TS_ISA_SCALAR)
				continue; /* = the reference for these types (int4: the int8 scalar kernel) */
			r.isa = paths[p];
			double t = time_best(run_pe, s, b, &r);
			if (paths[p] == best)
				t_best = t;
			printf(" | %s %.1f", ts_isa_name(paths[p]), o / t * 1e-9);
		}
		printf(" | sgemm %.1f | tessera-%s/ref %.1fx  tessera-%s/sgemm %.2fx\n",
		       ops(s) / t_sg * 1e-9, ts_isa_name(best), t_ref / t_best, ts_isa_name(best),
		       t_sg / t_best);
		fflush(stdout);
	}
	free(pb.a16);
	free(pb.b16);
	free(pb.a4);
	free(pb.b4);
	free(pb.au8);
	free(pb.codes);
	free(pb.abits);
	free(pb.bbits);
	free(pb.c);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	/* BENCH_QUICK=1: only the best path, one thread (for tuning) */
	int quick = getenv("BENCH_QUICK") && atoi(getenv("BENCH_QUICK"));
	const char *env = getenv("BENCH_SECONDS");
	if (env && atof(env) > 0)
		min_seconds = atof(env);
	unsigned nthreads = 1;
	ts_diag td = { { 0 } };
	if (ts_kernel_threads_env(&nthreads, &td)) {
		fprintf(stderr, "bench_gemm: %s\n", td.msg);
		return 2;
	}
	if (nthreads < 2) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		nthreads = n > 1 ? (unsigned)n : 1;
	}
	size_t max_a = 0, max_b = 0, max_c = 0;
	for (size_t i = 0; i < N_SHAPES; i++) {
		if (shapes[i].m * shapes[i].k > max_a)
			max_a = shapes[i].m * shapes[i].k;
		if (shapes[i].k * shapes[i].n > max_b)
			max_b = shapes[i].k * shapes[i].n;
		if (shapes[i].m * shapes[i].n > max_c)
			max_c = shapes[i].m * shapes[i].n;
	}
	struct bufs b = {
		.a = aligned_alloc(64, (max_a + 63) / 64 * 64), .b = aligned_alloc(64, (max_b + 63) / 64 * 64),
		.c = aligned_alloc(64, (max_c * 4 + 63) / 64 * 64),
		.af = aligned_alloc(64, (max_a * 4 + 63) / 64 * 64),
		.bf = aligned_alloc(64, (max_b * 4 + 63) / 64 * 64),
		.cf = aligned_alloc(64, (max_c * 4 + 63) / 64 * 64),
	};
	if (!b.a || !b.b || !b.c || !b.af || !b.bf || !b.cf) {
		fprintf(stderr, "bench_gemm: out of memory\n");
		return 1;
	}
	uint32_t x = 12345;
	for (size_t i = 0; i < max_a; i++) {
		x = x * 1664525u + 1013904223u;
		b.a[i] = (uint8_t)(x >> 24);
		b.af[i] = (float)b.a[i];
	}
	for (size_t i = 0; i < max_b; i++) {
		x = x * 1664525u + 1013904223u;
		b.b[i] = (int8_t)(x >> 24);
		b.bf[i] = (float)b.b[i];
	}

	fflush(stdout);
	int avx2_only = getenv("BENCH_AVX2") && atoi(getenv("BENCH_AVX2"));
	int pe_only = getenv("BENCH_PE") && atoi(getenv("BENCH_PE"));
	pid_t child = quick || avx2_only || pe_only ? -1 : fork();
	if (child == 0) {
		measure_dnnl_uncapped(&b);
		fflush(stdout);
		_exit(0);
	}
	if (child > 0)
		waitpid(child, NULL, 0);
	child = quick || pe_only ? -1 : fork();
	if (child == 0) {
		measure_avx2_machine(&b, max_c);
		fflush(stdout);
		_exit(0);
	}
	if (child > 0)
		waitpid(child, NULL, 0);
	if (avx2_only)
		return 0;

	if (dnnl_set_max_cpu_isa(dnnl_cpu_isa_avx512_core_vnni) || dnnl_init()) {
		fprintf(stderr, "bench_gemm: cannot set up oneDNN\n");
		return 1;
	}
	ts_isa paths[TS_ISA_COUNT];
	int n_paths = 0;
	ts_isa best;
	ts_diag d = { { 0 } };
	if (ts_isa_select(&best, &d)) {
		fprintf(stderr, "bench_gemm: %s\n", d.msg);
		return 1;
	}
	for (int i = TS_ISA_SCALAR; i < TS_ISA_COUNT; i++)
		if (ts_isa_supported((ts_isa)i) && ts_isa_implemented((ts_isa)i) &&
		    (!quick || (ts_isa)i == best))
			paths[n_paths++] = (ts_isa)i;
	printf("bench_gemm: int8 GEMM u8 x s8 -> s32 (GOP/s, 2 ops per MAC); sgemm in GFLOP/s; "
	       "oneDNN %s capped at %s; AMX on this CPU: %s (no tessera kernel)\n",
	       dnnl_version()->major == 2 ? "2.x" : "?", dnnl_isa_name(),
	       ts_isa_supported(TS_ISA_AMX) ? "yes" : "no");

	/* N threads: a persistent pool, as a runtime running a network would keep one */
	ts_kernel_pool *pool = NULL;
	if (nthreads > 1 && ts_kernel_pool_new(nthreads, &pool, &d)) {
		fprintf(stderr, "bench_gemm: %s\n", d.msg);
		return 1;
	}
	unsigned thread_counts[2] = { 1, nthreads };
	int n_tc = pe_only ? 0 : nthreads > 1 && !quick ? 2 : 1;
	for (int tci = 0; tci < n_tc; tci++) {
		unsigned th = thread_counts[tci];
		openblas_set_num_threads((int)th);
		omp_set_num_threads((int)th);
		double t_ts[TS_ISA_COUNT][N_GROUPS] = { { 0 } }, t_sg[N_GROUPS] = { 0 },
		       t_dn[N_GROUPS] = { 0 }, o[N_GROUPS] = { 0 };
		printf("\nthreads %u\n%-36s", th, "shape");
		for (int p = 0; p < n_paths; p++)
			printf(" %11s", ts_isa_name(paths[p]));
		printf(" %11s %11s\n", "sgemm", "onednn");
		for (size_t i = 0; i < N_SHAPES; i++) {
			const struct shape *s = &shapes[i];
			int g = 0;
			while (strcmp(s->group, groups[g]))
				g++;
			o[g] += ops(s);
			printf("%-36s", s->name);
			for (int p = 0; p < n_paths; p++) {
				struct tessera_ctx tc = { paths[p], th, th > 1 ? pool : NULL };
				double t = time_best(run_tessera, s, &b, &tc);
				t_ts[p][g] += t;
				printf(" %11.1f", ops(s) / t * 1e-9);
			}
			double ts = time_best(run_sgemm, s, &b, NULL);
			double tdn = time_dnnl(s, &b);
			t_sg[g] += ts;
			t_dn[g] += tdn;
			printf(" %11.1f %11.1f\n", ops(s) / ts * 1e-9, tdn > 0 ? ops(s) / tdn * 1e-9 : 0);
			fflush(stdout);
		}
		int bp = 0;
		while (paths[bp] != best)
			bp++;
		for (int g = 0; g < N_GROUPS; g++) {
			printf("RESULT threads=%u %-7s", th, groups[g]);
			for (int p = 0; p < n_paths; p++)
				printf(" %s %.1f", ts_isa_name(paths[p]), o[g] / t_ts[p][g] * 1e-9);
			printf(" | sgemm %.1f | onednn %.1f | tessera-%s/onednn %.2fx  tessera-%s/sgemm %.2fx\n",
			       o[g] / t_sg[g] * 1e-9, o[g] / t_dn[g] * 1e-9, ts_isa_name(best),
			       t_dn[g] / t_ts[bp][g], ts_isa_name(best), t_sg[g] / t_ts[bp][g]);
		}
	}
	if (!quick)
		measure_pe_types(&b, paths, n_paths, best);
	ts_kernel_pool_free(pool);
	return 0;
}
