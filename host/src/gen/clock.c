/* clock.c — the core clock of an open-tool board (gen.h ts_gen_clock_plan): the settings
 * of the family's PLL (iCE40 SB_PLL40_*, ECP5 EHXPLLL) that bring the board's oscillator
 * closest to the config's clock_mhz within the datasheets' ranges, or none when the
 * oscillator is the clock. A clock that no setting reaches within 1 % is refused. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tessera/gen.h"
#include "tessera/util.h"

/* The largest relative error accepted between the clock asked for and the one made. */
#define CLOCK_TOLERANCE 0.01

/* iCE40 PLL, FEEDBACK_PATH "SIMPLE" (Lattice TN1251, iCE40 sysCLOCK PLL Design and Usage
 * Guide): F_PFD = F_REF / (DIVR + 1), F_VCO = F_PFD * (DIVF + 1), F_OUT = F_VCO / 2^DIVQ,
 * with DIVR 0..15, DIVF 0..127, DIVQ 1..6 and the ranges below. FILTER_RANGE follows
 * F_PFD (the loop filter setting Lattice's tools pick for each band). */
#define ICE40_REF_MIN 10.0
#define ICE40_REF_MAX 133.0
#define ICE40_PFD_MIN 10.0
#define ICE40_PFD_MAX 133.0
#define ICE40_VCO_MIN 533.0
#define ICE40_VCO_MAX 1066.0
#define ICE40_OUT_MIN 16.0
#define ICE40_OUT_MAX 275.0

static int ice40_filter_range(double pfd_mhz)
{
	static const double upper[] = { 17, 26, 44, 66, 101 }; /* band i + 1 below upper[i] MHz */
	for (int i = 0; i < 5; i++)
		if (pfd_mhz < upper[i])
			return i + 1;
	return 6;
}

static int plan_ice40(double osc, double want, ts_gen_clock *k)
{
	int found = 0;
	double best = 0;
	for (int divr = 0; divr <= 15; divr++) {
		double pfd = osc / (divr + 1);
		if (pfd < ICE40_PFD_MIN || pfd > ICE40_PFD_MAX)
			continue;
		for (int divq = 1; divq <= 6; divq++) {
			/* the DIVF nearest to want, and its neighbours (the nearest may leave the VCO range) */
			int centre = (int)lround(want * (1 << divq) / pfd) - 1;
			for (int divf = centre - 1; divf <= centre + 1; divf++) {
				if (divf < 0 || divf > 127)
					continue;
				double vco = pfd * (divf + 1), out = vco / (1 << divq);
				if (vco < ICE40_VCO_MIN || vco > ICE40_VCO_MAX || out < ICE40_OUT_MIN || out > ICE40_OUT_MAX)
					continue;
				double err = fabs(out - want);
				if (!found || err < best - 1e-9) { /* ties: the highest PFD, the lowest DIVQ */
					found = 1;
					best = err;
					k->mhz = out;
					k->pfd_mhz = pfd;
					k->vco_mhz = vco;
					k->divr = divr;
					k->divf = divf;
					k->divq = divq;
					k->filter_range = ice40_filter_range(pfd);
				}
			}
		}
	}
	return found;
}

/* ECP5 EHXPLLL, FEEDBK_PATH "CLKOP" (Lattice FPGA-TN-02200, ECP5 and ECP5-5G sysCLOCK PLL/DLL
 * Design and Usage Guide; DS1044's PLL timing table): F_PFD = F_CLKI / CLKI_DIV,
 * F_CLKOP = F_PFD * CLKFB_DIV, F_VCO = F_CLKOP * CLKOP_DIV, every divider 1..128. The coarse
 * phase CLKOP_DIV - 1 is the 0 degree setting. */
#define ECP5_CLKI_MIN 8.0
#define ECP5_CLKI_MAX 400.0
#define ECP5_PFD_MIN  3.125
#define ECP5_PFD_MAX  400.0
#define ECP5_VCO_MIN  400.0
#define ECP5_VCO_MAX  800.0
#define ECP5_OUT_MIN  3.125
#define ECP5_OUT_MAX  400.0

