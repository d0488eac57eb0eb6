/* gemm.c — the fast integer GEMM driver: zero-point algebra, packing into panels, cache
 * blocking (Goto-style jc/pc/ic loops), ISA dispatch and pthreads, for the int8 kernels
 * (int8 / uint8 / int4 operands) and the int16 kernels (int16 on either side). The per-ISA
 * microkernels (gemm_<isa>.c) compute raw u8 x s8 or s16 x s16 tiles; everything here is
 * exact modulo 2^32, so every path equals ts_ref_gemm bit for bit. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <emmintrin.h>

#include "kernels/kernels_internal.h"

/* K block (multiple of 4) and N block: a packed B block (KC x NC bytes) stays in L2
 * while MR-row slices of A (MR x KC) are reused from L1 across its NR-column panels.
 * Defaults: a kernel whose panels take more bytes sets its own (ts_ukernel.kc, .nc). */
#define GEMM_KC 512
#define GEMM_NC 1536
/* B panels packed (then prepared) at a time by kernels with a prep step (the panels of
 * one call of their pack_prep) */
#define PREP_PANELS 4
/* ts_gemm: below this many MACs per thread (~40 us), starting a thread costs more than
 * it gains. ts_gemm_isa uses the thread count it is given. */
#define GEMM_MIN_MACS_PER_THREAD (1u << 24)
#define GEMM_MIN_MACS_PER_POOL_THREAD (1u << 20)

/* ---- scalar microkernel (also the portable path) ---------------------------------- */
#define SCALAR_MR 4
#define SCALAR_NR 8

static void ukernel_scalar(size_t kc, const uint8_t *a, size_t lda, size_t mr, int a_signed,
			   int overread,
			   const int8_t *pb, int32_t *c, size_t ldc, size_t nr, int load,
			   const int32_t *row, const int32_t *col)
{
	uint32_t acc[SCALAR_MR][SCALAR_NR] = { { 0 } };
	for (size_t p = 0; p < kc; p++) {
		const int8_t *bp = pb + (p / 4) * SCALAR_NR * 4 + (p & 3);
		for (size_t i = 0; i < mr; i++) {
			int32_t av = a_signed ? (int8_t)a[i * lda + p] : a[i * lda + p];
			for (size_t j = 0; j < SCALAR_NR; j++)
				acc[i][j] += (uint32_t)(av * bp[j * 4]);
		}
	}
	ts_tile_finish(&acc[0][0], SCALAR_NR, mr, nr, c, ldc, load, row, col);
}

void ts_ukernel_scalar(ts_ukernel *u)
{
	*u = (ts_ukernel){ .isa = TS_ISA_SCALAR, .mr = SCALAR_MR, .nr = SCALAR_NR, .flip_b = 0,
			   .pack_pairs = NULL, .fn = ukernel_scalar };
}

/* ---- packing and sums (SSE2 is x86-64 baseline) -------------------------------------- */

/* One panel of B: k [pstart, kc4) x cols [0, cols) of the block -> [kc4/4][nr_tile][4],
 * XOR flip (0x80: int8 b -> uint8 b + 128) on real elements, zero padding (k >= kc or
 * col >= cols). pstart is a multiple of 4. */
