/* test_zoo.c — the built-in model zoo: MAC totals computed by hand from the
 * papers' layer tables, layer counts, spot-checked layer shapes (including
 * the spatial sizes that pooling leaves), name lookup and its errors. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "tessera/util.h"
#include "tessera/workload.h"

/* ---- exact totals, written out layer group by layer group ---------------- */

/* AlexNet (torchvision): conv K*P*Q*C*R*S at 55, 27, 13, 13, 13; FC 9216-4096-4096-1000. */
#define ALEXNET_MACS                                                                    \
	(64ull * 55 * 55 * 3 * 11 * 11 + 192ull * 27 * 27 * 64 * 5 * 5 +                 \
	 384ull * 13 * 13 * 192 * 9 + 256ull * 13 * 13 * 384 * 9 + 256ull * 13 * 13 * 256 * 9 + \
	 9216ull * 4096 + 4096ull * 4096 + 4096ull * 1000)

/* VGG-16: 3x3 convs per resolution, then FC 25088-4096-4096-1000. */
#define VGG16_MACS                                                                      \
	(9ull * 224 * 224 * (64 * 3 + 64 * 64) + 9ull * 112 * 112 * (128 * 64 + 128 * 128) + \
	 9ull * 56 * 56 * (256 * 128 + 2 * 256 * 256) + 9ull * 28 * 28 * (512 * 256 + 2 * 512 * 512) + \
	 9ull * 14 * 14 * (3 * 512 * 512) + 25088ull * 4096 + 4096ull * 4096 + 4096ull * 1000)

/* Stem 7x7/2 to 112x112 (shared by both ResNets). */
#define RESNET_STEM (64ull * 112 * 112 * 3 * 49)

/* ResNet-18: 3x3 convs; the first conv of stages 2-4 has stride 2 and a 1x1/2 shortcut. */
#define RESNET18_MACS                                                                   \
	(RESNET_STEM + 4 * 9ull * 56 * 56 * 64 * 64 +                                       \
	 28ull * 28 * (9 * 128 * 64 + 3 * 9 * 128 * 128 + 128 * 64) +                       \
	 14ull * 14 * (9 * 256 * 128 + 3 * 9 * 256 * 256 + 256 * 128) +                     \
	 7ull * 7 * (9 * 512 * 256 + 3 * 9 * 512 * 512 + 512 * 256) + 512ull * 1000)

/* One stride-1 bottleneck at `planes` (input and output 4 * planes). */
#define BOTTLENECK(planes) (2ull * 4 * (planes) * (planes) + 9ull * (planes) * (planes))

/* ResNet-50 v1.5: first block of each stage: conv1 1x1 at the input size,
 * conv2 3x3 with the stride, conv3 and the shortcut at the output size. */
#define RESNET50_MACS                                                                   \
	(RESNET_STEM +                                                                      \
	 56ull * 56 * (64 * 64 + 9 * 64 * 64 + 256 * 64 + 256 * 64 + 2 * BOTTLENECK(64)) +  \
	 56ull * 56 * 128 * 256 +                                                           \
	 28ull * 28 * (9 * 128 * 128 + 512 * 128 + 512 * 256 + 3 * BOTTLENECK(128)) +        \
	 28ull * 28 * 256 * 512 +                                                           \
	 14ull * 14 * (9 * 256 * 256 + 1024 * 256 + 1024 * 512 + 5 * BOTTLENECK(256)) +      \
	 14ull * 14 * 512 * 1024 +                                                          \
	 7ull * 7 * (9 * 512 * 512 + 2048 * 512 + 2048 * 1024 + 2 * BOTTLENECK(512)) +       \
	 2048ull * 1000)

