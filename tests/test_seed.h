/* test_seed.h — the seed of every randomized cmocka suite.
 *
 * The seed comes from env TS_SEED (decimal, or 0x hex), else the time; it is printed on
 * stderr before any random case runs, so a failure can be replayed with TS_SEED=<seed>.
 * Each suite keeps its own small generator, seeded from this value. */
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

#endif