static void pack_panel(const ts_gemm_args *g, size_t p0, size_t kc, size_t kc4, size_t pstart,
		       size_t j0, size_t cols, size_t nr_tile, uint8_t flip, int8_t *dst)
{
	const int8_t *b = g->b;
	const __m128i fl = _mm_set1_epi8((char)flip);
	size_t p = pstart;
	if (nr_tile % 16 == 0) {
		size_t cols16 = cols / 16 * 16;
		for (; p + 4 <= kc; p += 4) {
			const int8_t *src = b + (p0 + p) * g->ldb + j0;
			int8_t *d = dst + (p / 4) * nr_tile * 4;
			for (size_t j = 0; j < cols16; j += 16) {
				__m128i r0 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(src + j)), fl);
				__m128i r1 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(src + g->ldb + j)), fl);
				__m128i r2 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(src + 2 * g->ldb + j)), fl);
				__m128i r3 = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(src + 3 * g->ldb + j)), fl);
				__m128i t01l = _mm_unpacklo_epi8(r0, r1), t01h = _mm_unpackhi_epi8(r0, r1);
				__m128i t23l = _mm_unpacklo_epi8(r2, r3), t23h = _mm_unpackhi_epi8(r2, r3);
				__m128i *o = (__m128i *)(d + j * 4);
				_mm_storeu_si128(o, _mm_unpacklo_epi16(t01l, t23l));
				_mm_storeu_si128(o + 1, _mm_unpackhi_epi16(t01l, t23l));
				_mm_storeu_si128(o + 2, _mm_unpacklo_epi16(t01h, t23h));
				_mm_storeu_si128(o + 3, _mm_unpackhi_epi16(t01h, t23h));
			}
			for (size_t j = cols16; j < nr_tile; j++)
				for (size_t q = 0; q < 4; q++)
					d[j * 4 + q] = j < cols ? (int8_t)(src[q * g->ldb + j] ^ flip) : 0;
		}
	}
	for (; p < kc4; p++) {
		int8_t *d = dst + (p / 4) * nr_tile * 4 + (p & 3);
		for (size_t j = 0; j < nr_tile; j++)
			d[j * 4] = p < kc && j < cols ? (int8_t)(b[(p0 + p) * g->ldb + j0 + j] ^ flip) : 0;
	}
}

/* B block k [0, kc) x cols [0, nc) -> panels of nr_tile cols. The ISA's packer (if any)
 * does whole groups of 4 k over pairs of full panels; the rest goes through pack_panel. */
static void pack_b(const ts_gemm_args *g, const ts_ukernel *u, size_t p0, size_t kc, size_t kc4,
		   size_t j0, size_t nc, uint8_t flip, int8_t *dst)
{
	size_t nr_tile = u->nr, fast_cols = 0, fast_k = 0;
	if (u->pack_pairs) {
		fast_cols = nc / (2 * nr_tile) * 2 * nr_tile;
		fast_k = kc / 4 * 4;
		if (fast_cols && fast_k)
			u->pack_pairs((const int8_t *)g->b + p0 * g->ldb + j0, g->ldb, fast_k, kc4,
				      fast_cols, flip, dst);
		else
			fast_cols = fast_k = 0;
	}
	for (size_t jr = 0; jr < nc; jr += nr_tile) {
		size_t cols = nc - jr < nr_tile ? nc - jr : nr_tile;
		pack_panel(g, p0, kc, kc4, jr < fast_cols ? fast_k : 0, j0 + jr, cols, nr_tile, flip,
			   dst + (jr / nr_tile) * kc4 * nr_tile);
	}
}

/* sum of k bytes (int8 if is_signed) modulo 2^32, with PSADBW */
static uint32_t byte_sum(const uint8_t *a, size_t k, int is_signed)
{
	const __m128i zero = _mm_setzero_si128(), fl = _mm_set1_epi8((char)0x80);
	__m128i acc = zero;
	size_t p = 0;
	for (; p + 16 <= k; p += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(a + p));
		if (is_signed)
			v = _mm_xor_si128(v, fl);
		acc = _mm_add_epi64(acc, _mm_sad_epu8(v, zero));
	}
	uint64_t lanes[2];
	_mm_storeu_si128((__m128i *)lanes, acc);
	uint32_t s = (uint32_t)(lanes[0] + lanes[1]);
	if (is_signed)
		s -= 128u * (uint32_t)p;
	for (; p < k; p++)
		s += is_signed ? (uint32_t)(int8_t)a[p] : a[p];
	return s;
}

/* int16 kernels: B block k [p0, p0 + kc) x cols [j0, j0 + nc) -> panels of nr_tile columns,
 * [kc2/2][nr_tile][2] int16 each, zero padded (k >= kc or col >= nc). B is int16, or int8 /
 * int4 widened here. Whole 8-column runs of int16 B interleave two rows with SSE2. */
