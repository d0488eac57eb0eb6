/* sdram_model.h — a cycle-based model of a 16-bit SDR SDRAM chip (the ULX3S's 32 MB part)
 * for the Verilator test of rtl/boards/ts_sdram.v: it stores the data and checks the
 * protocol every cycle, printing each violation with its cycle (docs/sdram.md).
 * Cycle k: the controller's pins as registered at its clock edge k; the chip samples them
 * half a cycle later (sdram_clk is the inverted core clock), so a READ seen in cycle t puts
 * its data on DQ for the controller's edge t + CL (CL from the mode register). */
#ifndef TSB_SDRAM_MODEL_H
#define TSB_SDRAM_MODEL_H

#include <stdint.h>
#include <vector>

struct sdram_timing {
	uint64_t clk_hz;
	int row_bits, col_bits;           /* 13, 9: 32 MB with 4 banks */
	int t_rcd_ns, t_rp_ns, t_rc_ns, t_ras_ns, t_wr_ns, t_rfc_ns, t_rrd_ns;
	int t_mrd_ck;                     /* cycles */
	int t_refi_ns;                    /* the longest interval between two AUTO REFRESHes */
	int t_init_ns;                    /* NOPs with CKE high before the first command */
	int init_refs;                    /* AUTO REFRESHes before the mode register is used */
};

struct sdram_pins {
	int cke, csn, rasn, casn, wen;
	int ba, a, dqm;
	int dq, dq_oe;                    /* the controller's drive */
};

class sdram_model {
public:
	explicit sdram_model(const sdram_timing &t);
	/* DQ as the chip drives it for the controller's edge `edge` (a changing garbage
	 * pattern when it does not drive). Call before step(edge - 1). */
	uint16_t dq_for_edge(uint64_t edge);
	/* the pins of cycle `cycle` (cycles in increasing order, one call each) */
	void step(uint64_t cycle, const sdram_pins &p);
	/* at the end of a run: the time since the last AUTO REFRESH */
	void finish(uint64_t cycle);

	uint64_t violations = 0;
	uint64_t refreshes = 0;           /* AUTO REFRESH commands after the mode register set */
	uint64_t max_ref_gap = 0;         /* cycles between two of them, the longest */
	uint64_t acts = 0, reads = 0, writes = 0, precharges = 0;
	int mode_cl = 0;                  /* 0 until the mode register is set */

private:
	void violation(uint64_t cycle, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
	bool ns_ok(uint64_t since, uint64_t now, int ns) const;   /* (now - since) cycles >= ns */

	sdram_timing t;
	std::vector<uint16_t> mem;
	uint64_t cke_since = UINT64_MAX;  /* first cycle with CKE high */
	bool precharged_all = false;
	int init_ref_count = 0;
	bool active[4] = { false, false, false, false };
	int open_row[4] = { 0, 0, 0, 0 };
	uint64_t t_act[4], t_pre[4], t_wr[4];
	uint64_t t_any_act = 0, t_any_pre = 0, t_ref = 0, t_mrs = 0, t_last_ref = 0;
	bool had_act = false, had_pre = false, had_ref = false, had_mrs = false, had_ref_after_mrs = false;
	/* read data on the bus: value per controller edge */
	struct rd { uint64_t edge; uint16_t val; };
	std::vector<rd> pending;
	uint64_t last_rd_edge = 0;        /* the chip drives DQ in cycles edge - 1 and edge */
	bool any_rd = false;
};

#endif
