/* bench_sim.c — simulated cycles per second of the Verilated accelerator
 * (whole design: controller, DMA, scratchpads, array, requantizer) running one
 * int8 GEMM on 4x4, 8x8 and 16x16 weight-stationary arrays. The iverilog peer
 * of the brief is not measured yet (see the report of issue 4). */
#include <stdio.h>
#include <stdlib.h>

#include "tessera/hwcfg.h"
#include "tessera/sim.h"
#include "tessera/workload.h"

int main(void)
{
	static const uint32_t dims[] = { 4, 8, 16 };
	int rc = 0;
	for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
		ts_hwcfg c;
		ts_hwcfg_default(&c);
		snprintf(c.name, sizeof c.name, "bench-%ux%u-int8-ws", dims[i], dims[i]);
		c.rows = c.cols = dims[i];
		c.dataflow = TS_DF_WS;
		c.pe = TS_PE_INT8;
		c.spad_input_bytes = c.spad_weight_bytes = 16384;
		c.spad_acc_bytes = 65536;
		c.dram_bytes_per_cycle = 8;
		c.dram_latency = 30;
		ts_layer l = ts_layer_gemm("gemm", 1, 256, 256, 256);
		ts_diag d = { { 0 } };
		ts_sim_opts o = { 0 };
		o.quiet = 1;
		o.mem_base = 0x10000000ull;
		o.mem_size = 8u << 20;
		ts_sim *s;
		if (ts_sim_open(&c, &o, &s, &d)) {
			fprintf(stderr, "bench_sim: %s\n", d.msg);
			return 1;
		}
		ts_sim_layer_result r;
		if (ts_sim_layer(s, &c, &l, 1, &r, &d)) {
			fprintf(stderr, "bench_sim: %s\n", d.msg);
			rc = 1;
		} else {
			printf("verilator %2ux%-2u int8 ws gemm 256^3: %10llu cycles in %6.3f s = %6.2f M cycles/s%s\n",
			       dims[i], dims[i], (unsigned long long)r.sim_cycles, r.seconds,
			       r.sim_cycles / r.seconds / 1e6,
			       r.mismatches || r.rtl_cycles != r.model_cycles ? "  (MISMATCH)" : "");
		}
		ts_sim_close(s);
	}
	return rc;
}