static void pack_b16(const ts_gemm_args *g, const ts_ukernel *u, size_t p0, size_t kc, size_t kc2,
		     size_t j0, size_t nc, int16_t *dst)
{
	size_t nr_tile = u->nr;
	int b16 = g->b_type == TS_Q_INT16;
	const int16_t *bw = g->b;
	const int8_t *bn = g->b;
	for (size_t jr = 0; jr < nc; jr += nr_tile) {
		size_t cols = nc - jr < nr_tile ? nc - jr : nr_tile;
		int16_t *panel = dst + (jr / nr_tile) * kc2 * nr_tile;
		for (size_t p = 0; p < kc2; p += 2) {
			int16_t *d = panel + (p / 2) * nr_tile * 2;
			size_t j = 0;
			if (b16 && p + 1 < kc) {
				const int16_t *r0 = bw + (p0 + p) * g->ldb + j0 + jr, *r1 = r0 + g->ldb;
				for (; j + 8 <= cols; j += 8) {
					__m128i x0 = _mm_loadu_si128((const __m128i *)(r0 + j));
					__m128i x1 = _mm_loadu_si128((const __m128i *)(r1 + j));
					_mm_storeu_si128((__m128i *)(d + 2 * j), _mm_unpacklo_epi16(x0, x1));
					_mm_storeu_si128((__m128i *)(d + 2 * j + 8), _mm_unpackhi_epi16(x0, x1));
				}
			}
			for (; j < nr_tile; j++)
				for (size_t q = 0; q < 2; q++) {
					size_t i = (p0 + p + q) * g->ldb + j0 + jr + j;
					d[2 * j + q] = p + q < kc && j < cols ? (b16 ? bw[i] : bn[i]) : 0;
				}
		}
	}
}

/* sum of k int16 modulo 2^32 */
static uint32_t int16_sum(const int16_t *a, size_t k)
{
	uint32_t s = 0;
	for (size_t p = 0; p < k; p++)
		s += (uint32_t)a[p];
	return s;
}

/* ---- single-thread driver ------------------------------------------------------------ */