/* MobileNet-V2 stages (t, c, n, s), each summed by hand: expand + dw + project. */
#define MOBILENET_V2_MACS                                                               \
	(10838016ull   /* features.0: 32*112*112*3*9 */                                     \
	 + 10035200ull /* (1, 16, 1, 1): 32*112*112*9 + 16*112*112*32 */                    \
	 + 54942720ull /* (6, 24, 2, 2) */                                                  \
	 + 37443840ull /* (6, 32, 3, 2) */                                                  \
	 + 38497536ull /* (6, 64, 4, 2) */                                                  \
	 + 58103808ull /* (6, 96, 3, 1) */                                                  \
	 + 46560192ull /* (6, 160, 3, 2) */                                                 \
	 + 23002560ull /* (6, 320, 1, 1) */                                                 \
	 + 1280ull * 320 * 7 * 7 + 1280ull * 1000)

/* MnasNet-B1 stacks (t, c, n, s, k). */
#define MNASNET_MACS                                                                    \
	(32ull * 112 * 112 * 3 * 9 + 32ull * 112 * 112 * 9 + 16ull * 112 * 112 * 32         \
	 + 40341504ull /* (3, 24, 3, 2, 3) */                                               \
	 + 28844928ull /* (3, 40, 3, 2, 5) */                                               \
	 + 47275200ull /* (6, 80, 3, 2, 5) */                                               \
	 + 40096896ull /* (6, 96, 2, 1, 3) */                                               \
	 + 86224320ull /* (6, 192, 4, 2, 5) */                                              \
	 + 29409408ull /* (6, 320, 1, 1, 3) */                                              \
	 + 1280ull * 320 * 7 * 7 + 1280ull * 1000)

/* Fire module at h x h: squeeze 1x1, expand 1x1 and expand 3x3 (pad 1). */
#define FIRE_MACS(h, in, sq, e) ((uint64_t)(h) * (h) * ((sq) * (in) + (e) * (sq) + 9 * (e) * (sq)))

/* SqueezeNet 1.1: conv 3x3/2 -> 111, ceil-mode pools -> 55, 27, 13. */
#define SQUEEZENET1_1_MACS                                                              \
	(64ull * 111 * 111 * 3 * 9 + FIRE_MACS(55, 64, 16, 64) + FIRE_MACS(55, 128, 16, 64) + \
	 FIRE_MACS(27, 128, 32, 128) + FIRE_MACS(27, 256, 32, 128) +                        \
	 FIRE_MACS(13, 256, 48, 192) + FIRE_MACS(13, 384, 48, 192) +                        \
	 FIRE_MACS(13, 384, 64, 256) + FIRE_MACS(13, 512, 64, 256) + 1000ull * 13 * 13 * 512)

/* SqueezeNet 1.0: conv 7x7/2 -> 109, ceil-mode pools -> 54, 27, 13. */
#define SQUEEZENET1_0_MACS                                                              \
	(96ull * 109 * 109 * 3 * 49 + FIRE_MACS(54, 96, 16, 64) + FIRE_MACS(54, 128, 16, 64) + \
	 FIRE_MACS(54, 128, 32, 128) + FIRE_MACS(27, 256, 32, 128) +                        \
	 FIRE_MACS(27, 256, 48, 192) + FIRE_MACS(27, 384, 48, 192) +                        \
	 FIRE_MACS(27, 384, 64, 256) + FIRE_MACS(13, 512, 64, 256) + 1000ull * 13 * 13 * 512)

/* One encoder layer: Q, K, V, output projections, QK^T and AV per head, FFN. */
#define ENCODER_MACS(L, H, heads, F)                                                    \
	(4ull * (L) * (H) * (H) + 2ull * (heads) * (L) * (L) * ((H) / (heads)) +            \
	 2ull * (L) * (H) * (F))

#define VIT_PATCH_MACS (768ull * 14 * 14 * 3 * 16 * 16)

typedef struct model_expect {
	const char *name;
	uint64_t macs;      /* exact, from the formulas above */
	uint64_t macs_literal; /* the same number typed out (catches a wrong formula) */
	double published;   /* figure from the source (0: none published) */
	size_t n_layers;
} model_expect;

