/* tb_tile.cpp — C-simulation testbench of the compute tile (ts_tile.h): random tiles and
 * edge cases through ts_tile, every output compared with the golden model of libtessera
 * (ts_ref_gemm, the accumulator wrapped to ACC_BITS, then ts_requant_acc: the STORE).
 *
 *   tb_tile [--tiles N] [--seed S]     (seed: --seed, else TS_SEED, else the time)
 *
 * Prints the seed and the configuration, the first mismatches (tile, element, inputs), then
 * "hls csim: N tiles, M outputs, X mismatches"; exit 0 only when X is 0 and the tiles
 * covered what they must (with 100 tiles or more: unclamped outputs, rounding ties, wrapped
 * accumulators when the configuration can wrap) and every refusal is right. Bad arguments: a message and exit 2.
 * Built with g++ and run by `make check-hls`; Vitis HLS runs it as csim_design
 * (hls/vitis_hls.tcl). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vector>

#include "ts_tile.h"

extern "C" {
#include "tessera/kernels.h"
#include "tessera/quant.h"
}

namespace {

constexpr int R = TS_TILE_ROWS, C = TS_TILE_COLS, M_MAX = TS_TILE_M_MAX, K_MAX = TS_TILE_K_MAX;
constexpr int BITS = TS_TILE_BITS, ACC_BITS = TS_TILE_ACC_BITS;
constexpr int QMIN = TS_TILE_QMIN, QMAX = TS_TILE_QMAX;
constexpr int MAX_REPORTS = 10;
const ts_tile_elem_t SENTINEL = (ts_tile_elem_t)0x5a;
const char *const pe_names[] = {
#define TS_PE_TYPE(name, code, config_name, wbits, abits, product_bits, what) config_name,
#include "tessera/pe.def"
#undef TS_PE_TYPE
};

/* splitmix64: small, seedable, the same stream on every machine. */
struct rng {
	uint64_t s;
	uint64_t next()
	{
		uint64_t z = (s += 0x9e3779b97f4a7c15ull);
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		return z ^ (z >> 31);
	}
	/* uniform in lo..hi (inclusive) */
	int64_t range(int64_t lo, int64_t hi) { return lo + (int64_t)(next() % (uint64_t)(hi - lo + 1)); }
	bool chance(int percent) { return range(0, 99) < percent; }
};

ts_qtype golden_type()
{
	return TS_TILE_PE_CODE == ts_hls::PE_INT16 ? TS_Q_INT16 : TS_TILE_PE_CODE == ts_hls::PE_INT4 ? TS_Q_INT4 : TS_Q_INT8;
}

/* The accumulator as the hardware holds it: the golden model's int32 sum modulo
 * 2^ACC_BITS, sign-extended (ACC_BITS <= 32, so the int32 wrap loses nothing). */
int64_t acc_sext(int32_t v)
{
	uint64_t u = (uint64_t)(uint32_t)v & (((uint64_t)1 << ACC_BITS) - 1);
	return u >> (ACC_BITS - 1) ? (int64_t)u - ((int64_t)1 << ACC_BITS) : (int64_t)u;
}

/* Element distributions of a tile's operands. */
enum fill_kind { FILL_UNIFORM, FILL_MAX, FILL_MIN, FILL_EXTREMES, FILL_SMALL, FILL_KINDS };
const char *const fill_names[] = { "uniform", "max", "min", "extremes", "small" };

ts_tile_elem_t element(rng &g, fill_kind f)
{
	switch (f) {
	case FILL_MAX: return (ts_tile_elem_t)QMAX;
	case FILL_MIN: return (ts_tile_elem_t)QMIN;
	case FILL_EXTREMES: return (ts_tile_elem_t)(g.chance(50) ? QMIN : QMAX);
	case FILL_SMALL: return (ts_tile_elem_t)g.range(-3 > QMIN ? -3 : QMIN, 3);
	default: return (ts_tile_elem_t)g.range(QMIN, QMAX);
	}
}

/* How a tile's requantization parameters are picked. */
enum rq_kind { RQ_SCALED, RQ_TIES, RQ_RANDOM, RQ_SHIFT0, RQ_SHIFT63, RQ_EXTREME, RQ_KINDS };
const char *const rq_names[] = { "scaled", "ties", "random", "shift0", "shift63", "extreme" };

