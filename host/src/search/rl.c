/* rl.c — REINFORCE with ConfuciuX's policy, written out in C on OpenBLAS.
 *
 * Policy per step (one layer): state -> tanh MLP -> LSTM cell -> two softmax
 * heads (PE level, buffer level). Episodes of a batch run in lockstep so every
 * product is a cblas_sgemm over the batch; the gradient is backpropagated
 * through time by hand (checked against finite differences in
 * tests/test_search.c). Update: Adam. Reward per step: minus the layer's
 * objective term (normalized); once the running constraint plus the cheapest
 * choices of the remaining layers exceeds the budget, a penalty and the rest of
 * the episode takes the cheapest choices (so the design is infeasible). */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "search/search_internal.h"

struct ts_policy {
	uint32_t in, mlp, hid, act;
	size_t np;
	float *w, *g;         /* parameters and gradient */
	float *m, *v;         /* Adam moments */
	uint64_t adam_t;
	float entropy;        /* weight of the entropy bonus (keeps the policy exploring) */
	/* views into w (and the same offsets into g) */
	size_t o_w1, o_b1, o_wx, o_wh, o_bg, o_wp, o_bp, o_wb, o_bb;
	/* activation workspace (B x T) */
	size_t ws_bt;
	float *x1, *gates, *cell, *hid_out, *p0, *p1;
};

static void policy_layout(ts_policy *pl)
{
	size_t o = 0;
	const size_t H4 = 4 * (size_t)pl->hid;
	pl->o_w1 = o, o += (size_t)pl->mlp * pl->in;
	pl->o_b1 = o, o += pl->mlp;
	pl->o_wx = o, o += H4 * pl->mlp;
	pl->o_wh = o, o += H4 * pl->hid;
	pl->o_bg = o, o += H4;
	pl->o_wp = o, o += (size_t)pl->act * pl->hid;
	pl->o_bp = o, o += pl->act;
	pl->o_wb = o, o += (size_t)pl->act * pl->hid;
	pl->o_bb = o, o += pl->act;
	pl->np = o;
}

ts_status ts_policy_new(uint32_t in, uint32_t mlp, uint32_t hidden, uint32_t n_act, uint64_t seed,
			ts_policy **out, ts_diag *d)
{
	*out = NULL;
	if (!in || !mlp || !hidden || n_act < 1 || in > 4096 || mlp > 4096 || hidden > 4096 || n_act > 256)
		return ts_err(d, TS_ERR_INPUT, "policy: sizes in=%u mlp=%u hidden=%u actions=%u (allowed: 1..4096, actions 1..256)",
			      in, mlp, hidden, n_act);
	ts_policy *pl = calloc(1, sizeof *pl);
	if (!pl)
		return ts_err(d, TS_ERR_NOMEM, "policy: out of memory");
	pl->in = in, pl->mlp = mlp, pl->hid = hidden, pl->act = n_act;
	pl->entropy = 0.01f;
	policy_layout(pl);
	pl->w = calloc(pl->np, sizeof *pl->w);
	pl->g = calloc(pl->np, sizeof *pl->g);
	pl->m = calloc(pl->np, sizeof *pl->m);
	pl->v = calloc(pl->np, sizeof *pl->v);
	if (!pl->w || !pl->g || !pl->m || !pl->v) {
		ts_policy_free(pl);
		return ts_err(d, TS_ERR_NOMEM, "policy: out of memory");
	}
	ts_rng r;
	ts_rng_seed(&r, seed, 0x5eed);
	/* Uniform(-1/sqrt(fan_in), +): weights; forget-gate bias 1; small heads
	 * so the first episodes sample nearly uniformly. */
	struct {
		size_t off, n;
		double scale;
	} blocks[] = {
		{ pl->o_w1, (size_t)mlp * in, 1.0 / sqrt(in) },
		{ pl->o_wx, 4ull * hidden * mlp, 1.0 / sqrt(mlp) },
		{ pl->o_wh, 4ull * hidden * hidden, 1.0 / sqrt(hidden) },
		{ pl->o_wp, (size_t)n_act * hidden, 0.1 / sqrt(hidden) },
		{ pl->o_wb, (size_t)n_act * hidden, 0.1 / sqrt(hidden) },
	};
	for (size_t k = 0; k < sizeof blocks / sizeof blocks[0]; k++)
		for (size_t i = 0; i < blocks[k].n; i++)
			pl->w[blocks[k].off + i] = (float)((2 * ts_rng_unif(&r) - 1) * blocks[k].scale);
	for (uint32_t i = 0; i < hidden; i++)
		pl->w[pl->o_bg + hidden + i] = 1.0f; /* gate order i, f, o, g */
	*out = pl;
	return TS_OK;
}

