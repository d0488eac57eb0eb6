/* zoo.c — built-in networks with their real layer shapes (batch 1).
 * Only compute layers (conv, depthwise, grouped, FC, GEMM) become ts_layers;
 * pooling only changes the activation size that flows to the next layer.
 *
 * MAC totals (conv + FC / GEMM multiply-accumulates, nothing else) and the
 * architecture each builder follows:
 *   mobilenet_v2   300,774,272  Sandler et al., "MobileNetV2: Inverted Residuals
 *                               and Linear Bottlenecks", CVPR 2018, Table 2
 *                               (width 1.0, 224x224; torchvision mobilenet_v2)
 *   resnet18     1,814,073,344  He et al., "Deep Residual Learning for Image
 *   resnet50     4,089,184,256  Recognition", CVPR 2016, Table 1. resnet50 is
 *                               v1.5 (torchvision): the stride-2 of a stage's
 *                               first bottleneck sits on the 3x3 conv, not on
 *                               the first 1x1 (v1 would be 3,857,973,248).
 *   vgg16       15,470,264,320  Simonyan & Zisserman, ICLR 2015, configuration D
 *   alexnet        714,188,480  torchvision single-tower variant (Krizhevsky,
 *                               "One weird trick ...", 2014): conv channels
 *                               64-192-384-256-256, not the 96-256-384-384-256
 *                               two-GPU network of the 2012 paper
 *   mnasnet        314,415,872  Tan et al., "MnasNet", CVPR 2019: MnasNet-B1,
 *                               depth 1.0 (torchvision mnasnet1_0)
 *   squeezenet     349,151,936  Iandola et al., "SqueezeNet", 2016: version 1.1
 *   squeezenet1_0  818,924,576  (torchvision squeezenet1_1 / squeezenet1_0)
 *   bert_base      931,135,488  Devlin et al., NAACL 2019: one encoder layer at
 *   bert_base_12 11,173,625,856 128 tokens (x 12 layers for bert_base_12)
 *   vit_b16      1,453,954,560  Dosovitskiy et al., ICLR 2021: one ViT-B/16
 *   vit_b16_full 17,563,828,224 encoder layer at 197 tokens; full = 16x16/16
 *                               patch embedding + 12 layers + 768->1000 head
 *
 * Transformer counts: Q, K, V and output projections 4 * L * H * H, attention
 * scores and attention x V 2 * heads * L * L * (H / heads), FFN 2 * L * H * F.
 * Layer norm, softmax, GELU, bias and position-embedding adds carry no MACs
 * here; the published ViT-B/16 figure (~17.5 G; torchvision lists 17.56 G)
 * counts the same matmuls, so vit_b16_full lands within 0.4 % of it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tessera/util.h"
#include "tessera/workload.h"

/* ---- a sequential builder: the activation shape flows layer to layer --- */

typedef struct zoo_shape {
	uint32_t c, y, x; /* channels, height, width of the current activation */
} zoo_shape;

typedef struct zoo_net {
	ts_workload *w;
	ts_diag *d;
	ts_status st; /* first failure; every later call does nothing */
	zoo_shape cur;
} zoo_net;

static zoo_net net_start(ts_workload *w, ts_diag *d, uint32_t c, uint32_t y, uint32_t x)
{
	zoo_net net = { w, d, TS_OK, { c, y, x } };
	return net;
}

static void net_add(zoo_net *net, ts_layer *l)
{
	net->st = ts_workload_add(net->w, l, net->d);
	if (net->st == TS_OK) {
		net->cur.c = l->k;
		net->cur.y = ts_layer_out_h(l);
		net->cur.x = ts_layer_out_w(l);
	}
}