/* One record. scaled: the scale that maps the tile's largest |acc + bias| onto about the
 * output range (ts_requant_from_scale); ties: mult a power of two and a small shift, so
 * that many products end in exactly one half; the others stress the arithmetic. */
ts_tile_qrec pick_qrec(rng &g, rq_kind kind, int64_t max_abs)
{
	ts_tile_qrec q;
	q.bias = (int32_t)g.range(-1000, 1000);
	q.mult = (uint32_t)g.range(1, 0x7fffffff);
	q.shift = (uint32_t)g.range(1, 62);
	switch (kind) {
	case RQ_SCALED: {
		double scale = (double)(QMAX - QMIN) / (double)(2 * (max_abs + 1000) + 1) * (0.25 + g.range(0, 300) / 100.0);
		int32_t mult = 1;
		int shift = 1;
		if (ts_requant_from_scale(scale, &mult, &shift, NULL) == TS_OK) {
			q.mult = (uint32_t)mult;
			q.shift = (uint32_t)shift;
		}
		break;
	}
	case RQ_TIES: {
		unsigned j = (unsigned)g.range(0, 20);
		q.mult = 1u << j;
		q.shift = j + (unsigned)g.range(1, 3);
		q.bias = (int32_t)g.range(-5, 5);
		break;
	}
	case RQ_SHIFT0:
		q.shift = 0;
		q.mult = (uint32_t)g.range(0, 3);
		break;
	case RQ_SHIFT63:
		q.shift = 63;
		break;
	case RQ_EXTREME:
		q.bias = g.chance(50) ? INT32_MIN : INT32_MAX;
		q.mult = g.chance(50) ? 0x7fffffffu : 0xffffffffu; /* bit 31 is ignored */
		q.shift = (uint32_t)g.range(0, 63);
		break;
	default:
		break;
	}
	/* the hardware ignores bit 31 of mult and the shift's bits above 5: set some */
	if (g.chance(10))
		q.mult |= 0x80000000u;
	if (g.chance(10))
		q.shift |= 0x40u << g.range(0, 3);
	return q;
}

struct stats {
	long tiles = 0, outputs = 0, mismatches = 0, unclamped = 0, ties = 0, wrapped = 0;
	int reports = 0;
};

struct tile_case {
	int m, k, n, zp, lo, hi;
	fill_kind fa, fw;
	rq_kind rq;
	bool per_channel, relu;
};