static const model_expect expected[] = {
	{ "mobilenet_v2", MOBILENET_V2_MACS, 300774272ull, 300.8e6, 53 },
	{ "resnet18", RESNET18_MACS, 1814073344ull, 1.82e9, 21 },
	{ "resnet50", RESNET50_MACS, 4089184256ull, 4.09e9, 54 },
	{ "vgg16", VGG16_MACS, 15470264320ull, 15.47e9, 16 },
	{ "alexnet", ALEXNET_MACS, 714188480ull, 0.71e9, 8 },
	{ "mnasnet", MNASNET_MACS, 314415872ull, 0.31e9, 53 },   /* torchvision: 0.31 G */
	{ "squeezenet", SQUEEZENET1_1_MACS, 349151936ull, 0.35e9, 26 },
	{ "squeezenet1_0", SQUEEZENET1_0_MACS, 818924576ull, 0.82e9, 26 },
	{ "bert_base", ENCODER_MACS(128, 768, 12, 3072), 931135488ull, 0, 8 },
	{ "bert_base_12", 12 * ENCODER_MACS(128, 768, 12, 3072), 11173625856ull, 0, 96 },
	{ "vit_b16", ENCODER_MACS(197, 768, 12, 3072), 1453954560ull, 0, 8 },
	{ "vit_b16_full", VIT_PATCH_MACS + 12 * ENCODER_MACS(197, 768, 12, 3072) + 768ull * 1000,
	  17563828224ull, 17.5e9, 98 },
};

#define N_EXPECTED (sizeof expected / sizeof expected[0])

/* ---- helpers ----------------------------------------------------------------- */

static ts_workload *load(const char *name)
{
	ts_workload *w = NULL;
	ts_diag d;
	ts_diag_clear(&d);
	ts_status st = ts_zoo_load(name, &w, &d);
	if (st != TS_OK || !w)
		fail_msg("ts_zoo_load(\"%s\") = %d: %s", name, (int)st, d.msg);
	return w;
}

static const ts_layer *find_layer(const ts_workload *w, const char *name)
{
	for (size_t i = 0; i < w->n_layers; i++)
		if (strcmp(w->layers[i].name, name) == 0)
			return &w->layers[i];
	return NULL;
}

static const ts_layer *must_find(const ts_workload *w, const char *name)
{
	const ts_layer *l = find_layer(w, name);
	if (!l)
		fail_msg("%s: no layer '%s'", w->name, name);
	return l;
}

/* Square conv shape: op, K, C, input Y = X, kernel R = S, stride, symmetric pad,
 * groups, and the output size P = Q it must produce. */
static void check_conv(const ts_workload *w, const char *name, ts_op op, uint32_t k, uint32_t c,
		       uint32_t in, uint32_t kernel, uint32_t stride, uint32_t pad, uint32_t groups,
		       uint32_t out)
{
	const ts_layer *l = must_find(w, name);
	if (l->op != op || l->k != k || l->c != c || l->y != in || l->x != in || l->r != kernel ||
	    l->s != kernel || l->stride_y != stride || l->stride_x != stride || l->pad_top != pad ||
	    l->pad_left != pad || l->pad_bottom != pad || l->pad_right != pad || l->groups != groups ||
	    l->n != 1 || ts_layer_out_h(l) != out || ts_layer_out_w(l) != out)
		fail_msg("%s %s: got %s K=%u C=%u %ux%u R=%u S=%u stride %u pad %u groups %u n %u -> %ux%u; "
			 "want %s K=%u C=%u %ux%u %ux%u stride %u pad %u groups %u -> %ux%u",
			 w->name, name, ts_op_name(l->op), l->k, l->c, l->y, l->x, l->r, l->s, l->stride_y,
			 l->pad_top, l->groups, l->n, ts_layer_out_h(l), ts_layer_out_w(l), ts_op_name(op), k,
			 c, in, in, kernel, kernel, stride, pad, groups, out, out);
}

static void check_fc(const ts_workload *w, const char *name, uint32_t k, uint32_t c)
{
	const ts_layer *l = must_find(w, name);
	if (l->op != TS_OP_FC || l->k != k || l->c != c || l->n != 1)
		fail_msg("%s %s: got %s K=%u C=%u n=%u; want fc K=%u C=%u", w->name, name,
			 ts_op_name(l->op), l->k, l->c, l->n, k, c);
	assert_int_equal(ts_layer_macs(l), (uint64_t)k * c);
}

