/* test_seed.h — the seed of every randomized cmocka suite.
 *
 * The seed comes from env TS_SEED (decimal, or 0x hex), else the time; it is printed on
 * stderr before any random case runs, so a failure can be replayed with TS_SEED=<seed>.
 * rng_seed / rng_next / rng_unif / rng_range: the suites' generator (xorshift64, one
 * state per test binary); a suite with other needs keeps its own, seeded from this value. */
#ifndef TS_TEST_SEED_H
#define TS_TEST_SEED_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline uint64_t ts_test_seed(const char *suite)
{
	const char *env = getenv("TS_SEED");
	uint64_t seed = env && *env ? strtoull(env, NULL, 0) : (uint64_t)time(NULL);
	fprintf(stderr, "%s: seed %llu (TS_SEED=%llu reproduces)\n", suite, (unsigned long long)seed,
		(unsigned long long)seed);
	return seed;
}

static uint64_t rng_state = 1;

/* Seeds the generator from a seed value (the same mapping in every suite). */
static inline void rng_seed(uint64_t seed)
{
	rng_state = seed * 2654435761u + 0x9E3779B97F4A7C15ull;
	if (!rng_state)
		rng_state = 1;
}

static inline uint64_t rng_next(void)
{
	uint64_t x = rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return rng_state = x;
}

/* Uniform in [0, 1). */
static inline double rng_unif(void)
{
	return (double)(rng_next() >> 11) / 9007199254740992.0;
}

/* Uniform in [lo, hi], inclusive. */
static inline int64_t rng_range(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next() % (uint64_t)(hi - lo + 1));
}

#endif