/* Run one tile through ts_tile and the golden model; count and report mismatches. */
void run_tile(rng &g, const tile_case &t, long index, uint64_t seed, stats &st)
{
	std::vector<ts_tile_elem_t> a((size_t)t.m * t.k), w((size_t)t.k * t.n);
	for (auto &v : a)
		v = element(g, t.fa);
	for (auto &v : w)
		v = element(g, t.fw);

	/* golden accumulators */
	std::vector<int32_t> acc32((size_t)t.m * t.n);
	ts_gemm_args ga;
	memset(&ga, 0, sizeof ga);
	ga.m = (size_t)t.m;
	ga.n = (size_t)t.n;
	ga.k = (size_t)t.k;
	ga.a_type = ga.b_type = golden_type();
	ga.a = a.data();
	ga.lda = (size_t)t.k;
	ga.b = w.data();
	ga.ldb = (size_t)t.n;
	ga.c = acc32.data();
	ga.ldc = (size_t)t.n;
	ts_diag d;
	ts_diag_clear(&d);
	if (ts_ref_gemm(&ga, &d) != TS_OK) {
		fprintf(stderr, "tb_tile: golden gemm refused tile %ld: %s\n", index, d.msg);
		st.mismatches++;
		return;
	}
	/* coverage only: the exact sums, to count the accumulators that wrapped */
	int64_t max_abs = 0;
	for (int i = 0; i < t.m; i++)
		for (int j = 0; j < t.n; j++) {
			int64_t exact = 0;
			for (int p = 0; p < t.k; p++)
				exact += (int64_t)a[(size_t)i * t.k + p] * w[(size_t)p * t.n + j];
			int64_t s = acc_sext(acc32[(size_t)i * t.n + j]);
			if (s != exact)
				st.wrapped++;
			if ((s < 0 ? -s : s) > max_abs)
				max_abs = s < 0 ? -s : s;
		}

	std::vector<ts_tile_qrec> qtab((size_t)C);
	ts_tile_qrec shared = pick_qrec(g, t.rq, max_abs);
	for (int j = 0; j < C; j++)
		qtab[(size_t)j] = t.per_channel ? pick_qrec(g, t.rq, max_abs) : shared;

	/* out has a guard region: the tile writes exactly m x n elements */
	const size_t guard = 16;
	std::vector<ts_tile_elem_t> out((size_t)t.m * t.n + guard, SENTINEL);
	int rc = ts_tile(a.data(), w.data(), qtab.data(), out.data(), t.m, t.k, t.n, t.zp, t.lo, t.hi);
	st.tiles++;
	if (rc != ts_hls::ERR_NONE) {
		printf("MISMATCH tile %ld (seed %llu): ts_tile returned %d for a valid tile m %d k %d n %d\n", index,
		       (unsigned long long)seed, rc, t.m, t.k, t.n);
		st.mismatches += (long)t.m * t.n;
		return;
	}
	for (size_t i = (size_t)t.m * t.n; i < out.size(); i++)
		if (out[i] != SENTINEL) {
			printf("MISMATCH tile %ld (seed %llu): ts_tile wrote past m x n = %d (element %zu)\n", index,
			       (unsigned long long)seed, t.m * t.n, i);
			st.mismatches++;
			break;
		}
	for (int i = 0; i < t.m; i++)
		for (int j = 0; j < t.n; j++) {
			const ts_tile_qrec &q = qtab[(size_t)j];
			int64_t acc = acc_sext(acc32[(size_t)i * t.n + j]);
			int32_t want = ts_requant_acc(acc, q.bias, (int32_t)q.mult, q.shift, t.zp, t.lo, t.hi, NULL);
			int32_t got = out[(size_t)i * t.n + j];
			st.outputs++;
			if (want > t.lo && want < t.hi)
				st.unclamped++;
			/* an exact tie: the product's bits below the shift are exactly one half */
			unsigned sh = q.shift & 63;
			__int128 p = ((__int128)acc + q.bias) * (int64_t)(q.mult & 0x7fffffffu);
			if (sh && (p & ((((__int128)1) << sh) - 1)) == (((__int128)1) << (sh - 1)))
				st.ties++;
			if (got != want) {
				st.mismatches++;
				if (st.reports++ < MAX_REPORTS)
					printf("MISMATCH tile %ld (seed %llu) [%d][%d]: hls %ld, golden %ld; m %d k %d n %d, "
					       "a %s, w %s, rq %s %s, acc %lld bias %ld mult 0x%08lx shift %lu zp %d lo %d hi %d\n",
					       index, (unsigned long long)seed, i, j, (long)got, (long)want, t.m, t.k, t.n,
					       fill_names[t.fa], fill_names[t.fw], rq_names[t.rq],
					       t.per_channel ? "per-channel" : "per-tensor", (long long)acc, (long)q.bias,
					       (unsigned long)q.mult, (unsigned long)q.shift, t.zp, t.lo, t.hi);
			}
		}
}

