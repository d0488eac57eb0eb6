// ts_ice40_pll — the core clock of the iCE40 board tops (ts_board_icebreaker,
// ts_board_hx8k): the 12 MHz oscillator itself (PLL = 0), or the output of the
// iCE40 PLL (PLL = 1), whose dividers tessera gen computes from the config's
// clock_mhz:
//   CLK_HZ = 12 MHz / (DIVR + 1) * (DIVF + 1) / 2^DIVQ.
// PAD = 1 takes the reference from a PLL pad (SB_PLL40_PAD: the UP5K's pin 35
// on the iCEBreaker); PAD = 0 from the global network (SB_PLL40_CORE: the
// HX8K board's oscillator is on a global buffer input, not a PLL pad).
// Outside synthesis the PLL is a pass-through (a test bench drives clk_i at
// the core clock), and dividers that do not make CLK_HZ within the PLL's
// ranges (gen.h) are refused at elaboration.
module ts_ice40_pll #(
	parameter [31:0] CLK_HZ       = 32'd12000000,
	parameter [31:0] PLL          = 32'd0,
	/* verilator lint_off UNUSEDPARAM */
	parameter [31:0] PAD          = 32'd0,  // read in synthesis only
	/* verilator lint_on UNUSEDPARAM */
	parameter [31:0] DIVR         = 32'd0,
	parameter [31:0] DIVF         = 32'd63,
	parameter [31:0] DIVQ         = 32'd5,
	parameter [31:0] FILTER_RANGE = 32'd1
) (
	input  wire clk_i,     // 12 MHz oscillator
	output wire clk_o,     // the core clock
	output wire locked_o
);
	generate
		if (PLL != 32'd0) begin : g_pll
`ifdef SYNTHESIS
			if (PAD != 32'd0) begin : g_pad
				SB_PLL40_PAD #(
					.FEEDBACK_PATH("SIMPLE"), .PLLOUT_SELECT("GENCLK"), .DIVR(DIVR[3:0]), .DIVF(DIVF[6:0]),
					.DIVQ(DIVQ[2:0]), .FILTER_RANGE(FILTER_RANGE[2:0])
				) u_pll (
					.PACKAGEPIN(clk_i), .PLLOUTCORE(), .PLLOUTGLOBAL(clk_o), .EXTFEEDBACK(1'b0),
					.DYNAMICDELAY(8'd0), .LOCK(locked_o), .BYPASS(1'b0), .RESETB(1'b1),
					.LATCHINPUTVALUE(1'b0), .SDO(), .SDI(1'b0), .SCLK(1'b0)
				);
			end else begin : g_core
				SB_PLL40_CORE #(
					.FEEDBACK_PATH("SIMPLE"), .PLLOUT_SELECT("GENCLK"), .DIVR(DIVR[3:0]), .DIVF(DIVF[6:0]),
					.DIVQ(DIVQ[2:0]), .FILTER_RANGE(FILTER_RANGE[2:0])
				) u_pll (
					.REFERENCECLK(clk_i), .PLLOUTCORE(), .PLLOUTGLOBAL(clk_o), .EXTFEEDBACK(1'b0),
					.DYNAMICDELAY(8'd0), .LOCK(locked_o), .BYPASS(1'b0), .RESETB(1'b1),
					.LATCHINPUTVALUE(1'b0), .SDO(), .SDI(1'b0), .SCLK(1'b0)
				);
			end
`else
			localparam [31:0] PFD_HZ = 32'd12000000 / (DIVR + 32'd1);
			localparam [31:0] VCO_HZ = 32'd12000000 * (DIVF + 32'd1) / (DIVR + 32'd1);
			localparam [31:0] OUT_HZ = VCO_HZ >> DIVQ;
			localparam [31:0] FILTER = PFD_HZ < 32'd17000000 ? 32'd1 : PFD_HZ < 32'd26000000 ? 32'd2
			                         : PFD_HZ < 32'd44000000 ? 32'd3 : PFD_HZ < 32'd66000000 ? 32'd4
			                         : PFD_HZ < 32'd101000000 ? 32'd5 : 32'd6;
			if (DIVR > 32'd15 || DIVF > 32'd127 || DIVQ < 32'd1 || DIVQ > 32'd6 ||
			    CLK_HZ + 32'd1 < OUT_HZ || CLK_HZ > OUT_HZ + 32'd1 || PFD_HZ < 32'd10000000 ||
			    VCO_HZ < 32'd533000000 || VCO_HZ > 32'd1066000000 || FILTER_RANGE != FILTER) begin : g_bad
				ts_board_pll_settings_do_not_make_clk_hz u_refuse ();
			end
			assign clk_o    = clk_i;
			assign locked_o = 1'b1;
`endif
		end else begin : g_osc
			assign clk_o    = clk_i;
			assign locked_o = 1'b1;
		end
	endgenerate
endmodule