/* Square conv on the current activation; groups 1 = dense. */
static void __attribute__((format(printf, 7, 8)))
net_conv(zoo_net *net, uint32_t k, uint32_t kernel, uint32_t stride, uint32_t pad, uint32_t groups,
	 const char *fmt, ...)
{
	if (net->st)
		return;
	char name[TS_LAYER_NAME_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	ts_layer l = ts_layer_conv(name, k, net->cur.c, net->cur.y, net->cur.x, kernel, kernel, stride,
				   pad, groups);
	net_add(net, &l);
}

/* Depthwise conv, multiplier 1, "same" padding (kernel / 2) as every zoo model uses. */
static void __attribute__((format(printf, 4, 5)))
net_dwconv(zoo_net *net, uint32_t kernel, uint32_t stride, const char *fmt, ...)
{
	if (net->st)
		return;
	char name[TS_LAYER_NAME_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	ts_layer l = ts_layer_conv(name, net->cur.c, net->cur.c, net->cur.y, net->cur.x, kernel, kernel,
				   stride, kernel / 2, net->cur.c);
	net_add(net, &l);
}

/* Fully connected layer on the flattened activation. */
static void net_fc(zoo_net *net, uint32_t k, const char *name)
{
	if (net->st)
		return;
	if (net->cur.y != 1 || net->cur.x != 1) {
		net->st = ts_err(net->d, TS_ERR_INTERNAL, "zoo: layer '%s' needs a flattened input, got %ux%u",
				 name, net->cur.y, net->cur.x);
		return;
	}
	ts_layer l = ts_layer_fc(name, 1, k, net->cur.c);
	net_add(net, &l);
}

/* One spatial extent through a max/avg pool, PyTorch rules: with ceil_mode
 * the last window may hang over the end but must start inside input + pad. */
static uint32_t pool_extent(uint32_t in, uint32_t kernel, uint32_t stride, uint32_t pad, int ceil_mode)
{
	uint32_t span = in + 2 * pad - kernel;
	uint32_t out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
	if (ceil_mode && (out - 1) * stride >= in + pad)
		out--;
	return out;
}

static void net_pool(zoo_net *net, uint32_t kernel, uint32_t stride, uint32_t pad, int ceil_mode)
{
	if (net->st)
		return;
	if (net->cur.y + 2 * pad < kernel || net->cur.x + 2 * pad < kernel) {
		net->st = ts_err(net->d, TS_ERR_INTERNAL, "zoo: %ux%u pool on a %ux%u activation",
				 kernel, kernel, net->cur.y, net->cur.x);
		return;
	}
	net->cur.y = pool_extent(net->cur.y, kernel, stride, pad, ceil_mode);
	net->cur.x = pool_extent(net->cur.x, kernel, stride, pad, ceil_mode);
}

/* Adaptive average pool to size x size, then flatten (C*size*size features). */
static void net_pool_flatten(zoo_net *net, uint32_t size)
{
	net->cur.c *= size * size;
	net->cur.y = net->cur.x = 1;
}

/* ---- feature stacks described by a table (AlexNet, VGG, SqueezeNet) ------
 * Layer names follow torchvision's nn.Sequential indices: a conv is followed
 * by its ReLU (two indices), a pool or a Fire module takes one. */

typedef enum seq_kind { SEQ_END = 0, SEQ_CONV, SEQ_POOL, SEQ_POOL_CEIL, SEQ_FIRE } seq_kind;

typedef struct seq_op {
	seq_kind kind;
	uint16_t out;    /* conv: output channels; fire: squeeze channels */
	uint16_t expand; /* fire: channels of each expand branch (1x1 and 3x3) */
	uint8_t kernel, stride, pad;
} seq_op;

#define CONV(k, r, s, p) { SEQ_CONV, (k), 0, (r), (s), (p) }
#define MAXPOOL(r, s) { SEQ_POOL, 0, 0, (r), (s), 0 }
#define MAXPOOL_CEIL(r, s) { SEQ_POOL_CEIL, 0, 0, (r), (s), 0 }
#define FIRE(sq, ex) { SEQ_FIRE, (sq), (ex), 0, 0, 0 }
#define SEQ_STOP { SEQ_END, 0, 0, 0, 0, 0 }

static void net_sequence(zoo_net *net, const char *prefix, const seq_op *ops)
{
	unsigned idx = 0;
	for (const seq_op *op = ops; op->kind != SEQ_END; op++) {
		switch (op->kind) {
		case SEQ_CONV:
			net_conv(net, op->out, op->kernel, op->stride, op->pad, 1, "%s.%u", prefix, idx);
			idx += 2;
			break;
		case SEQ_POOL:
		case SEQ_POOL_CEIL:
			net_pool(net, op->kernel, op->stride, op->pad, op->kind == SEQ_POOL_CEIL);
			idx += 1;
			break;
		case SEQ_FIRE: {
			/* squeeze 1x1, then expand 1x1 and expand 3x3 side by side on
			 * the squeezed activation; their outputs are concatenated. */
			net_conv(net, op->out, 1, 1, 0, 1, "%s.%u.squeeze", prefix, idx);
			zoo_shape squeezed = net->cur;
			net_conv(net, op->expand, 1, 1, 0, 1, "%s.%u.expand1x1", prefix, idx);
			net->cur = squeezed;
			net_conv(net, op->expand, 3, 1, 1, 1, "%s.%u.expand3x3", prefix, idx);
			net->cur.c = 2u * op->expand;
			idx += 1;
			break;
		}
		default:
			break;
		}
	}
}

/* Linear layers of a torchvision classifier: (index, out features) pairs. */
typedef struct fc_op {
	uint8_t index;
	uint16_t out;
} fc_op;

static void net_classifier(zoo_net *net, const fc_op *fcs, size_t n)
{
	char name[TS_LAYER_NAME_MAX];
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof name, "classifier.%u", fcs[i].index);
		net_fc(net, fcs[i].out, name);
	}
}