/* A random tile; the first ones pin the size edges. */
tile_case pick_case(rng &g, long index)
{
	tile_case t;
	static const int edge_sizes[][3] = {
		{ 1, 1, 1 }, { M_MAX, K_MAX, C }, { 1, K_MAX, 1 }, { M_MAX, 1, C },
		{ 1, R, C }, { 2, R + 1, C }, { 3, R - 1 > 0 ? R - 1 : 1, 1 }, { M_MAX, K_MAX - 1 > 0 ? K_MAX - 1 : 1, C - 1 > 0 ? C - 1 : 1 },
	};
	const long n_edges = (long)(sizeof edge_sizes / sizeof edge_sizes[0]);
	if (index < n_edges) {
		t.m = edge_sizes[index][0];
		t.k = edge_sizes[index][1];
		t.n = edge_sizes[index][2];
	} else {
		t.m = (int)g.range(1, g.chance(20) ? M_MAX : (M_MAX < 8 ? M_MAX : 8));
		t.k = (int)g.range(1, g.chance(30) ? K_MAX : (K_MAX < 3 * R ? K_MAX : 3 * R));
		t.n = (int)g.range(1, C);
	}
	t.fa = (fill_kind)g.range(0, FILL_KINDS - 1);
	t.fw = (fill_kind)g.range(0, FILL_KINDS - 1);
	if (g.chance(50))
		t.fa = t.fw = FILL_UNIFORM;
	/* the largest sums of either sign: the accumulator wraps where it can */
	if (index == 1)
		t.fa = t.fw = FILL_MIN;
	if (index == 2) {
		t.fa = FILL_MAX;
		t.fw = FILL_MIN;
	}
	t.rq = (rq_kind)g.range(0, RQ_KINDS - 1);
	if (g.chance(50))
		t.rq = RQ_SCALED;
	t.per_channel = g.chance(60);
	/* zero points: mostly inside the output range (negative ones too), sometimes any int16 */
	t.zp = g.chance(90) ? (int)g.range(QMIN, QMAX) : (int)g.range(-32768, 32767);
	if (g.chance(10))
		t.zp = g.chance(50) ? -32768 : 32767;
	/* ReLU: the clamp starts at the zero point */
	t.relu = g.chance(40);
	t.lo = QMIN;
	t.hi = QMAX;
	if (t.relu)
		t.lo = t.zp < QMIN ? QMIN : t.zp > QMAX ? QMAX : t.zp;
	else if (g.chance(20))
		t.lo = (int)g.range(QMIN, QMAX);
	if (g.chance(20))
		t.hi = (int)g.range(t.lo, QMAX);
	return t;
}

/* The refusals: status code, and nothing written. */
int check_refusals(stats &st)
{
	struct bad_call {
		int m, k, n, zp, lo, hi, want;
		const char *what;
	} calls[] = {
		{ 0, 1, 1, 0, QMIN, QMAX, ts_hls::ERR_ZERO_LENGTH, "m = 0" },
		{ 1, 0, 1, 0, QMIN, QMAX, ts_hls::ERR_ZERO_LENGTH, "k = 0" },
		{ 1, 1, 0, 0, QMIN, QMAX, ts_hls::ERR_ZERO_LENGTH, "n = 0" },
		{ -1, 1, 1, 0, QMIN, QMAX, ts_hls::ERR_ZERO_LENGTH, "m = -1" },
		{ 1, 1, C + 1, 0, QMIN, QMAX, ts_hls::ERR_TILE_RANGE, "n = COLS + 1" },
		{ M_MAX + 1, 1, 1, 0, QMIN, QMAX, ts_hls::ERR_SPAD_RANGE, "m = M_MAX + 1" },
		{ 1, K_MAX + 1, 1, 0, QMIN, QMAX, ts_hls::ERR_SPAD_RANGE, "k = K_MAX + 1" },
		{ 1, 1, 1, 0, QMIN - 1, QMAX, ts_hls::ERR_BAD_OPCODE, "lo = QMIN - 1" },
		{ 1, 1, 1, 0, QMIN, QMAX + 1, ts_hls::ERR_BAD_OPCODE, "hi = QMAX + 1" },
		{ 1, 1, 1, 0, 1, 0, ts_hls::ERR_BAD_OPCODE, "lo > hi" },
		{ 1, 1, 1, 32768, QMIN, QMAX, ts_hls::ERR_BAD_OPCODE, "zp = 32768" },
		{ 1, 1, 1, -32769, QMIN, QMAX, ts_hls::ERR_BAD_OPCODE, "zp = -32769" },
		{ 0, 1, 1, 0, 1, 0, ts_hls::ERR_BAD_OPCODE, "lo > hi before m = 0" },
	};
	std::vector<ts_tile_elem_t> a((size_t)(M_MAX + 1) * (K_MAX + 1), 1), w((size_t)(K_MAX + 1) * (C + 1), 1);
	std::vector<ts_tile_qrec> q((size_t)C + 1, ts_tile_qrec{ 0, 1, 1 });
	int failed = 0;
	for (const bad_call &b : calls) {
		std::vector<ts_tile_elem_t> out((size_t)(M_MAX + 1) * (C + 1), SENTINEL);
		int rc = ts_tile(a.data(), w.data(), q.data(), out.data(), b.m, b.k, b.n, b.zp, b.lo, b.hi);
		bool untouched = true;
		for (ts_tile_elem_t v : out)
			untouched = untouched && v == SENTINEL;
		if (rc != b.want || !untouched) {
			printf("REFUSAL %s: ts_tile returned %d (want %d), %s\n", b.what, rc, b.want,
			       untouched ? "nothing written" : "and wrote to out");
			failed++;
		}
	}
	st.mismatches += failed;
	printf("hls csim: %d refusals checked, %d wrong\n", (int)(sizeof calls / sizeof calls[0]), failed);
	return failed;
}