static ts_status gemm_fast_st(const ts_gemm_args *g, const ts_ukernel *u, ts_diag *d)
{
	size_t m = g->m, n = g->n, k = g->k, mr_t = u->mr, nr_t = u->nr;
	if (m == 0 || n == 0)
		return TS_OK;
	/* int16 kernels: A is int16, k goes in pairs (groups of 2, not 4) */
	int wide = u->fn16 != NULL;
	size_t kround = wide ? 1 : 3;
	/* int4 is stored one value per int8_t (-8..7): for the kernels it is int8 */
	int a_signed = g->a_type == TS_Q_INT8 || g->a_type == TS_Q_INT4;
	uint8_t flip = a_signed && u->flip_b ? 0x80 : 0;
	size_t kc_blk = u->kc ? u->kc : GEMM_KC, nc_blk = u->nc ? u->nc : GEMM_NC;
	size_t kc_max = k < kc_blk ? (k + kround) & ~kround : kc_blk;
	size_t nc_max = n < nc_blk ? n : nc_blk;
	nc_max = (nc_max + nr_t - 1) / nr_t * nr_t;
	/* with a prep step, B is packed into `packed` first, then each panel is prepared into pb */
	size_t pb_bytes = nc_max / nr_t * ts_panel_bytes(u, kc_max);
	int8_t *pb = aligned_alloc(64, (pb_bytes + 63) / 64 * 64 + 64);
	int8_t *packed = u->prep ? aligned_alloc(64, PREP_PANELS * nr_t * kc_max + 64) : pb;
	int32_t *rowterm = malloc(m * sizeof *rowterm);
	int32_t *colterm = malloc(n * sizeof *colterm);
	if (!pb || !packed || !rowterm || !colterm) {
		if (packed != pb)
			free(packed);
		free(pb);
		free(rowterm);
		free(colterm);
		return ts_err(d, TS_ERR_NOMEM, "gemm: out of memory");
	}
	/* With o = 128 if B is packed flipped (else 0), the kernels compute
	 * R = sum A (B + o); C = sum (A - az)(B - bz)
	 *   = R - (o + bz) rowsum(A) - az colsum(B) + K az bz. */
	uint32_t o = flip ? 128u : 0u, az = (uint32_t)g->a_zp, bz = (uint32_t)g->b_zp;
	uint32_t rowmul = o + bz;
	for (size_t i = 0; i < m; i++)
		rowterm[i] = !rowmul ? 0 :
			     wide ? (int32_t)(0u - rowmul * int16_sum((const int16_t *)g->a + i * g->lda, k)) :
			     (int32_t)(0u - rowmul * byte_sum((const uint8_t *)g->a + i * g->lda, k, a_signed));
	uint32_t kzz = (uint32_t)k * az * bz;
	int terms = rowmul != 0 || az != 0; /* else every correction term is 0 */
	for (size_t j = 0; j < n; j++)
		colterm[j] = (int32_t)kzz;
	if (az && g->b_type == TS_Q_INT16)
		for (size_t p = 0; p < k; p++) {
			const int16_t *b = (const int16_t *)g->b + p * g->ldb;
			for (size_t j = 0; j < n; j++)
				colterm[j] = (int32_t)((uint32_t)colterm[j] - az * (uint32_t)b[j]);
		}
	else if (az)
		for (size_t p = 0; p < k; p++) {
			const int8_t *b = (const int8_t *)g->b + p * g->ldb;
			for (size_t j = 0; j < n; j++)
				colterm[j] = (int32_t)((uint32_t)colterm[j] - az * (uint32_t)b[j]);
		}

	for (size_t jc = 0; jc < n; jc += nc_blk) {
		size_t nc = n - jc < nc_blk ? n - jc : nc_blk;
		if (k == 0) { /* no K blocks: C = (load) + terms */
			for (size_t i = 0; i < m; i++)
				for (size_t j = jc; j < jc + nc; j++) {
					uint32_t v = g->accumulate ? (uint32_t)g->c[i * g->ldc + j] : 0;
					g->c[i * g->ldc + j] = (int32_t)(v + (uint32_t)rowterm[i] +
									 (uint32_t)colterm[j]);
				}
			continue;
		}
		for (size_t pc = 0; pc < k; pc += kc_blk) {
			size_t kc = k - pc < kc_blk ? k - pc : kc_blk;
			size_t kc4 = (kc + kround) & ~kround, panel = ts_panel_bytes(u, kc4);
			if (wide)
				pack_b16(g, u, pc, kc, kc4, jc, nc, (int16_t *)pb);
			else if (!u->prep)
				pack_b(g, u, pc, kc, kc4, jc, nc, flip, pb);
			/* with a prep step, PREP_PANELS panels at a time, so that `packed` is read
			 * back from L1 */
			for (size_t jr = 0; u->prep && jr < nc; jr += PREP_PANELS * nr_t) {
				size_t cols = nc - jr < PREP_PANELS * nr_t ? nc - jr : PREP_PANELS * nr_t;
				if (u->pack_prep && kc == kc4 && cols == PREP_PANELS * nr_t) {
					u->pack_prep((const int8_t *)g->b + pc * g->ldb + jc + jr, g->ldb, kc,
						     a_signed, pb + (jr / nr_t) * panel, panel);
					continue;
				}
				pack_b(g, u, pc, kc, kc4, jc + jr, cols, flip, packed);
				for (size_t q = 0; q * nr_t < cols; q++)
					u->prep(packed + q * kc4 * nr_t, kc4 / 4, a_signed,
						pb + (jr / nr_t + q) * panel);
			}
			int load = g->accumulate || pc > 0;
			int first = pc == 0;
			for (size_t ir = 0; ir < m; ir += mr_t) {
				size_t mr = m - ir < mr_t ? m - ir : mr_t;
				const uint8_t *a = (const uint8_t *)g->a + ir * g->lda + pc;
				const int16_t *a16 = (const int16_t *)g->a + ir * g->lda + pc;
				int overread = ir + mr < m && g->lda >= 4;
				for (size_t jr = 0; jr < nc; jr += nr_t) {
					size_t nr = nc - jr < nr_t ? nc - jr : nr_t;
					size_t j = jc + jr;
					if (wide)
						u->fn16(kc, a16, g->lda, mr,
							(const int16_t *)(pb + (jr / nr_t) * panel),
							g->c + ir * g->ldc + j, g->ldc, nr, load,
							first && terms ? rowterm + ir : NULL,
							first && terms ? colterm + j : NULL);
					else
						u->fn(kc, a, g->lda, mr, a_signed, overread,
						      pb + (jr / nr_t) * panel, g->c + ir * g->ldc + j, g->ldc, nr,
						      load, first && terms ? rowterm + ir : NULL,
						      first && terms ? colterm + j : NULL);
				}
			}
		}
	}
	if (packed != pb)
		free(packed);
	free(pb);
	free(rowterm);
	free(colterm);
	return TS_OK;
}