static int plan_ecp5(double osc, double want, ts_gen_clock *k)
{
	int found = 0;
	double best = 0;
	for (int clki_div = 1; clki_div <= 128; clki_div++) {
		double pfd = osc / clki_div;
		if (pfd < ECP5_PFD_MIN || pfd > ECP5_PFD_MAX)
			continue;
		for (int clkfb_div = 1; clkfb_div <= 128; clkfb_div++) {
			double out = pfd * clkfb_div;
			if (out < ECP5_OUT_MIN || out > ECP5_OUT_MAX)
				continue;
			/* the VCO as close to its middle as a divider puts it: any in range will do */
			int clkop_div = (int)lround((ECP5_VCO_MIN + ECP5_VCO_MAX) / 2 / out);
			if (clkop_div < 1)
				clkop_div = 1;
			if (clkop_div > 128)
				clkop_div = 128;
			double vco = out * clkop_div;
			if (vco < ECP5_VCO_MIN || vco > ECP5_VCO_MAX)
				continue;
			double err = fabs(out - want);
			if (!found || err < best - 1e-9) { /* ties: the highest PFD, the lowest CLKFB_DIV */
				found = 1;
				best = err;
				k->mhz = out;
				k->pfd_mhz = pfd;
				k->vco_mhz = vco;
				k->clki_div = clki_div;
				k->clkfb_div = clkfb_div;
				k->clkop_div = clkop_div;
				k->clkop_cphase = clkop_div - 1;
			}
		}
	}
	return found;
}

ts_status ts_gen_clock_plan(const char *family, double osc_mhz, double want_mhz, ts_gen_clock *k, ts_diag *d)
{
	memset(k, 0, sizeof *k);
	k->osc_mhz = osc_mhz;
	k->want_mhz = want_mhz;
	k->mhz = osc_mhz;
	if (!(want_mhz > 0))
		return ts_err(d, TS_ERR_INPUT, "clock_mhz %g: must be positive", want_mhz);
	if (fabs(want_mhz - osc_mhz) <= 1e-9 * osc_mhz)
		return TS_OK; /* the oscillator is the clock */
	int found;
	const char *pll, *ranges;
	if (!strcmp(family, "ice40")) {
		ts_strlcpy(k->primitive, "SB_PLL40_CORE", sizeof k->primitive);
		pll = "the iCE40 PLL";
		ranges = "F_PFD 10..133 MHz, F_VCO 533..1066 MHz, output 16..275 MHz";
		found = osc_mhz >= ICE40_REF_MIN && osc_mhz <= ICE40_REF_MAX && plan_ice40(osc_mhz, want_mhz, k);
	} else if (!strcmp(family, "ecp5")) {
		ts_strlcpy(k->primitive, "EHXPLLL", sizeof k->primitive);
		pll = "the ECP5 EHXPLLL";
		ranges = "F_PFD 3.125..400 MHz, F_VCO 400..800 MHz, output 3.125..400 MHz";
		found = osc_mhz >= ECP5_CLKI_MIN && osc_mhz <= ECP5_CLKI_MAX && plan_ecp5(osc_mhz, want_mhz, k);
	} else {
		return ts_err(d, TS_ERR_UNSUPPORTED, "clock_mhz %g: tessera has no PLL plan for the %s family", want_mhz,
			      family);
	}
	if (!found || fabs(k->mhz - want_mhz) > CLOCK_TOLERANCE * want_mhz) {
		char near[64] = "";
		if (found)
			snprintf(near, sizeof near, " (the nearest is %.4g MHz)", k->mhz);
		k->mhz = osc_mhz;
		k->primitive[0] = 0;
		return ts_err(d, TS_ERR_INPUT, "clock_mhz %g: %s cannot make it from the board's %g MHz oscillator "
				  "within 1 %%%s; its ranges: %s", want_mhz, pll, osc_mhz, near, ranges);
	}
	k->pll = 1;
	return TS_OK;
}

void ts_gen_clock_settings(const ts_gen_clock *k, char *out, size_t size)
{
	if (!k->pll)
		ts_strlcpy(out, "", size);
	else if (k->clki_div)
		snprintf(out, size, "CLKI_DIV %d, CLKFB_DIV %d, CLKOP_DIV %d, CLKOP_CPHASE %d", k->clki_div, k->clkfb_div,
			 k->clkop_div, k->clkop_cphase);
	else
		snprintf(out, size, "DIVR %d, DIVF %d, DIVQ %d, FILTER_RANGE %d", k->divr, k->divf, k->divq,
			 k->filter_range);
}

void ts_gen_clock_text(const ts_gen_clock *k, char *out, size_t size)
{
	char set[128];
	ts_gen_clock_settings(k, set, sizeof set);
	if (!k->pll)
		snprintf(out, size, "%g MHz%s", k->mhz, k->osc_mhz > 0 ? ", the board's oscillator (no PLL)" : "");
	else
		snprintf(out, size, "%.4f MHz (asked %g) from the %g MHz oscillator by %s %s (PFD %.4g MHz, VCO %.4g MHz)",
			 k->mhz, k->want_mhz, k->osc_mhz, k->primitive, set, k->pfd_mhz, k->vco_mhz);
}