/* A GEMM of `count` independent m x kr by kr x n products. */
static void check_gemm(const ts_workload *w, const char *name, uint64_t count, uint64_t m, uint64_t kr,
		       uint64_t n)
{
	const ts_layer *l = must_find(w, name);
	ts_gemm_shape g = ts_layer_gemm_shape(l);
	if (l->op != TS_OP_GEMM || g.groups != count || g.m != m || g.kr != kr || g.n != n)
		fail_msg("%s %s: got %s %llu x (%llu x %llu by %llu x %llu); want gemm %llu x (%llu x %llu by %llu x %llu)",
			 w->name, name, ts_op_name(l->op), (unsigned long long)g.groups,
			 (unsigned long long)g.m, (unsigned long long)g.kr, (unsigned long long)g.kr,
			 (unsigned long long)g.n, (unsigned long long)count, (unsigned long long)m,
			 (unsigned long long)kr, (unsigned long long)kr, (unsigned long long)n);
	assert_int_equal(ts_layer_macs(l), count * m * kr * n);
}

/* ---- whole-zoo checks ---------------------------------------------------------- */

static const model_expect *expect_for(const char *name)
{
	for (size_t i = 0; i < N_EXPECTED; i++)
		if (strcmp(expected[i].name, name) == 0)
			return &expected[i];
	return NULL;
}

/* The formulas and the typed-out numbers agree (so neither has a typo). */
static void test_expectations_consistent(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_EXPECTED; i++)
		if (expected[i].macs != expected[i].macs_literal)
			fail_msg("%s: formula gives %llu, literal %llu", expected[i].name,
				 (unsigned long long)expected[i].macs,
				 (unsigned long long)expected[i].macs_literal);
	/* Cross-checks between models: 12 BERT layers are 12 times one. */
	assert_int_equal(expect_for("bert_base_12")->macs, 12 * expect_for("bert_base")->macs);
}

/* Every model in the zoo has an expectation here and the other way round. */
static void test_zoo_table_covered(void **state)
{
	(void)state;
	assert_int_equal(ts_zoo_count(), N_EXPECTED);
	for (size_t i = 0; i < ts_zoo_count(); i++) {
		const ts_zoo_entry *e = ts_zoo_get(i);
		assert_non_null(e);
		if (!expect_for(e->name))
			fail_msg("zoo model '%s' has no expected MAC total in test_zoo.c", e->name);
		assert_non_null(e->description);
		assert_true(strlen(e->description) > 20);
		for (size_t j = 0; j < i; j++)
			if (strcmp(ts_zoo_get(j)->name, e->name) == 0)
				fail_msg("zoo name '%s' appears twice", e->name);
	}
	assert_null(ts_zoo_get(ts_zoo_count()));
	assert_null(ts_zoo_get((size_t)-1));
}

static void test_macs_exact_and_published(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_EXPECTED; i++) {
		const model_expect *e = &expected[i];
		ts_workload *w = load(e->name);
		uint64_t macs = ts_workload_macs(w);
		printf("  %-14s %3zu layers %15llu MACs\n", e->name, w->n_layers, (unsigned long long)macs);
		if (macs != e->macs)
			fail_msg("%s: %llu MACs, expected %llu", e->name, (unsigned long long)macs,
				 (unsigned long long)e->macs);
		if (w->n_layers != e->n_layers)
			fail_msg("%s: %zu layers, expected %zu", e->name, w->n_layers, e->n_layers);
		if (e->published > 0 && fabs((double)macs / e->published - 1.0) > 0.02)
			fail_msg("%s: %llu MACs is more than 2%% from the published %.4g", e->name,
				 (unsigned long long)macs, e->published);
		ts_workload_free(w);
	}
}

