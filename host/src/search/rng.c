/* rng.c — the searchers' one source of randomness: xoshiro256** seeded by
 * splitmix64 from (seed, stream), so a seed fixes a whole run and two streams
 * of one seed do not overlap in practice; uniform, bounded and normal draws. */
#include <math.h>

#include "search/search_internal.h"

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

void ts_rng_seed(ts_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ull);
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t ts_rng_next(ts_rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return result;
}

double ts_rng_normal(ts_rng *r)
{
	double u1 = ts_rng_unif(r), u2 = ts_rng_unif(r);
	return sqrt(-2.0 * log(1.0 - u1)) * cos(6.283185307179586 * u2);
}