static ts_status build_alexnet(ts_workload *w, ts_diag *d)
{
	static const seq_op features[] = {
		CONV(64, 11, 4, 2), MAXPOOL(3, 2),
		CONV(192, 5, 1, 2), MAXPOOL(3, 2),
		CONV(384, 3, 1, 1), CONV(256, 3, 1, 1), CONV(256, 3, 1, 1), MAXPOOL(3, 2),
		SEQ_STOP,
	};
	static const fc_op classifier[] = { { 1, 4096 }, { 4, 4096 }, { 6, 1000 } };
	zoo_net net = net_start(w, d, 3, 224, 224);
	net_sequence(&net, "features", features);
	net_pool_flatten(&net, 6); /* 6x6 already at 224 input: identity */
	net_classifier(&net, classifier, 3);
	return net.st;
}

static ts_status build_vgg16(ts_workload *w, ts_diag *d)
{
	static const seq_op features[] = {
		CONV(64, 3, 1, 1), CONV(64, 3, 1, 1), MAXPOOL(2, 2),
		CONV(128, 3, 1, 1), CONV(128, 3, 1, 1), MAXPOOL(2, 2),
		CONV(256, 3, 1, 1), CONV(256, 3, 1, 1), CONV(256, 3, 1, 1), MAXPOOL(2, 2),
		CONV(512, 3, 1, 1), CONV(512, 3, 1, 1), CONV(512, 3, 1, 1), MAXPOOL(2, 2),
		CONV(512, 3, 1, 1), CONV(512, 3, 1, 1), CONV(512, 3, 1, 1), MAXPOOL(2, 2),
		SEQ_STOP,
	};
	static const fc_op classifier[] = { { 0, 4096 }, { 3, 4096 }, { 6, 1000 } };
	zoo_net net = net_start(w, d, 3, 224, 224);
	net_sequence(&net, "features", features);
	net_pool_flatten(&net, 7); /* 512 x 7 x 7 = 25088 features */
	net_classifier(&net, classifier, 3);
	return net.st;
}

/* SqueezeNet's classifier is a 1x1 conv to the classes, then a global pool. */
static ts_status build_squeezenet(ts_workload *w, ts_diag *d, const seq_op *features)
{
	zoo_net net = net_start(w, d, 3, 224, 224);
	net_sequence(&net, "features", features);
	net_conv(&net, 1000, 1, 1, 0, 1, "classifier.1");
	return net.st;
}

static ts_status build_squeezenet1_1(ts_workload *w, ts_diag *d)
{
	static const seq_op features[] = {
		CONV(64, 3, 2, 0), MAXPOOL_CEIL(3, 2),
		FIRE(16, 64), FIRE(16, 64), MAXPOOL_CEIL(3, 2),
		FIRE(32, 128), FIRE(32, 128), MAXPOOL_CEIL(3, 2),
		FIRE(48, 192), FIRE(48, 192), FIRE(64, 256), FIRE(64, 256),
		SEQ_STOP,
	};
	return build_squeezenet(w, d, features);
}

static ts_status build_squeezenet1_0(ts_workload *w, ts_diag *d)
{
	static const seq_op features[] = {
		CONV(96, 7, 2, 0), MAXPOOL_CEIL(3, 2),
		FIRE(16, 64), FIRE(16, 64), FIRE(32, 128), MAXPOOL_CEIL(3, 2),
		FIRE(32, 128), FIRE(48, 192), FIRE(48, 192), FIRE(64, 256), MAXPOOL_CEIL(3, 2),
		FIRE(64, 256),
		SEQ_STOP,
	};
	return build_squeezenet(w, d, features);
}

/* ---- ResNet ---------------------------------------------------------------- */