static void test_every_layer_valid_and_named(void **state)
{
	(void)state;
	for (size_t i = 0; i < ts_zoo_count(); i++) {
		const ts_zoo_entry *e = ts_zoo_get(i);
		ts_workload *w = load(e->name);
		assert_string_equal(w->name, e->name);
		assert_string_equal(w->source, "zoo");
		for (size_t j = 0; j < w->n_layers; j++) {
			const ts_layer *l = &w->layers[j];
			ts_diag d;
			ts_diag_clear(&d);
			if (ts_layer_validate(l, &d) != TS_OK)
				fail_msg("%s layer %zu: %s", e->name, j, d.msg);
			if (l->name[0] == '\0')
				fail_msg("%s layer %zu has no name", e->name, j);
			if (l->n != 1)
				fail_msg("%s %s: batch %u, zoo models are batch 1", e->name, l->name, l->n);
			for (size_t k = 0; k < j; k++)
				if (strcmp(w->layers[k].name, l->name) == 0)
					fail_msg("%s: layer name '%s' used twice", e->name, l->name);
		}
		ts_workload_free(w);
	}
}

/* ---- per-model spot checks -------------------------------------------------------- */

static void test_resnet50(void **state)
{
	(void)state;
	ts_workload *w = load("resnet50");
	check_conv(w, "conv1", TS_OP_CONV, 64, 3, 224, 7, 2, 3, 1, 112);
	/* after the 3x3/2 max pool: 56x56 */
	check_conv(w, "layer1.0.conv1", TS_OP_CONV, 64, 64, 56, 1, 1, 0, 1, 56);
	check_conv(w, "layer1.0.downsample.0", TS_OP_CONV, 256, 64, 56, 1, 1, 0, 1, 56);
	/* v1.5: conv1 keeps 56x56, conv2 (3x3) carries the stride */
	check_conv(w, "layer2.0.conv1", TS_OP_CONV, 128, 256, 56, 1, 1, 0, 1, 56);
	check_conv(w, "layer2.0.conv2", TS_OP_CONV, 128, 128, 56, 3, 2, 1, 1, 28);
	check_conv(w, "layer3.0.downsample.0", TS_OP_CONV, 1024, 512, 28, 1, 2, 0, 1, 14);
	check_conv(w, "layer3.5.conv2", TS_OP_CONV, 256, 256, 14, 3, 1, 1, 1, 14);
	check_conv(w, "layer4.2.conv3", TS_OP_CONV, 2048, 512, 7, 1, 1, 0, 1, 7);
	assert_int_equal(ts_layer_macs(must_find(w, "layer4.2.conv3")), 2048ull * 512 * 7 * 7);
	check_fc(w, "fc", 1000, 2048);
	assert_null(find_layer(w, "layer1.1.downsample.0"));
	assert_null(find_layer(w, "layer4.3.conv1")); /* 3 blocks in stage 4 */
	ts_workload_free(w);
}

static void test_resnet18(void **state)
{
	(void)state;
	ts_workload *w = load("resnet18");
	check_conv(w, "layer1.0.conv1", TS_OP_CONV, 64, 64, 56, 3, 1, 1, 1, 56);
	assert_null(find_layer(w, "layer1.0.downsample.0")); /* 64 -> 64, stride 1: identity */
	assert_null(find_layer(w, "layer1.0.conv3"));        /* basic blocks */
	check_conv(w, "layer2.0.conv1", TS_OP_CONV, 128, 64, 56, 3, 2, 1, 1, 28);
	check_conv(w, "layer2.0.downsample.0", TS_OP_CONV, 128, 64, 56, 1, 2, 0, 1, 28);
	check_conv(w, "layer4.1.conv2", TS_OP_CONV, 512, 512, 7, 3, 1, 1, 1, 7);
	check_fc(w, "fc", 1000, 512);
	ts_workload_free(w);
}