void ts_policy_free(ts_policy *pl)
{
	if (!pl)
		return;
	free(pl->w);
	free(pl->g);
	free(pl->m);
	free(pl->v);
	free(pl->x1);
	free(pl->gates);
	free(pl->cell);
	free(pl->hid_out);
	free(pl->p0);
	free(pl->p1);
	free(pl);
}

size_t ts_policy_nparams(const ts_policy *pl)
{
	return pl->np;
}

float *ts_policy_params(ts_policy *pl)
{
	return pl->w;
}

float *ts_policy_grads(ts_policy *pl)
{
	return pl->g;
}

static int policy_workspace(ts_policy *pl, size_t bt)
{
	if (bt <= pl->ws_bt)
		return 0;
	free(pl->x1);
	free(pl->gates);
	free(pl->cell);
	free(pl->hid_out);
	free(pl->p0);
	free(pl->p1);
	pl->x1 = malloc(bt * pl->mlp * sizeof(float));
	pl->gates = malloc(bt * 4 * pl->hid * sizeof(float));
	pl->cell = malloc(bt * pl->hid * sizeof(float));
	pl->hid_out = malloc(bt * pl->hid * sizeof(float));
	pl->p0 = malloc(bt * pl->act * sizeof(float));
	pl->p1 = malloc(bt * pl->act * sizeof(float));
	if (!pl->x1 || !pl->gates || !pl->cell || !pl->hid_out || !pl->p0 || !pl->p1) {
		pl->ws_bt = 0;
		return -1;
	}
	pl->ws_bt = bt;
	return 0;
}

static inline float sigm(float x)
{
	return 1.0f / (1.0f + expf(-x));
}

/* Y[B x n] = X[B x k] . W^T (W is n x k) + bias. */
static void affine(uint32_t B, uint32_t n, uint32_t k, const float *X, size_t ldx, const float *W, const float *bias,
		   float *Y, size_t ldy, float beta)
{
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)n, (int)k, 1.0f, X, (int)ldx, W, (int)k, beta,
		    Y, (int)ldy);
	if (bias)
		for (uint32_t b = 0; b < B; b++)
			for (uint32_t j = 0; j < n; j++)
				Y[b * ldy + j] += bias[j];
}

static void masked_softmax(float *z, const uint8_t *mask, uint32_t n)
{
	float mx = -INFINITY;
	for (uint32_t j = 0; j < n; j++)
		if ((!mask || mask[j]) && z[j] > mx)
			mx = z[j];
	float s = 0;
	for (uint32_t j = 0; j < n; j++) {
		z[j] = (!mask || mask[j]) ? expf(z[j] - mx) : 0.0f;
		s += z[j];
	}
	for (uint32_t j = 0; j < n; j++)
		z[j] /= s;
}

/* One step for B episodes: states x (B x in), previous h, c (B x hid, rows
 * h_prev[b*hid]); writes x1, gates (activated), c, h and both heads' probabilities. */
