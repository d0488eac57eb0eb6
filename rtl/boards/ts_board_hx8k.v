// ts_board_hx8k — board top of the Lattice iCE40-HX8K breakout board
// (iCE40HX8K-CT256): the accelerator, its board memory in block RAM (8 KiB at
// MEM_BASE: what the scratchpads of the hx8k preset leave of the 32 EBR) and
// the UART bridge on the FTDI's second channel (docs/boards.md). Pins:
// hx8k.pcf. The core runs on the 12 MHz oscillator (PLL = 0) or on the output
// of SB_PLL40_CORE (PLL = 1; J3 is a global buffer input, not one of the
// HX8K's PLL pads, so the PLL takes the clock from the global network), whose
// dividers tessera gen computes from the config's clock_mhz:
//   CLK_HZ = 12 MHz / (PLL_DIVR + 1) * (PLL_DIVF + 1) / 2^PLL_DIVQ.
// Outside synthesis the PLL is a pass-through: a test bench drives clk_i at
// the core clock. LEDs (active high): D2 while the accelerator runs, D3 when
// it signals done or error with the interrupt enabled.
module ts_board_hx8k #(
	parameter [31:0] CLK_HZ           = 32'd12000000,  // the clock the core runs on
	parameter [31:0] BAUD             = 32'd115200,
	parameter [31:0] MEM_BASE         = 32'h1000_0000,
	parameter        MEM_BYTES        = 8192,
	parameter [31:0] PLL              = 32'd0,
	parameter [31:0] PLL_DIVR         = 32'd0,
	parameter [31:0] PLL_DIVF         = 32'd63,
	parameter [31:0] PLL_DIVQ         = 32'd4,
	parameter [31:0] PLL_FILTER_RANGE = 32'd1
) (
	input  wire       clk_i,      // 12 MHz oscillator
	input  wire       uart_rx_i,  // from the FTDI (host -> board)
	output wire       uart_tx_o,  // to the FTDI (board -> host)
	output wire [1:0] led_o
);
	wire clk_core, locked;
	generate
		if (PLL != 32'd0) begin : g_pll
`ifdef SYNTHESIS
			SB_PLL40_CORE #(
				.FEEDBACK_PATH("SIMPLE"), .PLLOUT_SELECT("GENCLK"), .DIVR(PLL_DIVR[3:0]), .DIVF(PLL_DIVF[6:0]),
				.DIVQ(PLL_DIVQ[2:0]), .FILTER_RANGE(PLL_FILTER_RANGE[2:0])
			) u_pll (
				.REFERENCECLK(clk_i), .PLLOUTCORE(), .PLLOUTGLOBAL(clk_core), .EXTFEEDBACK(1'b0),
				.DYNAMICDELAY(8'd0), .LOCK(locked), .BYPASS(1'b0), .RESETB(1'b1),
				.LATCHINPUTVALUE(1'b0), .SDO(), .SDI(1'b0), .SCLK(1'b0)
			);
`else
			// Simulation: a pass-through (the test bench drives clk_i at the core clock);
			// the dividers are checked to make CLK_HZ within the PLL's ranges (gen.h).
			localparam [31:0] PFD_HZ = 32'd12000000 / (PLL_DIVR + 32'd1);
			localparam [31:0] VCO_HZ = 32'd12000000 * (PLL_DIVF + 32'd1) / (PLL_DIVR + 32'd1);
			localparam [31:0] OUT_HZ = VCO_HZ >> PLL_DIVQ;
			localparam [31:0] FILTER = PFD_HZ < 32'd17000000 ? 32'd1 : PFD_HZ < 32'd26000000 ? 32'd2
			                         : PFD_HZ < 32'd44000000 ? 32'd3 : PFD_HZ < 32'd66000000 ? 32'd4
			                         : PFD_HZ < 32'd101000000 ? 32'd5 : 32'd6;
			if (PLL_DIVR > 32'd15 || PLL_DIVF > 32'd127 || PLL_DIVQ < 32'd1 || PLL_DIVQ > 32'd6 ||
			    CLK_HZ + 32'd1 < OUT_HZ || CLK_HZ > OUT_HZ + 32'd1 || PFD_HZ < 32'd10000000 ||
			    VCO_HZ < 32'd533000000 || VCO_HZ > 32'd1066000000 || PLL_FILTER_RANGE != FILTER) begin : g_bad
				ts_board_pll_settings_do_not_make_clk_hz u_refuse ();
			end
			assign clk_core = clk_i;
			assign locked   = 1'b1;
`endif
		end else begin : g_osc
			assign clk_core = clk_i;
			assign locked   = 1'b1;
		end
	endgenerate

	wire busy, irq;
	ts_board_core #(
		.CLK_HZ(CLK_HZ), .BAUD(BAUD), .MEM_BASE(MEM_BASE), .MEM_BYTES(MEM_BYTES), .SPRAM(0)
	) u_core (
		.clk_i(clk_core), .clk_locked_i(locked), .uart_rx_i(uart_rx_i), .uart_tx_o(uart_tx_o),
		.busy_o(busy), .irq_o(irq)
	);
	assign led_o = {irq, busy};
endmodule