static void test_mobilenet_v2(void **state)
{
	(void)state;
	ts_workload *w = load("mobilenet_v2");
	check_conv(w, "features.0", TS_OP_CONV, 32, 3, 224, 3, 2, 1, 1, 112);
	/* t = 1 block: no expansion */
	assert_null(find_layer(w, "features.1.expand"));
	check_conv(w, "features.1.dw", TS_OP_DWCONV, 32, 32, 112, 3, 1, 1, 32, 112);
	check_conv(w, "features.1.project", TS_OP_CONV, 16, 32, 112, 1, 1, 0, 1, 112);
	/* first block of (6, 24, 2, 2): expand 16 -> 96, depthwise stride 2 112 -> 56 */
	check_conv(w, "features.2.expand", TS_OP_CONV, 96, 16, 112, 1, 1, 0, 1, 112);
	check_conv(w, "features.2.dw", TS_OP_DWCONV, 96, 96, 112, 3, 2, 1, 96, 56);
	assert_int_equal(ts_layer_macs(must_find(w, "features.2.dw")), 96ull * 56 * 56 * 9);
	check_conv(w, "features.2.project", TS_OP_CONV, 24, 96, 56, 1, 1, 0, 1, 56);
	/* first block of (6, 160, 3, 2): 96 * 6 = 576 channels, 14 -> 7 */
	check_conv(w, "features.14.dw", TS_OP_DWCONV, 576, 576, 14, 3, 2, 1, 576, 7);
	check_conv(w, "features.17.project", TS_OP_CONV, 320, 960, 7, 1, 1, 0, 1, 7);
	check_conv(w, "features.18", TS_OP_CONV, 1280, 320, 7, 1, 1, 0, 1, 7);
	check_fc(w, "classifier.1", 1000, 1280);
	assert_null(find_layer(w, "features.19"));
	ts_workload_free(w);
}

static void test_mnasnet(void **state)
{
	(void)state;
	ts_workload *w = load("mnasnet");
	check_conv(w, "layers.0", TS_OP_CONV, 32, 3, 224, 3, 2, 1, 1, 112);
	check_conv(w, "layers.3", TS_OP_DWCONV, 32, 32, 112, 3, 1, 1, 32, 112);
	check_conv(w, "layers.6", TS_OP_CONV, 16, 32, 112, 1, 1, 0, 1, 112);
	check_conv(w, "layers.8.0.expand", TS_OP_CONV, 48, 16, 112, 1, 1, 0, 1, 112);
	/* 5x5 depthwise, stride 2, pad 2: 72 = 24 * 3 channels, 56 -> 28 */
	check_conv(w, "layers.9.0.dw", TS_OP_DWCONV, 72, 72, 56, 5, 2, 2, 72, 28);
	check_conv(w, "layers.11.1.dw", TS_OP_DWCONV, 576, 576, 14, 3, 1, 1, 576, 14);
	check_conv(w, "layers.12.3.dw", TS_OP_DWCONV, 1152, 1152, 7, 5, 1, 2, 1152, 7);
	check_conv(w, "layers.13.0.project", TS_OP_CONV, 320, 1152, 7, 1, 1, 0, 1, 7);
	check_conv(w, "layers.14", TS_OP_CONV, 1280, 320, 7, 1, 1, 0, 1, 7);
	check_fc(w, "classifier.1", 1000, 1280);
	assert_null(find_layer(w, "layers.13.1.dw")); /* last stack repeats once */
	ts_workload_free(w);
}

static void test_vgg16(void **state)
{
	(void)state;
	ts_workload *w = load("vgg16");
	check_conv(w, "features.0", TS_OP_CONV, 64, 3, 224, 3, 1, 1, 1, 224);
	check_conv(w, "features.5", TS_OP_CONV, 128, 64, 112, 3, 1, 1, 1, 112);
	check_conv(w, "features.17", TS_OP_CONV, 512, 256, 28, 3, 1, 1, 1, 28);
	check_conv(w, "features.28", TS_OP_CONV, 512, 512, 14, 3, 1, 1, 1, 14);
	check_fc(w, "classifier.0", 4096, 512 * 7 * 7);
	check_fc(w, "classifier.3", 4096, 4096);
	check_fc(w, "classifier.6", 1000, 4096);
	ts_workload_free(w);
}