static void policy_step(ts_policy *pl, uint32_t B, const float *x, const float *h_prev, const float *c_prev,
			float *x1, float *gates, float *c, float *h, float *p0, float *p1, const uint8_t *mask,
			size_t mask_stride)
{
	const uint32_t H = pl->hid, A = pl->act;
	affine(B, pl->mlp, pl->in, x, pl->in, pl->w + pl->o_w1, pl->w + pl->o_b1, x1, pl->mlp, 0.0f);
	for (size_t i = 0; i < (size_t)B * pl->mlp; i++)
		x1[i] = tanhf(x1[i]);
	affine(B, 4 * H, pl->mlp, x1, pl->mlp, pl->w + pl->o_wx, pl->w + pl->o_bg, gates, 4 * H, 0.0f);
	if (h_prev)
		affine(B, 4 * H, H, h_prev, H, pl->w + pl->o_wh, NULL, gates, 4 * H, 1.0f);
	for (uint32_t b = 0; b < B; b++) {
		float *gt = gates + (size_t)b * 4 * H;
		for (uint32_t j = 0; j < H; j++) {
			float gi = sigm(gt[j]), gf = sigm(gt[H + j]), go = sigm(gt[2 * H + j]), gg = tanhf(gt[3 * H + j]);
			gt[j] = gi, gt[H + j] = gf, gt[2 * H + j] = go, gt[3 * H + j] = gg;
			float cp = c_prev ? c_prev[(size_t)b * H + j] : 0.0f;
			float cc = gf * cp + gi * gg;
			c[(size_t)b * H + j] = cc;
			h[(size_t)b * H + j] = go * tanhf(cc);
		}
	}
	affine(B, A, H, h, H, pl->w + pl->o_wp, pl->w + pl->o_bp, p0, A, 0.0f);
	affine(B, A, H, h, H, pl->w + pl->o_wb, pl->w + pl->o_bb, p1, A, 0.0f);
	for (uint32_t b = 0; b < B; b++) {
		masked_softmax(p0 + (size_t)b * A, mask ? mask + b * mask_stride : NULL, A);
		masked_softmax(p1 + (size_t)b * A, mask ? mask + b * mask_stride + A : NULL, A);
	}
}

