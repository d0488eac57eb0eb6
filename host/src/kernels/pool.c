/* pool.c — a persistent worker pool for the kernels (ts_kernel_pool): starting threads
 * per GEMM costs tens of microseconds, more than a small layer takes. Workers spin
 * briefly after a job (back-to-back layers hand over in about a microsecond), then sleep. */
#include <immintrin.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "kernels/kernels_internal.h"

/* Spin iterations (PAUSE) before sleeping: tens of microseconds. */
#define POOL_SPIN 2000

struct ts_kernel_pool {
	unsigned n;                 /* threads including the caller */
	pthread_t *tids;
	pthread_mutex_t mu;
	pthread_cond_t cv_work, cv_done;
	atomic_uint gen;            /* job generation: a change means "run fn" */
	atomic_uint pending;        /* workers still running the current job */
	atomic_int stop;
	void (*fn)(void *arg, unsigned idx);
	void *arg;
	struct worker { struct ts_kernel_pool *pool; unsigned idx; } *workers;
};

static void *worker_main(void *p)
{
	struct worker *w = p;
	ts_kernel_pool *pool = w->pool;
	unsigned seen = 0;
	for (;;) {
		unsigned g;
		int spins = 0;
		while ((g = atomic_load(&pool->gen)) == seen && !atomic_load(&pool->stop) &&
		       spins++ < POOL_SPIN)
			_mm_pause();
		if (g == seen) {
			pthread_mutex_lock(&pool->mu);
			while ((g = atomic_load(&pool->gen)) == seen && !atomic_load(&pool->stop))
				pthread_cond_wait(&pool->cv_work, &pool->mu);
			pthread_mutex_unlock(&pool->mu);
		}
		if (atomic_load(&pool->stop))
			return NULL;
		seen = g;
		pool->fn(pool->arg, w->idx);
		if (atomic_fetch_sub(&pool->pending, 1) == 1) {
			pthread_mutex_lock(&pool->mu);
			pthread_cond_signal(&pool->cv_done);
			pthread_mutex_unlock(&pool->mu);
		}
	}
}

ts_status ts_kernel_pool_new(unsigned threads, ts_kernel_pool **out, ts_diag *d)
{
	*out = NULL;
	if (threads < 1 || threads > 256)
		return ts_err(d, TS_ERR_INPUT, "kernel pool: %u threads; must be 1..256", threads);
	ts_kernel_pool *p = calloc(1, sizeof *p);
	if (!p)
		return ts_err(d, TS_ERR_NOMEM, "kernel pool: out of memory");
	p->n = threads;
	p->tids = calloc(threads, sizeof *p->tids);
	p->workers = calloc(threads, sizeof *p->workers);
	if (!p->tids || !p->workers) {
		free(p->tids);
		free(p->workers);
		free(p);
		return ts_err(d, TS_ERR_NOMEM, "kernel pool: out of memory");
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv_work, NULL);
	pthread_cond_init(&p->cv_done, NULL);
	atomic_init(&p->gen, 0);
	atomic_init(&p->pending, 0);
	atomic_init(&p->stop, 0);
	for (unsigned i = 1; i < threads; i++) {
		p->workers[i].pool = p;
		p->workers[i].idx = i;
		if (pthread_create(&p->tids[i], NULL, worker_main, &p->workers[i]) != 0) {
			p->n = i; /* free() joins the ones started */
			ts_kernel_pool_free(p);
			return ts_err(d, TS_ERR_INTERNAL, "kernel pool: cannot start thread %u", i);
		}
	}
	*out = p;
	return TS_OK;
}

void ts_kernel_pool_free(ts_kernel_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->stop, 1);
	pthread_cond_broadcast(&p->cv_work);
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 1; i < p->n; i++)
		pthread_join(p->tids[i], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv_work);
	pthread_cond_destroy(&p->cv_done);
	free(p->tids);
	free(p->workers);
	free(p);
}

unsigned ts_kernel_pool_size(const ts_kernel_pool *p)
{
	return p ? p->n : 1;
}

void ts_pool_run(ts_kernel_pool *p, void (*fn)(void *arg, unsigned idx), void *arg)
{
	if (p->n <= 1) {
		fn(arg, 0);
		return;
	}
	p->fn = fn;
	p->arg = arg;
	atomic_store(&p->pending, p->n - 1);
	pthread_mutex_lock(&p->mu);
	atomic_fetch_add(&p->gen, 1); /* publishes fn and arg */
	pthread_cond_broadcast(&p->cv_work);
	pthread_mutex_unlock(&p->mu);
	fn(arg, 0);
	int spins = 0;
	while (atomic_load(&p->pending) && spins++ < POOL_SPIN)
		_mm_pause();
	if (atomic_load(&p->pending)) {
		pthread_mutex_lock(&p->mu);
		while (atomic_load(&p->pending))
			pthread_cond_wait(&p->cv_done, &p->mu);
		pthread_mutex_unlock(&p->mu);
	}
}