static void test_alexnet(void **state)
{
	(void)state;
	ts_workload *w = load("alexnet");
	check_conv(w, "features.0", TS_OP_CONV, 64, 3, 224, 11, 4, 2, 1, 55);
	check_conv(w, "features.3", TS_OP_CONV, 192, 64, 27, 5, 1, 2, 1, 27);
	check_conv(w, "features.6", TS_OP_CONV, 384, 192, 13, 3, 1, 1, 1, 13);
	check_conv(w, "features.10", TS_OP_CONV, 256, 256, 13, 3, 1, 1, 1, 13);
	check_fc(w, "classifier.1", 4096, 256 * 6 * 6);
	check_fc(w, "classifier.6", 1000, 4096);
	ts_workload_free(w);
}

static void test_squeezenet(void **state)
{
	(void)state;
	ts_workload *w = load("squeezenet");
	check_conv(w, "features.0", TS_OP_CONV, 64, 3, 224, 3, 2, 0, 1, 111);
	/* ceil-mode pool 111 -> 55 */
	check_conv(w, "features.3.squeeze", TS_OP_CONV, 16, 64, 55, 1, 1, 0, 1, 55);
	check_conv(w, "features.3.expand1x1", TS_OP_CONV, 64, 16, 55, 1, 1, 0, 1, 55);
	check_conv(w, "features.3.expand3x3", TS_OP_CONV, 64, 16, 55, 3, 1, 1, 1, 55);
	/* concatenated expands: 128 channels into the next squeeze */
	check_conv(w, "features.4.squeeze", TS_OP_CONV, 16, 128, 55, 1, 1, 0, 1, 55);
	check_conv(w, "features.6.squeeze", TS_OP_CONV, 32, 128, 27, 1, 1, 0, 1, 27);
	check_conv(w, "features.12.expand3x3", TS_OP_CONV, 256, 64, 13, 3, 1, 1, 1, 13);
	check_conv(w, "classifier.1", TS_OP_CONV, 1000, 512, 13, 1, 1, 0, 1, 13);
	ts_workload_free(w);

	w = load("squeezenet1_0");
	check_conv(w, "features.0", TS_OP_CONV, 96, 3, 224, 7, 2, 0, 1, 109);
	check_conv(w, "features.3.squeeze", TS_OP_CONV, 16, 96, 54, 1, 1, 0, 1, 54);
	/* 54 -> 27 only with ceil mode (floor would give 26) */
	check_conv(w, "features.7.squeeze", TS_OP_CONV, 32, 256, 27, 1, 1, 0, 1, 27);
	check_conv(w, "features.12.squeeze", TS_OP_CONV, 64, 512, 13, 1, 1, 0, 1, 13);
	check_conv(w, "classifier.1", TS_OP_CONV, 1000, 512, 13, 1, 1, 0, 1, 13);
	ts_workload_free(w);
}

static void test_bert(void **state)
{
	(void)state;
	ts_workload *w = load("bert_base");
	check_gemm(w, "attn.q", 1, 128, 768, 768);
	check_gemm(w, "attn.k", 1, 128, 768, 768);
	check_gemm(w, "attn.v", 1, 128, 768, 768);
	check_gemm(w, "attn.qk", 12, 128, 64, 128);
	check_gemm(w, "attn.av", 12, 128, 128, 64);
	check_gemm(w, "attn.out", 1, 128, 768, 768);
	check_gemm(w, "ffn.fc1", 1, 128, 768, 3072);
	check_gemm(w, "ffn.fc2", 1, 128, 3072, 768);
	assert_int_equal(ts_layer_macs(must_find(w, "attn.qk")), 12582912ull);
	ts_workload_free(w);

	w = load("bert_base_12");
	check_gemm(w, "enc0.attn.q", 1, 128, 768, 768);
	check_gemm(w, "enc5.attn.av", 12, 128, 128, 64);
	check_gemm(w, "enc11.ffn.fc2", 1, 128, 3072, 768);
	assert_null(find_layer(w, "enc12.attn.q"));
	assert_null(find_layer(w, "attn.q"));
	ts_workload_free(w);
}