/* Binary GEMM (a_type = b_type = TS_Q_BINARY, k in bits, lda / ldb in bytes, B by
 * column): N blocks whose B columns (about 256 KB) stay in L2 while the row tiles of A
 * pass over them; the kernel takes each tile over all of K. */
static ts_status gemm_binary_st(const ts_gemm_args *g, const ts_ukernel *u)
{
	size_t bytes = (g->k + 7) / 8, mr_t = u->mr, nr_t = u->nr;
	size_t nc_blk = bytes ? (256 * 1024 / bytes) / nr_t * nr_t : g->n;
	if (nc_blk < nr_t)
		nc_blk = nr_t;
	const uint8_t *a = g->a, *b = g->b;
	for (size_t jc = 0; jc < g->n; jc += nc_blk) {
		size_t nc = g->n - jc < nc_blk ? g->n - jc : nc_blk;
		for (size_t ir = 0; ir < g->m; ir += mr_t) {
			size_t mr = g->m - ir < mr_t ? g->m - ir : mr_t;
			for (size_t jr = 0; jr < nc; jr += nr_t) {
				size_t nr = nc - jr < nr_t ? nc - jr : nr_t, j = jc + jr;
				u->fnbin(g->k, a + ir * g->lda, g->lda, mr, b + j * g->ldb, g->ldb, nr,
					 g->c + ir * g->ldc + j, g->ldc, g->accumulate);
			}
		}
	}
	return TS_OK;
}

/* ---- threads --------------------------------------------------------------------------- */

static size_t elem_bytes(ts_qtype t)
{
	return t == TS_Q_INT16 ? 2 : 1;
}

struct gemm_job {
	ts_gemm_args args;
	const ts_ukernel *u;
	ts_status st;
	ts_diag diag;
	pthread_t tid;
};

static void *gemm_job_run(void *arg)
{
	struct gemm_job *job = arg;
	job->st = job->u->fnbin ? gemm_binary_st(&job->args, job->u) :
				  gemm_fast_st(&job->args, job->u, &job->diag);
	return NULL;
}

struct pool_jobs {
	struct gemm_job *jobs;
	unsigned n;
};

static void gemm_pool_fn(void *arg, unsigned idx)
{
	struct pool_jobs *pj = arg;
	if (idx < pj->n)
		gemm_job_run(&pj->jobs[idx]);
}

/* Split over M (row blocks, multiples of MR) or N (multiples of NR), whichever gives
 * each thread more tiles. Every C element is computed by one thread with the same
 * K blocking, so results do not depend on the thread count. */