/* Activations are stored time-major: row (t * B + b). */
double ts_policy_loss(ts_policy *pl, uint32_t B, uint32_t T, const float *states, const uint8_t *actions,
		      const uint8_t *masks, const float *adv, int grad)
{
	const uint32_t H = pl->hid, A = pl->act, M = pl->mlp, NI = pl->in;
	const size_t BT = (size_t)B * T;
	if (policy_workspace(pl, BT) != 0)
		return NAN;
	/* Gather the states time-major. */
	float *xs = malloc(BT * NI * sizeof(float));
	uint8_t *mk = masks ? malloc(BT * 2 * A) : NULL;
	if (!xs || (masks && !mk)) {
		free(xs);
		free(mk);
		return NAN;
	}
	for (uint32_t t = 0; t < T; t++)
		for (uint32_t b = 0; b < B; b++) {
			memcpy(xs + ((size_t)t * B + b) * NI, states + ((size_t)b * T + t) * NI, NI * sizeof(float));
			if (mk)
				memcpy(mk + ((size_t)t * B + b) * 2 * A, masks + ((size_t)b * T + t) * 2 * A, 2 * A);
		}
	double loss = 0;
	for (uint32_t t = 0; t < T; t++) {
		size_t r0 = (size_t)t * B;
		policy_step(pl, B, xs + r0 * NI, t ? pl->hid_out + (r0 - B) * H : NULL, t ? pl->cell + (r0 - B) * H : NULL,
			    pl->x1 + r0 * M, pl->gates + r0 * 4 * H, pl->cell + r0 * H, pl->hid_out + r0 * H,
			    pl->p0 + r0 * A, pl->p1 + r0 * A, mk ? mk + r0 * 2 * A : NULL, 2 * A);
		for (uint32_t b = 0; b < B; b++) {
			size_t k = (size_t)b * T + t;
			double a = adv[k];
			if (a == 0)
				continue;
			loss -= a * (log((double)pl->p0[(r0 + b) * A + actions[2 * k]]) +
				     log((double)pl->p1[(r0 + b) * A + actions[2 * k + 1]]));
			/* - entropy * (H(p0) + H(p1)) */
			for (uint32_t j = 0; j < A; j++) {
				double q0 = pl->p0[(r0 + b) * A + j], q1 = pl->p1[(r0 + b) * A + j];
				loss += pl->entropy * ((q0 > 0 ? q0 * log(q0) : 0) + (q1 > 0 ? q1 * log(q1) : 0));
			}
		}
	}
	if (grad) {
		memset(pl->g, 0, pl->np * sizeof(float));
		float *dl0 = malloc((size_t)B * A * sizeof(float)), *dl1 = malloc((size_t)B * A * sizeof(float));
		float *dh = calloc((size_t)B * H, sizeof(float)), *dc = calloc((size_t)B * H, sizeof(float));
		float *dz = malloc((size_t)B * 4 * H * sizeof(float)), *dx1 = malloc((size_t)B * M * sizeof(float));
		float *dh_next = calloc((size_t)B * H, sizeof(float));
		float *ones = malloc((size_t)B * sizeof(float));
		if (!dl0 || !dl1 || !dh || !dc || !dz || !dx1 || !dh_next || !ones) {
			loss = NAN;
			goto done;
		}
		for (uint32_t b = 0; b < B; b++)
			ones[b] = 1.0f;
		for (uint32_t t = T; t-- > 0;) {
			size_t r0 = (size_t)t * B;
			const float *h = pl->hid_out + r0 * H, *c = pl->cell + r0 * H, *gt = pl->gates + r0 * 4 * H;
			const float *x1 = pl->x1 + r0 * M;
			/* Heads: d(-adv log p[a]) / dlogits = adv (p - onehot). */
			for (uint32_t b = 0; b < B; b++) {
				size_t k = (size_t)b * T + t;
				float a = adv[k];
				for (uint32_t j = 0; j < A; j++) {
					dl0[b * A + j] = a * pl->p0[(r0 + b) * A + j];
					dl1[b * A + j] = a * pl->p1[(r0 + b) * A + j];
				}
				dl0[b * A + actions[2 * k]] -= a;
				dl1[b * A + actions[2 * k + 1]] -= a;
				if (a == 0) {
					memset(dl0 + b * A, 0, A * sizeof(float));
					memset(dl1 + b * A, 0, A * sizeof(float));
					continue;
				}
				/* d(-H)/dz_j = p_j (log p_j + H) */
				for (int hd = 0; hd < 2; hd++) {
					const float *pr = (hd ? pl->p1 : pl->p0) + (r0 + b) * A;
					float *dl = (hd ? dl1 : dl0) + b * A;
					double ent = 0;
					for (uint32_t j = 0; j < A; j++)
						ent -= pr[j] > 0 ? pr[j] * log((double)pr[j]) : 0;
					for (uint32_t j = 0; j < A; j++)
						if (pr[j] > 0)
							dl[j] += (float)(pl->entropy * pr[j] * (log((double)pr[j]) + ent));
				}
			}
			/* dWp += dl0^T h, dbp += colsum(dl0); same for the buffer head. */
			cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)A, (int)H, (int)B, 1.0f, dl0, (int)A, h,
				    (int)H, 1.0f, pl->g + pl->o_wp, (int)H);
			cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)A, (int)H, (int)B, 1.0f, dl1, (int)A, h,
				    (int)H, 1.0f, pl->g + pl->o_wb, (int)H);
			cblas_sgemv(CblasRowMajor, CblasTrans, (int)B, (int)A, 1.0f, dl0, (int)A, ones, 1, 1.0f,
				    pl->g + pl->o_bp, 1);
			cblas_sgemv(CblasRowMajor, CblasTrans, (int)B, (int)A, 1.0f, dl1, (int)A, ones, 1, 1.0f,
				    pl->g + pl->o_bb, 1);
			/* dh = dl0 Wp + dl1 Wb + (from t+1) */
			memcpy(dh, dh_next, (size_t)B * H * sizeof(float));
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)H, (int)A, 1.0f, dl0, (int)A,
				    pl->w + pl->o_wp, (int)H, 1.0f, dh, (int)H);
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)H, (int)A, 1.0f, dl1, (int)A,
				    pl->w + pl->o_wb, (int)H, 1.0f, dh, (int)H);
			for (uint32_t b = 0; b < B; b++)
				for (uint32_t j = 0; j < H; j++) {
					size_t q = (size_t)b * H + j;
					const float *g4 = gt + (size_t)b * 4 * H;
					float gi = g4[j], gf = g4[H + j], go = g4[2 * H + j], gg = g4[3 * H + j];
					float tc = tanhf(c[q]);
					float cp = t ? pl->cell[(r0 - B) * H + q] : 0.0f;
					float dcc = dh[q] * go * (1 - tc * tc) + dc[q];
					float *z = dz + (size_t)b * 4 * H;
					z[j] = dcc * gg * gi * (1 - gi);
					z[H + j] = dcc * cp * gf * (1 - gf);
					z[2 * H + j] = dh[q] * tc * go * (1 - go);
					z[3 * H + j] = dcc * gi * (1 - gg * gg);
					dc[q] = dcc * gf;
				}
			cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)(4 * H), (int)M, (int)B, 1.0f, dz,
				    (int)(4 * H), x1, (int)M, 1.0f, pl->g + pl->o_wx, (int)M);
			cblas_sgemv(CblasRowMajor, CblasTrans, (int)B, (int)(4 * H), 1.0f, dz, (int)(4 * H), ones, 1, 1.0f,
				    pl->g + pl->o_bg, 1);
			if (t) {
				const float *hp = pl->hid_out + (r0 - B) * H;
				cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)(4 * H), (int)H, (int)B, 1.0f, dz,
					    (int)(4 * H), hp, (int)H, 1.0f, pl->g + pl->o_wh, (int)H);
				cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)H, (int)(4 * H), 1.0f, dz,
					    (int)(4 * H), pl->w + pl->o_wh, (int)H, 0.0f, dh_next, (int)H);
			}
			/* MLP: dx1 = dz Wx, through tanh, into W1, b1. */
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)M, (int)(4 * H), 1.0f, dz,
				    (int)(4 * H), pl->w + pl->o_wx, (int)M, 0.0f, dx1, (int)M);
			for (size_t i = 0; i < (size_t)B * M; i++)
				dx1[i] *= 1 - x1[i] * x1[i];
			cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)M, (int)NI, (int)B, 1.0f, dx1, (int)M,
				    xs + r0 * NI, (int)NI, 1.0f, pl->g + pl->o_w1, (int)NI);
			cblas_sgemv(CblasRowMajor, CblasTrans, (int)B, (int)M, 1.0f, dx1, (int)M, ones, 1, 1.0f,
				    pl->g + pl->o_b1, 1);
		}