static void test_vit(void **state)
{
	(void)state;
	ts_workload *w = load("vit_b16");
	check_gemm(w, "attn.q", 1, 197, 768, 768);
	check_gemm(w, "attn.qk", 12, 197, 64, 197);
	check_gemm(w, "attn.av", 12, 197, 197, 64);
	check_gemm(w, "mlp.fc1", 1, 197, 768, 3072);
	check_gemm(w, "mlp.fc2", 1, 197, 3072, 768);
	ts_workload_free(w);

	w = load("vit_b16_full");
	const ts_layer *patch = must_find(w, "patch_embed");
	assert_int_equal(patch->op, TS_OP_CONV);
	assert_int_equal(patch->k, 768);
	assert_int_equal(patch->c, 3);
	assert_int_equal(patch->y, 224);
	assert_int_equal(patch->r, 16);
	assert_int_equal(patch->stride_y, 16);
	assert_int_equal(ts_layer_out_h(patch), 14); /* 196 patches + class token = 197 */
	assert_int_equal(ts_layer_macs(patch), VIT_PATCH_MACS);
	check_gemm(w, "enc0.attn.qk", 12, 197, 64, 197);
	check_gemm(w, "enc11.mlp.fc2", 1, 197, 3072, 768);
	check_fc(w, "head", 1000, 768);
	ts_workload_free(w);
}

/* ---- lookup by name ---------------------------------------------------------------- */

static void test_load_name_folding(void **state)
{
	(void)state;
	static const struct {
		const char *spelled, *canonical;
	} names[] = {
		{ "MobileNet-V2", "mobilenet_v2" }, { "MOBILENET_V2", "mobilenet_v2" },
		{ "ResNet50", "resnet50" },         { "vit-b16-full", "vit_b16_full" },
		{ "Bert-Base-12", "bert_base_12" }, { "SqueezeNet1-0", "squeezenet1_0" },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		ts_workload *w = load(names[i].spelled);
		assert_string_equal(w->name, names[i].canonical);
		ts_workload_free(w);
	}
}

static void test_load_unknown(void **state)
{
	(void)state;
	/* '-' and '_' fold into each other, but a separator is not optional:
	 * "resnet-50" is not "resnet50"; the message lists the right spelling. */
	static const char *const bad[] = { "resnet-50", "resnet", "resnet50x", "", "mobilenet" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		static ts_workload sentinel;
		ts_workload *w = &sentinel; /* must be reset to NULL */
		ts_diag d;
		ts_diag_clear(&d);
		assert_int_equal(ts_zoo_load(bad[i], &w, &d), TS_ERR_INPUT);
		assert_null(w);
		char quoted[64];
		snprintf(quoted, sizeof quoted, "unknown model '%s'", bad[i]);
		if (!strstr(d.msg, quoted))
			fail_msg("message '%s' lacks \"%s\"", d.msg, quoted);
		for (size_t j = 0; j < ts_zoo_count(); j++)
			if (!strstr(d.msg, ts_zoo_get(j)->name))
				fail_msg("message '%s' does not list '%s'", d.msg, ts_zoo_get(j)->name);
	}
	ts_workload *w = NULL;
	ts_diag d;
	ts_diag_clear(&d);
	assert_int_equal(ts_zoo_load(NULL, &w, &d), TS_ERR_INPUT);
	assert_null(w);
	assert_non_null(strstr(d.msg, "known models: mobilenet_v2"));
	/* a NULL diag is allowed */
	assert_int_equal(ts_zoo_load("nope", &w, NULL), TS_ERR_INPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expectations_consistent),
		cmocka_unit_test(test_zoo_table_covered),
		cmocka_unit_test(test_macs_exact_and_published),
		cmocka_unit_test(test_every_layer_valid_and_named),
		cmocka_unit_test(test_resnet50),
		cmocka_unit_test(test_resnet18),
		cmocka_unit_test(test_mobilenet_v2),
		cmocka_unit_test(test_mnasnet),
		cmocka_unit_test(test_vgg16),
		cmocka_unit_test(test_alexnet),
		cmocka_unit_test(test_squeezenet),
		cmocka_unit_test(test_bert),
		cmocka_unit_test(test_vit),
		cmocka_unit_test(test_load_name_folding),
		cmocka_unit_test(test_load_unknown),
	};
	return cmocka_run_group_tests_name("zoo", tests, NULL, NULL);
}