bool parse_u64(const char *s, uint64_t *v)
{
	if (!s || !*s)
		return false;
	char *end;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (*end || errno || s[0] == '-')
		return false;
	*v = x;
	return true;
}

} // namespace

int main(int argc, char **argv)
{
	uint64_t tiles = 3000, seed = (uint64_t)time(NULL);
	const char *env = getenv("TS_SEED");
	if (env && *env && !parse_u64(env, &seed)) {
		fprintf(stderr, "tb_tile: TS_SEED '%s' must be a non-negative integer\n", env);
		return 2;
	}
	for (int i = 1; i < argc; i += 2) {
		uint64_t *dst = !strcmp(argv[i], "--tiles") ? &tiles : !strcmp(argv[i], "--seed") ? &seed : NULL;
		if (!dst) {
			fprintf(stderr, "tb_tile: unknown argument '%s' (usage: tb_tile [--tiles N] [--seed S])\n", argv[i]);
			return 2;
		}
		if (i + 1 >= argc || !parse_u64(argv[i + 1], dst) || (dst == &tiles && (tiles < 1 || tiles > 1000000))) {
			fprintf(stderr, "tb_tile: %s needs %s\n", argv[i],
				dst == &tiles ? "a tile count 1..1000000" : "a non-negative integer seed");
			return 2;
		}
	}
	printf("hls csim: seed %llu (TS_SEED=%llu reproduces); %s %dx%d, acc %d bits, M_MAX %d, K_MAX %d\n",
	       (unsigned long long)seed, (unsigned long long)seed, pe_names[TS_TILE_PE_CODE], R, C, ACC_BITS, M_MAX, K_MAX);

	stats st;
	rng g{ seed };
	for (uint64_t i = 0; i < tiles; i++) {
		tile_case t = pick_case(g, (long)i);
		run_tile(g, t, (long)i, seed, st);
	}
	int refusals_wrong = check_refusals(st);

	/* Coverage the tiles must have had, else the comparison proves less than it says. */
	int weak = 0;
	bool can_wrap = (((int64_t)1 << (2 * BITS - 2)) * K_MAX) >= ((int64_t)1 << (ACC_BITS - 1));
	printf("hls csim: %ld unclamped outputs, %ld exact rounding ties, %ld wrapped accumulators%s\n", st.unclamped,
	       st.ties, st.wrapped, can_wrap ? "" : " (this configuration cannot wrap)");
	if (st.unclamped * 5 < st.outputs) {
		printf("COVERAGE: fewer than a fifth of the outputs are strictly inside the clamp range\n");
		weak++;
	}
	if (st.ties < 100) {
		printf("COVERAGE: fewer than 100 exact rounding ties\n");
		weak++;
	}
	if (can_wrap && st.wrapped == 0) {
		printf("COVERAGE: no accumulator wrapped at %d bits\n", ACC_BITS);
		weak++;
	}
	printf("hls csim: %ld tiles, %ld outputs, %ld mismatches\n", st.tiles, st.outputs, st.mismatches);
	if (st.mismatches || refusals_wrong)
		return 1;
	if (weak && tiles >= 100)
		return 1;
	return 0;
}