static ts_status gemm_fast(const ts_gemm_args *g, const ts_ukernel *u, unsigned threads,
			   uint64_t min_macs, ts_kernel_pool *pool, ts_diag *d)
{
	if (pool && threads > ts_kernel_pool_size(pool))
		threads = ts_kernel_pool_size(pool);
	/* binary: 64 bits (one POPCNT) count as about one MAC of work */
	size_t k_work = u->fnbin ? (g->k + 63) / 64 : g->k;
	uint64_t macs = (uint64_t)g->m * g->n * (k_work ? k_work : 1);
	if (threads > 1 && min_macs && macs / threads < min_macs)
		threads = (unsigned)(macs / min_macs);
	size_t m_tiles = (g->m + u->mr - 1) / u->mr, n_tiles = (g->n + u->nr - 1) / u->nr;
	int split_m = m_tiles >= n_tiles;
	size_t tiles = split_m ? m_tiles : n_tiles;
	if (threads > tiles)
		threads = (unsigned)tiles;
	if (threads <= 1)
		return u->fnbin ? gemm_binary_st(g, u) : gemm_fast_st(g, u, d);
	struct gemm_job *jobs = calloc(threads, sizeof *jobs);
	if (!jobs)
		return ts_err(d, TS_ERR_NOMEM, "gemm: out of memory");
	size_t tile = split_m ? u->mr : u->nr;
	unsigned started = 0;
	ts_status st = TS_OK;
	for (unsigned t = 0; t < threads; t++) {
		size_t t0 = tiles * t / threads, t1 = tiles * (t + 1) / threads;
		struct gemm_job *job = &jobs[t];
		job->args = *g;
		job->u = u;
		size_t lo = t0 * tile, hi = t1 * tile;
		if (split_m) {
			if (hi > g->m)
				hi = g->m;
			job->args.m = hi - lo;
			job->args.a = (const uint8_t *)g->a + lo * g->lda * elem_bytes(g->a_type);
			job->args.c = g->c + lo * g->ldc;
		} else {
			if (hi > g->n)
				hi = g->n;
			job->args.n = hi - lo;
			/* binary B is stored by column, ldb bytes apart */
			job->args.b = (const int8_t *)g->b +
				      lo * (g->b_type == TS_Q_BINARY ? g->ldb : elem_bytes(g->b_type));
			job->args.c = g->c + lo;
		}
		if (t == 0 || pool)
			continue; /* runs on this thread (or the pool) below */
		if (pthread_create(&job->tid, NULL, gemm_job_run, job) != 0) {
			st = ts_err(d, TS_ERR_INTERNAL, "gemm: cannot start thread %u", t);
			break;
		}
		started = t;
	}
	if (!st && pool) {
		struct pool_jobs pj = { jobs, threads };
		ts_pool_run(pool, gemm_pool_fn, &pj);
	} else if (!st) {
		gemm_job_run(&jobs[0]);
	}
	for (unsigned t = 1; t <= started; t++)
		pthread_join(jobs[t].tid, NULL);
	for (unsigned t = 0; t < threads && !st; t++)
		if (jobs[t].st)
			st = ts_err(d, jobs[t].st, "%s", jobs[t].diag.msg);
	free(jobs);
	return st;
}

/* ---- public entry points ----------------------------------------------------------------- */

/* int8 kernels: int8, uint8 or int4 A (int4 values are int8 values, its zero point in
 * -8..7 an int8 one) x int8 or int4 B. */
static int int8_types(const ts_gemm_args *g)
{
	return (g->a_type == TS_Q_INT8 || g->a_type == TS_Q_UINT8 || g->a_type == TS_Q_INT4) &&
	       (g->b_type == TS_Q_INT8 || g->b_type == TS_Q_INT4);
}

static ts_status gemm_dispatch(const ts_gemm_args *g, ts_isa isa, unsigned threads,
			       uint64_t min_macs, ts_kernel_pool *pool, ts_diag *d)
{
	ts_status st = ts_gemm_check(g, d);
	if (st)
		return st;
	if (!ts_isa_supported(isa))
		return ts_err(d, TS_ERR_INPUT, "gemm: this CPU does not support %s", ts_isa_name(isa));
	int int8 = int8_types(g);
	if (!int8 && isa == TS_ISA_SCALAR)
		return ts_ref_gemm(g, d); /* int16: the scalar path is the reference */
	ts_ukernel u;
	switch (isa) {
	case TS_ISA_SCALAR: ts_ukernel_scalar(&u); break;
	case TS_ISA_AVX2: int8 ? ts_ukernel_avx2(&u) : ts_ukernel16_avx2(&u); break;
	case TS_ISA_AVX512VNNI: int8 ? ts_ukernel_avx512(&u) : ts_ukernel16_avx512(&u); break;
	default:
		return ts_err(d, TS_ERR_UNSUPPORTED, "gemm: no %s kernel in tessera", ts_isa_name(isa));
	}
	if (int8 || g->a_type == TS_Q_INT16 || g->m == 0 || g->k == 0)
		return gemm_fast(g, &u, threads ? threads : 1, min_macs, pool, d);
	/* int16 B with an int8 / uint8 / int4 A: the int16 kernels read A as int16, so A is
	 * widened once (M x K, against the M x N x K products) */
	int16_t *a16 = malloc(g->m * g->k * sizeof *a16);
	if (!a16)
		return ts_err(d, TS_ERR_NOMEM, "gemm: out of memory");
	for (size_t i = 0; i < g->m; i++)
		for (size_t p = 0; p < g->k; p++)
			a16[i * g->k + p] = (int16_t)ts_kern_load(g->a, i * g->lda + p, g->a_type);
	ts_gemm_args w = *g;
	w.a_type = TS_Q_INT16;
	w.a = a16;
	w.lda = g->k;
	st = gemm_fast(&w, &u, threads ? threads : 1, min_macs, pool, d);
	free(a16);
	return st;
}

