// sdram_model.cpp — the SDR SDRAM chip model of sdram_model.h: JEDEC SDR commands
// (CS#, RAS#, CAS#, WE# = NOP 0111, ACTIVE 0011, READ 0101, WRITE 0100, PRECHARGE 0010
// (A10: all banks), AUTO REFRESH 0001, LOAD MODE REGISTER 0000), burst length 1 only.
// Checked, with the cycle: nothing but NOPs during the power-up wait with CKE high;
// PRECHARGE ALL, init_refs AUTO REFRESHes and the mode register before the first ACTIVE;
// each command legal in its bank's state (READ / WRITE on an open row, ACTIVE on an idle
// bank, REFRESH / LOAD MODE with every bank idle); tRCD, tRP, tRC, tRAS, tWR, tRFC, tRRD,
// tMRD met (the gap in cycles times the period at least the datasheet's ns); no two
// AUTO REFRESHes (from the first after the mode register) further apart than tREFI, nor
// the last from the end; the controller drives DQ in a WRITE's cycle and never while
// the chip drives read data; CKE high, no auto precharge, no burst terminate.
#include "sdram_model.h"

#include <stdarg.h>
#include <stdio.h>

static const int MAX_PRINTED = 20;

sdram_model::sdram_model(const sdram_timing &timing) : t(timing)
{
	mem.assign((size_t)4 << (t.row_bits + t.col_bits), 0);
	for (int b = 0; b < 4; b++)
		t_act[b] = t_pre[b] = t_wr[b] = 0;
}

void sdram_model::violation(uint64_t cycle, const char *fmt, ...)
{
	violations++;
	if (violations > (uint64_t)MAX_PRINTED)
		return;
	va_list ap;
	va_start(ap, fmt);
	printf("SDRAM VIOLATION at cycle %llu: ", (unsigned long long)cycle);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	if (violations == (uint64_t)MAX_PRINTED)
		printf("SDRAM: further violations counted, not printed\n");
}

bool sdram_model::ns_ok(uint64_t since, uint64_t now, int ns) const
{
	// (now - since) / clk_hz >= ns / 1e9
	return (now - since) * 1000000000ull >= (uint64_t)ns * t.clk_hz;
}

uint16_t sdram_model::dq_for_edge(uint64_t edge)
{
	for (size_t i = 0; i < pending.size(); i++) {
		if (pending[i].edge == edge) {
			uint16_t v = pending[i].val;
			pending.erase(pending.begin() + (long)i);
			return v;
		}
	}
	return (uint16_t)(0xBAD0 ^ (edge * 0x9E37u));   // not driven: what the pins float to
}

