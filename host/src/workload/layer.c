/* layer.c — layer shapes: validation, output sizes, GEMM view, MAC counts. */
#include <stdlib.h>
#include <string.h>

#include "tessera/util.h"
#include "tessera/workload.h"

static const char *const op_names[TS_OP_COUNT] = { "conv", "dwconv", "gconv", "fc", "gemm" };

const char *ts_op_name(ts_op op)
{
	return (unsigned)op < TS_OP_COUNT ? op_names[op] : "?";
}

int ts_op_from_name(const char *s, ts_op *out)
{
	for (int i = 0; i < TS_OP_COUNT; i++)
		if (ts_name_eq(s, op_names[i])) {
			*out = (ts_op)i;
			return 0;
		}
	if (ts_name_eq(s, "matmul")) {
		*out = TS_OP_GEMM;
		return 0;
	}
	return -1;
}

void ts_layer_init(ts_layer *l, ts_op op, const char *name)
{
	memset(l, 0, sizeof *l);
	ts_strlcpy(l->name, name ? name : "", sizeof l->name);
	l->op = op;
	l->n = 1;
	l->stride_y = l->stride_x = 1;
	l->dil_y = l->dil_x = 1;
	l->groups = 1;
	l->w_density = 1.0f;
}

ts_layer ts_layer_conv(const char *name, uint32_t k, uint32_t c, uint32_t y, uint32_t x,
		       uint32_t r, uint32_t s, uint32_t stride, uint32_t pad, uint32_t groups)
{
	ts_layer l;
	ts_op op = groups <= 1 ? TS_OP_CONV : (groups == c ? TS_OP_DWCONV : TS_OP_GCONV);
	ts_layer_init(&l, op, name);
	l.k = k;
	l.c = c;
	l.y = y;
	l.x = x;
	l.r = r;
	l.s = s;
	l.stride_y = l.stride_x = stride;
	l.pad_top = l.pad_left = l.pad_bottom = l.pad_right = pad;
	l.groups = groups ? groups : 1;
	return l;
}

ts_layer ts_layer_fc(const char *name, uint32_t n, uint32_t k, uint32_t c)
{
	ts_layer l;
	ts_layer_init(&l, TS_OP_FC, name);
	l.n = n;
	l.k = k;
	l.c = c;
	l.y = l.x = l.r = l.s = 1;
	return l;
}

ts_layer ts_layer_gemm(const char *name, uint32_t batch, uint32_t m, uint32_t kr, uint32_t nn)
{
	ts_layer l;
	/* Independent matmuls each have their own B: they are groups, not a
	 * batch (a batch would share B). */
	ts_layer_init(&l, TS_OP_GEMM, name);
	l.groups = batch ? batch : 1;
	l.y = m;
	l.x = 1;
	l.c = kr * l.groups;
	l.k = nn * l.groups;
	l.r = l.s = 1;
	return l;
}

/* Padded extent covered by the dilated kernel, as signed 64-bit. */
static int64_t out_extent(uint32_t in, uint32_t pad_a, uint32_t pad_b, uint32_t kernel,
			  uint32_t dil, uint32_t stride)
{
	int64_t span = (int64_t)in + pad_a + pad_b - ((int64_t)(kernel - 1) * dil + 1);
	if (span < 0)
		return 0;
	if (span <= UINT32_MAX) /* always, for validated layers; a 32-bit divide is faster */
		return (uint32_t)span / stride + 1;
	return span / stride + 1;
}

uint32_t ts_layer_out_h(const ts_layer *l)
{
	return (uint32_t)out_extent(l->y, l->pad_top, l->pad_bottom, l->r, l->dil_y, l->stride_y);
}

uint32_t ts_layer_out_w(const ts_layer *l)
{
	return (uint32_t)out_extent(l->x, l->pad_left, l->pad_right, l->s, l->dil_x, l->stride_x);
}

#define LAYER_MAX_DIM (1u << 24)