ts_status ts_gemm_isa(const ts_gemm_args *g, ts_isa isa, unsigned threads, ts_diag *d)
{
	return gemm_dispatch(g, isa, threads, 0, NULL, d);
}

ts_status ts_gemm_isa_pool(const ts_gemm_args *g, ts_isa isa, ts_kernel_pool *pool,
			   unsigned threads, ts_diag *d)
{
	return gemm_dispatch(g, isa, threads, 0, pool, d);
}

/* ISA, threads, pool and the per-thread minimum work of a ts_kernel_ctx (NULL: auto). */
static ts_status ctx_resolve(const ts_kernel_ctx *ctx, ts_isa *isa, unsigned *threads,
			     ts_kernel_pool **pool, uint64_t *min_macs, ts_diag *d)
{
	*isa = ctx ? ctx->isa : TS_ISA_AUTO;
	*threads = ctx ? ctx->threads : 0;
	*pool = ctx ? ctx->pool : NULL;
	if (!*threads && *pool)
		*threads = ts_kernel_pool_size(*pool);
	if (!*threads) {
		ts_status st = ts_kernel_threads_env(threads, d);
		if (st)
			return st;
	}
	if (*isa == TS_ISA_AUTO) {
		ts_status st = ts_isa_select(isa, d);
		if (st)
			return st;
	}
	*min_macs = *pool ? GEMM_MIN_MACS_PER_POOL_THREAD : GEMM_MIN_MACS_PER_THREAD;
	return TS_OK;
}

ts_status ts_gemm(const ts_gemm_args *g, const ts_kernel_ctx *ctx, ts_diag *d)
{
	ts_isa isa;
	unsigned threads;
	ts_kernel_pool *pool;
	uint64_t min_macs;
	ts_status st = ctx_resolve(ctx, &isa, &threads, &pool, &min_macs, d);
	return st ? st : gemm_dispatch(g, isa, threads, min_macs, pool, d);
}

/* ---- binary ------------------------------------------------------------------------------ */

static ts_status binary_dispatch(size_t m, size_t n, size_t k, const uint8_t *a, size_t lda,
				 const uint8_t *b, size_t ldb, int32_t *c, size_t ldc, int accumulate,
				 ts_isa isa, unsigned threads, uint64_t min_macs, ts_kernel_pool *pool,
				 ts_diag *d)
{
	ts_status st = ts_gemm_binary_check(m, n, k, lda, ldb, ldc, d);
	if (st)
		return st;
	if (!ts_isa_supported(isa))
		return ts_err(d, TS_ERR_INPUT, "gemm_binary: this CPU does not support %s", ts_isa_name(isa));
	ts_ukernel u;
	switch (isa) {
	case TS_ISA_SCALAR:
		return ts_ref_gemm_binary(m, n, k, a, lda, b, ldb, c, ldc, accumulate, d);
	case TS_ISA_AVX2: ts_ukernel_bin_avx2(&u); break;
	case TS_ISA_AVX512VNNI:
		/* the avx512vnni tier does not imply VPOPCNTQ; without it a nibble lookup */
		ts_ukernel_bin_avx512(&u, ts_cpu_has_vpopcntdq());
		break;
	default:
		return ts_err(d, TS_ERR_UNSUPPORTED, "gemm_binary: no %s kernel in tessera", ts_isa_name(isa));
	}
	ts_gemm_args g = { .m = m, .n = n, .k = k, .a_type = TS_Q_BINARY, .a = a, .lda = lda,
			   .b_type = TS_Q_BINARY, .b = b, .ldb = ldb, .c = c, .ldc = ldc,
			   .accumulate = accumulate };
	return gemm_fast(&g, &u, threads ? threads : 1, min_macs, pool, d);
}