static ts_status build_resnet(ts_workload *w, ts_diag *d, const uint8_t blocks[4], int bottleneck)
{
	static const uint32_t stage_planes[4] = { 64, 128, 256, 512 };
	const uint32_t expansion = bottleneck ? 4 : 1;
	zoo_net net = net_start(w, d, 3, 224, 224);
	net_conv(&net, 64, 7, 2, 3, 1, "conv1");
	net_pool(&net, 3, 2, 1, 0);
	for (unsigned stage = 0; stage < 4; stage++) {
		uint32_t planes = stage_planes[stage], out = planes * expansion;
		for (unsigned b = 0; b < blocks[stage]; b++) {
			uint32_t stride = (b == 0 && stage > 0) ? 2 : 1;
			zoo_shape in = net.cur;
			if (bottleneck) {
				net_conv(&net, planes, 1, 1, 0, 1, "layer%u.%u.conv1", stage + 1, b);
				net_conv(&net, planes, 3, stride, 1, 1, "layer%u.%u.conv2", stage + 1, b);
				net_conv(&net, out, 1, 1, 0, 1, "layer%u.%u.conv3", stage + 1, b);
			} else {
				net_conv(&net, planes, 3, stride, 1, 1, "layer%u.%u.conv1", stage + 1, b);
				net_conv(&net, planes, 3, 1, 1, 1, "layer%u.%u.conv2", stage + 1, b);
			}
			/* Projection shortcut where the residual's shape changes. */
			if (stride != 1 || in.c != out) {
				zoo_shape main_path = net.cur;
				net.cur = in;
				net_conv(&net, out, 1, stride, 0, 1, "layer%u.%u.downsample.0", stage + 1, b);
				if (net.st == TS_OK && memcmp(&net.cur, &main_path, sizeof main_path) != 0)
					net.st = ts_err(d, TS_ERR_INTERNAL, "zoo: layer%u.%u shortcut shape mismatch",
							stage + 1, b);
			}
		}
	}
	net_pool_flatten(&net, 1);
	net_fc(&net, 1000, "fc");
	return net.st;
}

static ts_status build_resnet18(ts_workload *w, ts_diag *d)
{
	static const uint8_t blocks[4] = { 2, 2, 2, 2 };
	return build_resnet(w, d, blocks, 0);
}

static ts_status build_resnet50(ts_workload *w, ts_diag *d)
{
	static const uint8_t blocks[4] = { 3, 4, 6, 3 };
	return build_resnet(w, d, blocks, 1);
}

/* ---- inverted residuals (MobileNet-V2, MnasNet) ------------------------------ */

/* One stage: `repeat` blocks, the first with `stride`, expansion factor t. */
typedef struct ir_stage {
	uint8_t expand; /* t: expanded channels = input channels * t */
	uint16_t out;   /* c */
	uint8_t repeat; /* n */
	uint8_t stride; /* s, first block only */
	uint8_t kernel; /* depthwise kernel */
} ir_stage;

/* expand 1x1 (skipped when t = 1), depthwise k x k, linear project 1x1. */
static void net_inverted_residual(zoo_net *net, const ir_stage *st, uint32_t stride, const char *prefix)
{
	if (st->expand != 1)
		net_conv(net, net->cur.c * st->expand, 1, 1, 0, 1, "%s.expand", prefix);
	net_dwconv(net, st->kernel, stride, "%s.dw", prefix);
	net_conv(net, st->out, 1, 1, 0, 1, "%s.project", prefix);
}

static ts_status build_mobilenet_v2(ts_workload *w, ts_diag *d)
{
	/* Sandler et al. 2018, Table 2 (t, c, n, s); all depthwise kernels 3x3. */
	static const ir_stage stages[] = {
		{ 1, 16, 1, 1, 3 }, { 6, 24, 2, 2, 3 }, { 6, 32, 3, 2, 3 }, { 6, 64, 4, 2, 3 },
		{ 6, 96, 3, 1, 3 }, { 6, 160, 3, 2, 3 }, { 6, 320, 1, 1, 3 },
	};
	zoo_net net = net_start(w, d, 3, 224, 224);
	char prefix[TS_LAYER_NAME_MAX];
	unsigned feature = 0;
	net_conv(&net, 32, 3, 2, 1, 1, "features.%u", feature++);
	for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
		for (unsigned b = 0; b < stages[i].repeat; b++) {
			snprintf(prefix, sizeof prefix, "features.%u", feature++);
			net_inverted_residual(&net, &stages[i], b == 0 ? stages[i].stride : 1, prefix);
		}
	net_conv(&net, 1280, 1, 1, 0, 1, "features.%u", feature);
	net_pool_flatten(&net, 1);
	net_fc(&net, 1000, "classifier.1");
	return net.st;
}