done:
		free(dl0);
		free(dl1);
		free(dh);
		free(dc);
		free(dz);
		free(dx1);
		free(dh_next);
		free(ones);
	}
	free(xs);
	free(mk);
	return loss;
}

static void adam_step(ts_policy *pl, float lr)
{
	const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
	pl->adam_t++;
	const float c1 = 1.0f - powf(b1, (float)pl->adam_t), c2 = 1.0f - powf(b2, (float)pl->adam_t);
	for (size_t i = 0; i < pl->np; i++) {
		float g = pl->g[i];
		pl->m[i] = b1 * pl->m[i] + (1 - b1) * g;
		pl->v[i] = b2 * pl->v[i] + (1 - b2) * g * g;
		pl->w[i] -= lr * (pl->m[i] / c1) / (sqrtf(pl->v[i] / c2) + eps);
	}
}

/* ---- the searcher -------------------------------------------------------------------- */
#define RL_IN 11 /* K, C, Y, X, R, S, type, progress, budget left, previous two actions */

static double lg2(double v)
{
	return log2(v < 1 ? 1 : v);
}

static void layer_features(const ts_problem *p, uint32_t t, uint32_t T, float *f)
{
	memset(f, 0, 8 * sizeof(float));
	if (p->spec.form == TS_FORM_PER_LAYER) {
		const ts_layer *l = &p->w->layers[t];
		f[0] = (float)(lg2(l->k) / 12);
		f[1] = (float)(lg2(l->c) / 12);
		f[2] = (float)(lg2(l->y) / 9);
		f[3] = (float)(lg2(l->x) / 9);
		f[4] = (float)(l->r / 7.0);
		f[5] = (float)(l->s / 7.0);
		f[6] = l->op == TS_OP_DWCONV ? 1.0f : 0.0f;
	} else {
		f[(t % 7)] = 1.0f; /* which variable pair */
	}
	f[7] = (float)t / (float)T;
}