void sdram_model::step(uint64_t cycle, const sdram_pins &p)
{
	if (p.cke && cke_since == UINT64_MAX)
		cke_since = cycle;
	// the controller driving DQ while the chip drives read data (cycles edge - 1, edge)
	if (p.dq_oe && any_rd && cycle + 1 >= last_rd_edge && cycle <= last_rd_edge)
		violation(cycle, "bus contention: the controller drives DQ while the chip drives read data for edge %llu",
			  (unsigned long long)last_rd_edge);
	if (p.csn)
		return;                                   // COMMAND INHIBIT
	int cmd = (p.rasn << 2) | (p.casn << 1) | p.wen;
	if (cmd == 7)
		return;                                   // NOP
	if (cke_since == UINT64_MAX || !p.cke) {
		violation(cycle, "command %d with CKE low", cmd);
		return;
	}
	if (!ns_ok(cke_since, cycle, t.t_init_ns)) {
		violation(cycle, "command %d during the power-up wait (%d ns)", cmd, t.t_init_ns);
		return;
	}
	if (had_mrs && cmd != 7 && cycle - t_mrs < (uint64_t)t.t_mrd_ck)
		violation(cycle, "command %d %llu cycles after LOAD MODE REGISTER (tMRD %d)", cmd,
			  (unsigned long long)(cycle - t_mrs), t.t_mrd_ck);
	int b = p.ba & 3;
	int ncols = 1 << t.col_bits;
	switch (cmd) {
	case 3: {                                         // ACTIVE
		if (!precharged_all || init_ref_count < t.init_refs || !had_mrs)
			violation(cycle, "ACTIVE before the initialization (PRECHARGE ALL, %d AUTO REFRESH, LOAD MODE)",
				  t.init_refs);
		if (active[b])
			violation(cycle, "ACTIVE on bank %d with row %d open", b, open_row[b]);
		if (t_pre[b] && !ns_ok(t_pre[b], cycle, t.t_rp_ns))
			violation(cycle, "ACTIVE bank %d %llu cycles after its PRECHARGE: tRP %d ns", b,
				  (unsigned long long)(cycle - t_pre[b]), t.t_rp_ns);
		if (t_act[b] && !ns_ok(t_act[b], cycle, t.t_rc_ns))
			violation(cycle, "ACTIVE bank %d %llu cycles after its last ACTIVE: tRC %d ns", b,
				  (unsigned long long)(cycle - t_act[b]), t.t_rc_ns);
		if (had_act && !ns_ok(t_any_act, cycle, t.t_rrd_ns))
			violation(cycle, "ACTIVE %llu cycles after another ACTIVE: tRRD %d ns",
				  (unsigned long long)(cycle - t_any_act), t.t_rrd_ns);
		if (had_ref && !ns_ok(t_ref, cycle, t.t_rfc_ns))
			violation(cycle, "ACTIVE %llu cycles after AUTO REFRESH: tRFC %d ns",
				  (unsigned long long)(cycle - t_ref), t.t_rfc_ns);
		active[b] = true;
		open_row[b] = p.a & ((1 << t.row_bits) - 1);
		t_act[b] = cycle;
		t_any_act = cycle;
		had_act = true;
		acts++;
		break;
	}
	case 5:                                           // READ
	case 4: {                                         // WRITE
		const char *what = cmd == 5 ? "READ" : "WRITE";
		if (!had_mrs)
			violation(cycle, "%s before the mode register is set", what);
		if (!active[b]) {
			violation(cycle, "%s on bank %d with no open row", what, b);
			break;
		}
		if (!ns_ok(t_act[b], cycle, t.t_rcd_ns))
			violation(cycle, "%s bank %d %llu cycles after its ACTIVE: tRCD %d ns", what, b,
				  (unsigned long long)(cycle - t_act[b]), t.t_rcd_ns);
		if (p.a & (1 << 10))
			violation(cycle, "%s with auto precharge (A10), not expected", what);
		int col = p.a & (ncols - 1);
		size_t at = (((size_t)b << t.row_bits) + (size_t)open_row[b]) * (size_t)ncols + (size_t)col;
		if (cmd == 5) {
			uint64_t edge = cycle + (uint64_t)(mode_cl ? mode_cl : 2);
			pending.push_back({ edge, mem[at] });
			last_rd_edge = edge;
			any_rd = true;
			reads++;
		} else {
			if (!p.dq_oe)
				violation(cycle, "WRITE without the controller driving DQ");
			uint16_t v = mem[at];
			if (!(p.dqm & 1))
				v = (uint16_t)((v & 0xFF00) | (p.dq & 0x00FF));
			if (!(p.dqm & 2))
				v = (uint16_t)((v & 0x00FF) | (p.dq & 0xFF00));
			mem[at] = v;
			t_wr[b] = cycle;
			writes++;
		}
		break;
	}
	case 2: {                                         // PRECHARGE (A10: all banks)
		bool all = (p.a >> 10) & 1;
		for (int i = 0; i < 4; i++) {
			if (!all && i != b)
				continue;
			if (active[i]) {
				if (!ns_ok(t_act[i], cycle, t.t_ras_ns))
					violation(cycle, "PRECHARGE bank %d %llu cycles after its ACTIVE: tRAS %d ns", i,
						  (unsigned long long)(cycle - t_act[i]), t.t_ras_ns);
				if (t_wr[i] > t_act[i] && !ns_ok(t_wr[i], cycle, t.t_wr_ns))
					violation(cycle, "PRECHARGE bank %d %llu cycles after a WRITE: tWR %d ns", i,
						  (unsigned long long)(cycle - t_wr[i]), t.t_wr_ns);
			}
			active[i] = false;
			t_pre[i] = cycle;
		}
		if (all)
			precharged_all = true;
		t_any_pre = cycle;
		had_pre = true;
		precharges++;
		break;
	}
	case 1: {                                         // AUTO REFRESH
		for (int i = 0; i < 4; i++) {
			if (active[i])
				violation(cycle, "AUTO REFRESH with bank %d's row %d open", i, open_row[i]);
			if (t_act[i] && !ns_ok(t_act[i], cycle, t.t_rc_ns))
				violation(cycle, "AUTO REFRESH %llu cycles after bank %d's ACTIVE: tRC %d ns",
					  (unsigned long long)(cycle - t_act[i]), i, t.t_rc_ns);
		}
		if (!precharged_all)
			violation(cycle, "AUTO REFRESH before the first PRECHARGE ALL");
		if (had_pre && !ns_ok(t_any_pre, cycle, t.t_rp_ns))
			violation(cycle, "AUTO REFRESH %llu cycles after a PRECHARGE: tRP %d ns",
				  (unsigned long long)(cycle - t_any_pre), t.t_rp_ns);
		if (had_ref && !ns_ok(t_ref, cycle, t.t_rfc_ns))
			violation(cycle, "AUTO REFRESH %llu cycles after the last: tRFC %d ns",
				  (unsigned long long)(cycle - t_ref), t.t_rfc_ns);
		if (had_ref_after_mrs) {
			uint64_t gap = cycle - t_last_ref;
			if (gap > max_ref_gap)
				max_ref_gap = gap;
			if (gap * 1000000000ull > (uint64_t)t.t_refi_ns * t.clk_hz)
				violation(cycle, "AUTO REFRESH %llu cycles after the last: more than tREFI %d ns",
					  (unsigned long long)gap, t.t_refi_ns);
		}
		if (had_mrs) {
			had_ref_after_mrs = true;
			t_last_ref = cycle;
			refreshes++;
		}
		if (!had_mrs)
			init_ref_count++;
		t_ref = cycle;
		had_ref = true;
		break;
	}
	case 0: {                                         // LOAD MODE REGISTER
		for (int i = 0; i < 4; i++)
			if (active[i])
				violation(cycle, "LOAD MODE REGISTER with bank %d's row open", i);
		if (!precharged_all || init_ref_count < t.init_refs)
			violation(cycle, "LOAD MODE REGISTER before PRECHARGE ALL and %d AUTO REFRESHes (%d)",
				  t.init_refs, init_ref_count);
		if (had_pre && !ns_ok(t_any_pre, cycle, t.t_rp_ns))
			violation(cycle, "LOAD MODE REGISTER %llu cycles after a PRECHARGE: tRP %d ns",
				  (unsigned long long)(cycle - t_any_pre), t.t_rp_ns);
		if (had_ref && !ns_ok(t_ref, cycle, t.t_rfc_ns))
			violation(cycle, "LOAD MODE REGISTER %llu cycles after AUTO REFRESH: tRFC %d ns",
				  (unsigned long long)(cycle - t_ref), t.t_rfc_ns);
		int bl = p.a & 7, cl = (p.a >> 4) & 7;
		if (bl != 0)
			violation(cycle, "mode register: burst length code %d, the model does burst length 1 only", bl);
		if (cl != 2 && cl != 3)
			violation(cycle, "mode register: CAS latency %d", cl);
		if (p.ba != 0 || (p.a >> 7) & 0x3)
			violation(cycle, "mode register: reserved bits set (BA %d, A 0x%x)", p.ba, p.a);
		mode_cl = cl;
		t_mrs = cycle;
		had_mrs = true;
		break;
	}
	default:
		violation(cycle, "unsupported command %d (BURST TERMINATE)", cmd);
	}
}

void sdram_model::finish(uint64_t cycle)
{
	if (had_ref_after_mrs) {
		uint64_t gap = cycle - t_last_ref;
		if (gap * 1000000000ull > (uint64_t)t.t_refi_ns * t.clk_hz)
			violation(cycle, "the end: %llu cycles since the last AUTO REFRESH, more than tREFI %d ns",
				  (unsigned long long)gap, t.t_refi_ns);
	} else {
		violation(cycle, "no AUTO REFRESH after the mode register");
	}
}