static ts_status build_mnasnet(ts_workload *w, ts_diag *d)
{
	/* MnasNet-B1 1.0 (Tan et al. 2019, Fig. 7 without squeeze-excite): the
	 * stacks are torchvision's layers.8 .. layers.13. */
	static const ir_stage stages[] = {
		{ 3, 24, 3, 2, 3 }, { 3, 40, 3, 2, 5 }, { 6, 80, 3, 2, 5 },
		{ 6, 96, 2, 1, 3 }, { 6, 192, 4, 2, 5 }, { 6, 320, 1, 1, 3 },
	};
	zoo_net net = net_start(w, d, 3, 224, 224);
	char prefix[TS_LAYER_NAME_MAX];
	net_conv(&net, 32, 3, 2, 1, 1, "layers.0");
	net_dwconv(&net, 3, 1, "layers.3");
	net_conv(&net, 16, 1, 1, 0, 1, "layers.6");
	for (size_t i = 0; i < sizeof stages / sizeof stages[0]; i++)
		for (unsigned b = 0; b < stages[i].repeat; b++) {
			snprintf(prefix, sizeof prefix, "layers.%u.%u", (unsigned)(8 + i), b);
			net_inverted_residual(&net, &stages[i], b == 0 ? stages[i].stride : 1, prefix);
		}
	net_conv(&net, 1280, 1, 1, 0, 1, "layers.14");
	net_pool_flatten(&net, 1);
	net_fc(&net, 1000, "classifier.1");
	return net.st;
}

/* ---- transformer encoders (BERT-base, ViT-B/16) ------------------------------ */

typedef struct encoder_dims {
	uint32_t tokens, hidden, heads, ffn;
	const char *ffn_name; /* "ffn" (BERT) or "mlp" (ViT) */
} encoder_dims;

/* The GEMMs of one encoder layer (pre- or post-norm alike: norms carry no MACs). */
static ts_status add_encoder(ts_workload *w, const encoder_dims *e, const char *prefix, ts_diag *d)
{
	const uint32_t L = e->tokens, H = e->hidden, F = e->ffn, head_dim = e->hidden / e->heads;
	const struct {
		const char *group; /* NULL: the feed-forward block, named e->ffn_name */
		const char *leaf;
		uint32_t batch, m, kr, n;
	} gemms[] = {
		{ "attn", "q", 1, L, H, H },
		{ "attn", "k", 1, L, H, H },
		{ "attn", "v", 1, L, H, H },
		{ "attn", "qk", e->heads, L, head_dim, L }, /* scores: Q . K^T per head */
		{ "attn", "av", e->heads, L, L, head_dim }, /* softmax(scores) . V per head */
		{ "attn", "out", 1, L, H, H },
		{ NULL, "fc1", 1, L, H, F },
		{ NULL, "fc2", 1, L, F, H },
	};
	char name[TS_LAYER_NAME_MAX];
	for (size_t i = 0; i < sizeof gemms / sizeof gemms[0]; i++) {
		snprintf(name, sizeof name, "%s%s.%s", prefix, gemms[i].group ? gemms[i].group : e->ffn_name,
			 gemms[i].leaf);
		ts_layer l = ts_layer_gemm(name, gemms[i].batch, gemms[i].m, gemms[i].kr, gemms[i].n);
		ts_status st = ts_workload_add(w, &l, d);
		if (st)
			return st;
	}
	return TS_OK;
}

static ts_status add_encoders(ts_workload *w, const encoder_dims *e, unsigned n_layers, ts_diag *d)
{
	char prefix[16];
	for (unsigned i = 0; i < n_layers; i++) {
		snprintf(prefix, sizeof prefix, "enc%u.", i);
		ts_status st = add_encoder(w, e, prefix, d);
		if (st)
			return st;
	}
	return TS_OK;
}

static const encoder_dims bert_base_dims = { 128, 768, 12, 3072, "ffn" };
/* 196 patches of 16x16 from 224x224, plus the class token. */
static const encoder_dims vit_b16_dims = { 197, 768, 12, 3072, "mlp" };

static ts_status build_bert_base(ts_workload *w, ts_diag *d)
{
	return add_encoder(w, &bert_base_dims, "", d);
}

static ts_status build_bert_base_12(ts_workload *w, ts_diag *d)
{
	return add_encoders(w, &bert_base_dims, 12, d);
}

