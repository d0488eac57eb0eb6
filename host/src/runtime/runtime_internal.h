/* runtime_internal.h — helpers shared by the runtime's sources (not installed). */
#ifndef TESSERA_RUNTIME_INTERNAL_H
#define TESSERA_RUNTIME_INTERNAL_H

#include <stdint.h>

#include "tessera/runtime.h"

/* Bias of output channel k as the qtab holds it: q->bias[k] (NULL: 0) minus
 * q->x_zp * the sum of the channel's weights (w NULL: no weights), int32 wrap-around. */
int32_t ts_rt_folded_bias(const ts_hwcfg *c, const ts_layer *l, const void *w, const ts_rt_quant *q,
			  uint32_t k);

#endif
