/* net_internal.h — shared by net.c (reading a network with its weights) and fold.c (quantized
 * patterns into integer layers): the nodes of the graph while it is being read, with the
 * producer and consumers of every tensor. Not installed. */
#ifndef TESSERA_NET_INTERNAL_H
#define TESSERA_NET_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "onnx.pb-c.h"
#include "tessera/net.h"

#define OX_NONE SIZE_MAX /* no tensor / no node */

/* A node of the graph being read (graph order; Constant nodes are already constants). */
typedef struct ox_pnode {
	const Onnx__NodeProto *np;
	const char *op;      /* op_type ("" if none) */
	int std;             /* in the default domain ("" or "ai.onnx") */
	char label[128];     /* its name, or "<op>_<index>" when it has none */
	size_t *in, n_in;    /* tensor indices, OX_NONE = absent optional input / output */
	size_t *out, n_out;
	int live;            /* 0: folded into another node or dead */
	ts_net_qlayer *q;    /* folded: the integer layer this node became */
} ox_pnode;

typedef struct ox_net {
	const char *fname;
	const Onnx__GraphProto *g;
	ts_net *net;         /* tensors (net->t, net->nt) as read */
	ts_diag *d;
	ox_pnode *pn;
	size_t npn;
	size_t *prod;        /* per tensor: the node producing it, OX_NONE for inputs / constants */
	size_t *uses;        /* per tensor: inputs of live nodes that read it */
	size_t *user;        /* per tensor: one live node reading it (the one when uses == 1) */
} ox_net;

/* The attribute called name of node n, or NULL. */
const Onnx__AttributeProto *ts_ox_node_attr(const Onnx__NodeProto *n, const char *name);

/* Recount prod / uses / user over the live nodes. */
void ts_ox_net_count(ox_net *b);

/* Fold the quantized patterns (QLinearConv, QLinearMatMul; DequantizeLinear -> Conv / Gemm /
 * MatMul [-> Relu / Clip] -> QuantizeLinear) into integer layers: the compute node gets q and
 * the layer's input / output tensors, the other nodes of a pattern stop being live (the
 * DequantizeLinear nodes stay until nothing reads them). Errors name the file and node. */
ts_status ts_ox_net_fold(ox_net *b);

void ts_ox_qlayer_free(ts_net_qlayer *q);

#endif