static ts_status build_vit_b16(ts_workload *w, ts_diag *d)
{
	return add_encoder(w, &vit_b16_dims, "", d);
}

static ts_status build_vit_b16_full(ts_workload *w, ts_diag *d)
{
	/* Patch embedding: a 16x16 stride-16 conv, 3 -> 768 channels, 14x14 out. */
	ts_layer patch = ts_layer_conv("patch_embed", 768, 3, 224, 224, 16, 16, 16, 0, 1);
	ts_status st = ts_workload_add(w, &patch, d);
	if (st)
		return st;
	st = add_encoders(w, &vit_b16_dims, 12, d);
	if (st)
		return st;
	/* The head reads the class token only. */
	ts_layer head = ts_layer_fc("head", 1, 1000, 768);
	return ts_workload_add(w, &head, d);
}

/* ---- the table ---------------------------------------------------------------- */

static const ts_zoo_entry zoo[] = {
	{ "mobilenet_v2", "MobileNet-V2 1.0, 3x224x224 (Sandler et al. 2018; torchvision mobilenet_v2)",
	  build_mobilenet_v2 },
	{ "resnet18", "ResNet-18, 3x224x224 (He et al. 2016; torchvision resnet18)", build_resnet18 },
	{ "resnet50", "ResNet-50 v1.5 (stride on the 3x3), 3x224x224 (He et al. 2016; torchvision resnet50)",
	  build_resnet50 },
	{ "vgg16", "VGG-16 (configuration D), 3x224x224 (Simonyan & Zisserman 2015; torchvision vgg16)",
	  build_vgg16 },
	{ "alexnet", "AlexNet, torchvision one-tower variant 64-192-384-256-256, 3x224x224 (Krizhevsky 2014)",
	  build_alexnet },
	{ "mnasnet", "MnasNet-B1 1.0, 3x224x224 (Tan et al. 2019; torchvision mnasnet1_0)", build_mnasnet },
	{ "squeezenet", "SqueezeNet 1.1, 3x224x224 (Iandola et al. 2016; torchvision squeezenet1_1)",
	  build_squeezenet1_1 },
	{ "squeezenet1_0", "SqueezeNet 1.0, 3x224x224 (Iandola et al. 2016; torchvision squeezenet1_0)",
	  build_squeezenet1_0 },
	{ "bert_base",
	  "BERT-base, one encoder layer: 128 tokens, hidden 768, 12 heads, FFN 3072 (Devlin et al. 2019)",
	  build_bert_base },
	{ "bert_base_12",
	  "BERT-base, all 12 encoder layers: 128 tokens, hidden 768, 12 heads, FFN 3072 "
	  "(Devlin et al. 2019)",
	  build_bert_base_12 },
	{ "vit_b16",
	  "ViT-B/16, one encoder layer: 197 tokens, hidden 768, 12 heads, MLP 3072 "
	  "(Dosovitskiy et al. 2021)",
	  build_vit_b16 },
	{ "vit_b16_full",
	  "ViT-B/16, 3x224x224: 16x16 patch embedding, 12 encoder layers, 1000-class head "
	  "(Dosovitskiy et al. 2021)",
	  build_vit_b16_full },
};

#define ZOO_COUNT (sizeof zoo / sizeof zoo[0])

size_t ts_zoo_count(void)
{
	return ZOO_COUNT;
}

const ts_zoo_entry *ts_zoo_get(size_t i)
{
	return i < ZOO_COUNT ? &zoo[i] : NULL;
}

ts_status ts_zoo_load(const char *name, ts_workload **out, ts_diag *d)
{
	*out = NULL;
	const ts_zoo_entry *e = NULL;
	for (size_t i = 0; name && i < ZOO_COUNT; i++)
		if (ts_name_eq(name, zoo[i].name)) {
			e = &zoo[i];
			break;
		}
	if (!e) {
		char known[512] = "";
		size_t used = 0;
		for (size_t i = 0; i < ZOO_COUNT && used < sizeof known; i++)
			used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
						 zoo[i].name);
		return ts_err(d, TS_ERR_INPUT, "unknown model '%s'; known models: %s", name ? name : "(null)",
			      known);
	}
	ts_workload *w = ts_workload_new(e->name, "zoo");
	if (!w)
		return ts_err(d, TS_ERR_NOMEM, "out of memory building model '%s'", e->name);
	ts_status st = e->build(w, d);
	if (st) {
		ts_workload_free(w);
		return st;
	}
	*out = w;
	return TS_OK;
}