void ts_algo_reinforce(ts_ctx *c, uint32_t evals)
{
	const ts_problem *p = c->p;
	const ts_search_opts *o = c->o;
	const size_t nv = p->n_vars;
	const int per_layer = p->spec.form == TS_FORM_PER_LAYER;
	const uint32_t T = (uint32_t)((nv + 1) / 2);
	const uint32_t stop = c->done + evals < c->max ? c->done + evals : c->max;
	uint32_t A = 1;
	for (size_t i = 0; i < nv; i++)
		if (p->card[i] > A)
			A = p->card[i];
	const uint32_t B = o->rl_batch ? o->rl_batch : 8;
	ts_policy *pl = NULL;
	if (ts_policy_new(RL_IN, o->rl_mlp ? o->rl_mlp : 64, o->rl_hidden ? o->rl_hidden : 128, A,
			  ts_rng_next(&c->rng), &pl, c->d) != TS_OK) {
		c->err = TS_ERR_NOMEM;
		return;
	}
	const size_t BT = (size_t)B * T;
	float *states = malloc(BT * RL_IN * sizeof(float)), *adv = calloc(BT, sizeof(float));
	float *rew = calloc(BT, sizeof(float)), *base = calloc(T, sizeof(float));
	uint8_t *acts = calloc(BT * 2, 1), *masks = malloc(BT * 2 * A), *designs = malloc((size_t)B * (nv + 1));
	uint8_t *live = malloc(BT);
	float *h = calloc((size_t)B * pl->hid, sizeof(float)), *cc = calloc((size_t)B * pl->hid, sizeof(float));
	float *hn = malloc((size_t)B * pl->hid * sizeof(float)), *cn = malloc((size_t)B * pl->hid * sizeof(float));
	float *x1 = malloc((size_t)B * pl->mlp * sizeof(float)), *gates = malloc((size_t)B * 4 * pl->hid * sizeof(float));
	float *p0 = malloc((size_t)B * A * sizeof(float)), *p1 = malloc((size_t)B * A * sizeof(float));
	float *xt = malloc((size_t)B * RL_IN * sizeof(float));
	uint8_t *mt = malloc((size_t)B * 2 * A);
	double *con = malloc(B * sizeof(double));
	int *violated = malloc(B * sizeof(int));
	double *rest_min = calloc(T + 1, sizeof(double));
	if (!states || !adv || !rew || !base || !acts || !masks || !designs || !live || !h || !cc || !hn || !cn ||
	    !x1 || !gates || !p0 || !p1 || !xt || !mt || !con || !violated || !rest_min) {
		c->err = ts_err(c->d, TS_ERR_NOMEM, "search: out of memory");
		goto out;
	}
	/* Reward scale: the mean per-layer objective of the cheapest choices. */
	double scale = 1, penalty = T;
	if (per_layer) {
		double s = 0;
		for (uint32_t t = T; t-- > 0;) {
			double m = INFINITY;
			for (uint32_t k = 0; k < p->n_choice; k++)
				if (p->tab[t * p->n_choice + k].con < m)
					m = p->tab[t * p->n_choice + k].con;
			rest_min[t] = rest_min[t + 1] + m;
			s += p->tab[t * p->n_choice].obj;
		}
		scale = s / T > 0 ? s / T : 1;
	}
	int have_base = 0;
	double final_base = 0;
	while (c->done < stop && c->err == TS_OK) {
		/* Roll out B episodes in lockstep. */
		for (uint32_t b = 0; b < B; b++) {
			con[b] = 0;
			violated[b] = 0;
		}
		for (uint32_t t = 0; t < T; t++) {
			for (uint32_t b = 0; b < B; b++) {
				float *f = xt + (size_t)b * RL_IN;
				layer_features(p, t, T, f);
				f[8] = per_layer ? (float)((p->budget - con[b] - rest_min[t]) / p->budget) : 0.0f;
				f[9] = t ? (float)acts[((size_t)b * T + t - 1) * 2] / (float)(A - 1 ? A - 1 : 1) : 0.0f;
				f[10] = t ? (float)acts[((size_t)b * T + t - 1) * 2 + 1] / (float)(A - 1 ? A - 1 : 1) : 0.0f;
				memcpy(states + ((size_t)b * T + t) * RL_IN, f, RL_IN * sizeof(float));
				uint8_t *m = mt + (size_t)b * 2 * A;
				uint32_t c0 = p->card[2 * t], c1 = 2 * t + 1 < nv ? p->card[2 * t + 1] : 1;
				for (uint32_t j = 0; j < A; j++) {
					m[j] = j < c0;
					m[A + j] = j < c1;
				}
				if (per_layer) {
					/* Only PE levels with some buffer level that still leaves room
					 * for the cheapest choices of the remaining layers. */
					const double room = p->budget - con[b] - rest_min[t + 1];
					const uint32_t nbuf = p->spec.buf_levels;
					for (uint32_t j = 0; j < c0; j++) {
						int fits = 0;
						for (uint32_t k = 0; k < nbuf && !fits; k++)
							fits = p->tab[t * p->n_choice + j * nbuf + k].con <= room;
						m[j] = (uint8_t)fits;
					}
				}
			}
			policy_step(pl, B, xt, t ? h : NULL, t ? cc : NULL, x1, gates, cn, hn, p0, p1, mt, 2 * A);
			memcpy(h, hn, (size_t)B * pl->hid * sizeof(float));
			memcpy(cc, cn, (size_t)B * pl->hid * sizeof(float));
			for (uint32_t b = 0; b < B; b++) {
				size_t k = (size_t)b * T + t;
				uint8_t a[2];
				uint8_t *m = mt + (size_t)b * 2 * A;
				for (int hd = 0; hd < 2; hd++) {
					float *pr = (hd ? p1 : p0) + (size_t)b * A;
					if (hd == 1 && per_layer) {
						/* Buffer levels that fit with the chosen PE level; the head's
						 * distribution renormalized over them (= masked softmax). */
						const double room = p->budget - con[b] - rest_min[t + 1];
						const uint32_t nbuf = p->spec.buf_levels;
						float sum = 0;
						for (uint32_t q = 0; q < A; q++) {
							m[A + q] = q < nbuf && p->tab[t * p->n_choice + a[0] * nbuf + q].con <= room;
							if (!m[A + q])
								pr[q] = 0;
							sum += pr[q];
						}
						for (uint32_t q = 0; q < A; q++)
							pr[q] = sum > 0 ? pr[q] / sum : (float)m[A + q];
					}
					double u = ts_rng_unif(&c->rng), acc = 0;
					uint32_t j = 0, last = 0;
					for (; j < A; j++) {
						if (pr[j] > 0)
							last = j;
						acc += pr[j];
						if (u < acc && pr[j] > 0)
							break;
					}
					a[hd] = (uint8_t)(j < A ? j : last);
				}
				acts[2 * k] = a[0];
				acts[2 * k + 1] = a[1];
				memcpy(masks + k * 2 * A, m, 2 * A);
				live[k] = !violated[b];
				rew[k] = 0;
				uint8_t *dsg = designs + (size_t)b * (nv + 1);
				if (per_layer) {
					if (violated[b]) {
						/* cheapest: the smallest choices */
						a[0] = a[1] = 0;
					}
					dsg[2 * t] = a[0];
					dsg[2 * t + 1] = a[1];
					const ts_choice_cost *cost = &p->tab[t * p->n_choice + a[0] * p->spec.buf_levels + a[1]];
					con[b] += cost->con;
					if (!violated[b]) {
						rew[k] = (float)(-cost->obj / scale);
						if (con[b] + rest_min[t + 1] > p->budget) {
							rew[k] -= (float)penalty;
							violated[b] = 1;
						}
					}
				} else {
					dsg[2 * t] = a[0];
					if (2 * t + 1 < nv)
						dsg[2 * t + 1] = a[1];
				}
			}
		}
		/* Evaluate the designs (one evaluation each). */
		uint32_t nb = 0;
		for (uint32_t b = 0; b < B && c->done < stop; b++, nb++) {
			ts_eval e;
			double f = ts_ctx_eval(c, designs + (size_t)b * (nv + 1), &e);
			if (!per_layer) {
				/* Terminal reward: log objective, penalty when infeasible. */
				rew[(size_t)b * T + T - 1] = isfinite(f) ? (float)(-log(f)) : 0.0f;
				if (!isfinite(f))
					rew[(size_t)b * T + T - 1] = (float)(-(have_base ? -final_base : 0) - penalty);
				else if (!have_base) {
					final_base = -log(f);
					have_base = 1;
				}
			}
		}
		if (nb == 0 || c->err != TS_OK)
			break;
		/* Returns, per-step baselines, normalized advantages. */
		double mean = 0, sq = 0, mag = 0;
		size_t cnt = 0;
		for (uint32_t b = 0; b < nb; b++) {
			double G = 0;
			for (uint32_t t = T; t-- > 0;) {
				size_t k = (size_t)b * T + t;
				G = rew[k] + o->rl_gamma * G;
				adv[k] = live[k] ? (float)G : 0.0f;
				mag += fabs(G) / ((double)nb * T);
			}
		}
		for (uint32_t t = 0; t < T; t++) {
			double m = 0;
			uint32_t n = 0;
			for (uint32_t b = 0; b < nb; b++)
				if (live[(size_t)b * T + t]) {
					m += adv[(size_t)b * T + t];
					n++;
				}
			if (n)
				base[t] = have_base & 2 ? (float)(0.8 * base[t] + 0.2 * m / n) : (float)(m / n);
		}
		have_base |= 2;
		for (uint32_t b = 0; b < nb; b++)
			for (uint32_t t = 0; t < T; t++) {
				size_t k = (size_t)b * T + t;
				if (!live[k])
					continue;
				adv[k] -= base[t];
				mean += adv[k];
				sq += (double)adv[k] * adv[k];
				cnt++;
			}
		double sd = cnt ? sqrt(sq / cnt - (mean / cnt) * (mean / cnt)) : 0;
		/* Normalize by the spread, but not below 1 % of the returns' size: once
		 * the episodes agree, float noise must not become a learning signal. */
		if (sd < 0.01 * mag)
			sd = 0.01 * mag;
		if (sd > 1e-12)
			for (size_t k = 0; k < (size_t)nb * T; k++)
				adv[k] = live[k] ? (float)(adv[k] / sd) : 0.0f;
		ts_policy_loss(pl, nb, T, states, acts, masks, adv, 1);
		adam_step(pl, o->rl_lr > 0 ? o->rl_lr : 1e-3f);
	}
out:
	ts_policy_free(pl);
	free(states);
	free(adv);
	free(rew);
	free(base);
	free(acts);
	free(masks);
	free(designs);
	free(live);
	free(h);
	free(cc);
	free(hn);
	free(cn);
	free(x1);
	free(gates);
	free(p0);
	free(p1);
	free(xt);
	free(mt);
	free(con);
	free(violated);
	free(rest_min);
}