ts_status ts_layer_validate(const ts_layer *l, ts_diag *d)
{
	const char *nm = l->name[0] ? l->name : "(unnamed)";
	if ((unsigned)l->op >= TS_OP_COUNT)
		return ts_err(d, TS_ERR_INPUT, "layer '%s': unknown op %d", nm, (int)l->op);
	/* Fast path (the cost models validate on every evaluation): v - 1 wraps
	 * for 0, so one comparison per field finds 0 and values over the limit. */
	if ((l->n - 1u) >= LAYER_MAX_DIM || (l->k - 1u) >= LAYER_MAX_DIM || (l->c - 1u) >= LAYER_MAX_DIM ||
	    (l->y - 1u) >= LAYER_MAX_DIM || (l->x - 1u) >= LAYER_MAX_DIM || (l->r - 1u) >= LAYER_MAX_DIM ||
	    (l->s - 1u) >= LAYER_MAX_DIM || (l->stride_y - 1u) >= LAYER_MAX_DIM ||
	    (l->stride_x - 1u) >= LAYER_MAX_DIM || (l->dil_y - 1u) >= LAYER_MAX_DIM ||
	    (l->dil_x - 1u) >= LAYER_MAX_DIM || (l->groups - 1u) >= LAYER_MAX_DIM) {
		const struct {
			const char *what;
			uint32_t v;
		} dims[] = {
			{ "N (batch)", l->n }, { "K (output channels)", l->k }, { "C (input channels)", l->c },
			{ "Y (input height)", l->y }, { "X (input width)", l->x },
			{ "R (kernel height)", l->r }, { "S (kernel width)", l->s },
			{ "stride_y", l->stride_y }, { "stride_x", l->stride_x },
			{ "dilation_y", l->dil_y }, { "dilation_x", l->dil_x }, { "groups", l->groups },
		};
		for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++)
			if (dims[i].v == 0 || dims[i].v > LAYER_MAX_DIM)
				return ts_err(d, TS_ERR_INPUT, "layer '%s': %s = %u, must be 1..%u", nm,
					      dims[i].what, dims[i].v, LAYER_MAX_DIM);
	}
	const uint32_t pads[4] = { l->pad_top, l->pad_left, l->pad_bottom, l->pad_right };
	for (int i = 0; i < 4; i++)
		if (pads[i] > 65535)
			return ts_err(d, TS_ERR_INPUT, "layer '%s': padding %u, must be 0..65535", nm, pads[i]);
	if ((int64_t)l->y + l->pad_top + l->pad_bottom < (int64_t)(l->r - 1) * l->dil_y + 1)
		return ts_err(d, TS_ERR_INPUT,
			      "layer '%s': kernel height %u (dilation %u) exceeds padded input height %u",
			      nm, l->r, l->dil_y, l->y + l->pad_top + l->pad_bottom);
	if ((int64_t)l->x + l->pad_left + l->pad_right < (int64_t)(l->s - 1) * l->dil_x + 1)
		return ts_err(d, TS_ERR_INPUT,
			      "layer '%s': kernel width %u (dilation %u) exceeds padded input width %u",
			      nm, l->s, l->dil_x, l->x + l->pad_left + l->pad_right);
	if (l->c % l->groups || l->k % l->groups)
		return ts_err(d, TS_ERR_INPUT,
			      "layer '%s': groups = %u must divide C = %u and K = %u", nm, l->groups, l->c, l->k);
	switch (l->op) {
	case TS_OP_CONV:
		if (l->groups != 1)
			return ts_err(d, TS_ERR_INPUT, "layer '%s': conv with groups = %u (use gconv or dwconv)",
				      nm, l->groups);
		break;
	case TS_OP_DWCONV:
		if (l->groups != l->c)
			return ts_err(d, TS_ERR_INPUT, "layer '%s': dwconv needs groups = C = %u, got %u", nm,
				      l->c, l->groups);
		break;
	case TS_OP_GCONV:
		if (l->groups < 2)
			return ts_err(d, TS_ERR_INPUT, "layer '%s': gconv needs groups >= 2, got %u", nm,
				      l->groups);
		break;
	case TS_OP_FC:
	case TS_OP_GEMM:
		if (l->r != 1 || l->s != 1 || l->x != 1 || (l->op == TS_OP_FC && l->y != 1))
			return ts_err(d, TS_ERR_INPUT, "layer '%s': %s must have R = S = X = 1%s", nm,
				      ts_op_name(l->op), l->op == TS_OP_FC ? " and Y = 1" : "");
		if (l->stride_y != 1 || l->stride_x != 1 || l->dil_y != 1 || l->dil_x != 1 || l->pad_top ||
		    l->pad_left || l->pad_bottom || l->pad_right)
			return ts_err(d, TS_ERR_INPUT, "layer '%s': %s takes no stride, dilation or padding", nm,
				      ts_op_name(l->op));
		break;
	default:
		break;
	}
	if (l->wbits > 32 || l->abits > 32)
		return ts_err(d, TS_ERR_INPUT, "layer '%s': bit width %u, must be 0..32", nm,
			      l->wbits > 32 ? l->wbits : l->abits);
	if (!(l->w_density > 0.0f && l->w_density <= 1.0f))
		return ts_err(d, TS_ERR_INPUT, "layer '%s': weight density %g, must be in (0, 1]", nm,
			      (double)l->w_density);
	/* Keep every product the cost model forms well inside 64 bits. */
	/* Each factor is at most ~2^24, so the 64-bit product could wrap back
	 * under the limit: bound it in floating point. */
	double macs = (double)l->n * ts_layer_out_h(l) * ts_layer_out_w(l) * l->k *
		      (double)(l->c / l->groups) * l->r * l->s;
	if (!(macs >= 1.0 && macs <= (double)(1ull << 50)))
		return ts_err(d, TS_ERR_INPUT, "layer '%s': %.0f MACs, must be 1..2^50", nm, macs);
	return TS_OK;
}

ts_gemm_shape ts_layer_gemm_shape(const ts_layer *l)
{
	ts_gemm_shape g;
	g.groups = l->groups;
	g.m = (uint64_t)l->n * ts_layer_out_h(l) * ts_layer_out_w(l);
	g.n = l->k / l->groups;
	g.kr = (uint64_t)(l->c / l->groups) * l->r * l->s;
	return g;
}

uint64_t ts_layer_macs(const ts_layer *l)
{
	ts_gemm_shape g = ts_layer_gemm_shape(l);
	return g.groups * g.m * g.n * g.kr;
}

uint64_t ts_layer_weight_elems(const ts_layer *l)
{
	return (uint64_t)l->k * (l->c / l->groups) * l->r * l->s;
}

uint64_t ts_layer_input_elems(const ts_layer *l)
{
	return (uint64_t)l->n * l->c * l->y * l->x;
}

uint64_t ts_layer_output_elems(const ts_layer *l)
{
	return (uint64_t)l->n * l->k * ts_layer_out_h(l) * ts_layer_out_w(l);
}