ts_status ts_gemm_binary(size_t m, size_t n, size_t k, const uint8_t *a, size_t lda,
			 const uint8_t *b, size_t ldb, int32_t *c, size_t ldc, int accumulate,
			 const ts_kernel_ctx *ctx, ts_diag *d)
{
	ts_isa isa;
	unsigned threads;
	ts_kernel_pool *pool;
	uint64_t min_macs;
	ts_status st = ctx_resolve(ctx, &isa, &threads, &pool, &min_macs, d);
	return st ? st : binary_dispatch(m, n, k, a, lda, b, ldb, c, ldc, accumulate, isa, threads,
					 min_macs, pool, d);
}

ts_status ts_gemm_binary_isa(size_t m, size_t n, size_t k, const uint8_t *a, size_t lda,
			     const uint8_t *b, size_t ldb, int32_t *c, size_t ldc, int accumulate,
			     ts_isa isa, ts_kernel_pool *pool, unsigned threads, ts_diag *d)
{
	return binary_dispatch(m, n, k, a, lda, b, ldb, c, ldc, accumulate, isa, threads, 0, pool, d);
}

/* ---- LightPE ----------------------------------------------------------------------------- */

/* The golden model adds s * (a << e) per term, with a = A - a_zp as int32 and the shift on
 * the two's-complement pattern: a << e = a * 2^e modulo 2^32 for negative a too, so the
 * terms of a code sum to a * w (mod 2^32) with w = t1 (+ t2) = ts_lightpe_decode(code), and
 * the whole GEMM equals ts_ref_gemm of A and the decoded weights (b_zp 0), bit for bit.
 * The codes are decoded once per call (a K x N table lookup, against the M x N x K
 * products) into int8 when every weight fits (lightpe1: -64..64 always; lightpe2:
 * -128..128, all but 128 = 0x77), else int16; the GEMM then runs the int8 or int16
 * kernels. */
static ts_status lightpe_dispatch(const ts_gemm_args *g, ts_isa isa, unsigned threads,
				  uint64_t min_macs, ts_kernel_pool *pool, ts_diag *d)
{
	ts_status st = ts_gemm_lightpe_check(g, d);
	if (st)
		return st;
	if (!ts_isa_supported(isa))
		return ts_err(d, TS_ERR_INPUT, "gemm_lightpe: this CPU does not support %s", ts_isa_name(isa));
	if (isa == TS_ISA_SCALAR)
		return ts_ref_gemm_lightpe(g, d);
	int16_t value[256];
	for (unsigned code = 0; code < 256; code++)
		value[code] = (int16_t)ts_lightpe_decode((uint8_t)code, g->b_type);
	const uint8_t *codes = g->b;
	size_t k = g->k, n = g->n;
	int fits8 = 1;
	for (size_t p = 0; p < k && fits8; p++)
		for (size_t j = 0; j < n; j++)
			if (value[codes[p * g->ldb + j]] > 127) {
				fits8 = 0;
				break;
			}
	void *w = malloc(k * n * (fits8 ? 1 : 2) + 1);
	if (!w)
		return ts_err(d, TS_ERR_NOMEM, "gemm_lightpe: out of memory");
	for (size_t p = 0; p < k; p++)
		for (size_t j = 0; j < n; j++) {
			int16_t v = value[codes[p * g->ldb + j]];
			if (fits8)
				((int8_t *)w)[p * n + j] = (int8_t)v;
			else
				((int16_t *)w)[p * n + j] = v;
		}
	ts_gemm_args gw = *g;
	gw.b_type = fits8 ? TS_Q_INT8 : TS_Q_INT16;
	gw.b = w;
	gw.ldb = n;
	gw.b_zp = 0;
	st = gemm_dispatch(&gw, isa, threads, min_macs, pool, d);
	free(w);
	return st;
}

ts_status ts_gemm_lightpe(const ts_gemm_args *g, const ts_kernel_ctx *ctx, ts_diag *d)
{
	ts_isa isa;
	unsigned threads;
	ts_kernel_pool *pool;
	uint64_t min_macs;
	ts_status st = ctx_resolve(ctx, &isa, &threads, &pool, &min_macs, d);
	return st ? st : lightpe_dispatch(g, isa, threads, min_macs, pool, d);
}

ts_status ts_gemm_lightpe_isa(const ts_gemm_args *g, ts_isa isa, ts_kernel_pool *pool,
			      unsigned threads, ts_diag *d)
{
	return lightpe_dispatch(g, isa, threads, 0, pool, d);
}
