// ts_board_ulx3s — board top of the ULX3S with the ECP5-85F (LFE5U-85F-6BG381C):
// the accelerator, its board memory in block RAM (EBR; 128 KiB at MEM_BASE for
// now, the 32 MB SDRAM behind the same port is a later step) and the UART
// bridge on the FT231X (docs/boards.md). Pins: ulx3s.lpf. The core runs on the
// 25 MHz oscillator (PLL = 0) or on CLKOP of an EHXPLLL fed back from CLKOP
// (PLL = 1), whose dividers tessera gen computes from the config's clock_mhz:
//   CLK_HZ = 25 MHz / PLL_CLKI_DIV * PLL_CLKFB_DIV, VCO = CLK_HZ * PLL_CLKOP_DIV.
// Outside synthesis the PLL is a pass-through: a test bench drives clk_25mhz at
// the core clock. wifi_gpio0 is held high, as ULX3S designs do: the ESP32's
// GPIO0 (on boards up to v3.0.x) low at its reset would put it into its boot
// loader (ulx3s.lpf). LEDs (active high): led[0] while the accelerator runs,
// led[1] on done or error with the interrupt enabled.
module ts_board_ulx3s #(
	parameter [31:0] CLK_HZ           = 32'd25000000,  // the clock the core runs on
	parameter [31:0] BAUD             = 32'd115200,
	parameter [31:0] MEM_BASE         = 32'h1000_0000,
	parameter        MEM_BYTES        = 131072,
	parameter [31:0] PLL              = 32'd0,
	parameter [31:0] PLL_CLKI_DIV     = 32'd1,
	parameter [31:0] PLL_CLKFB_DIV    = 32'd2,
	parameter [31:0] PLL_CLKOP_DIV    = 32'd12,
	parameter [31:0] PLL_CLKOP_CPHASE = 32'd11
) (
	input  wire       clk_25mhz,
	input  wire       ftdi_txd,    // the FT231X transmits: host -> board
	output wire       ftdi_rxd,    // the FT231X receives: board -> host
	output wire [7:0] led,
	output wire       wifi_gpio0
);
	wire clk_core, locked;
	generate
		if (PLL != 32'd0) begin : g_pll
`ifdef SYNTHESIS
			// the loop filter settings of Project Trellis' ecppll for EHXPLLL
			(* ICP_CURRENT = "12", LPF_RESISTOR = "8", MFG_ENABLE_FILTEROPAMP = "1", MFG_GMCREF_SEL = "2" *)
			EHXPLLL #(
				.PLLRST_ENA("DISABLED"), .INTFB_WAKE("DISABLED"), .STDBY_ENABLE("DISABLED"),
				.DPHASE_SOURCE("DISABLED"), .OUTDIVIDER_MUXA("DIVA"), .CLKOP_ENABLE("ENABLED"),
				.CLKI_DIV(PLL_CLKI_DIV), .CLKFB_DIV(PLL_CLKFB_DIV), .CLKOP_DIV(PLL_CLKOP_DIV),
				.CLKOP_CPHASE(PLL_CLKOP_CPHASE), .CLKOP_FPHASE(0), .FEEDBK_PATH("CLKOP")
			) u_pll (
				.CLKI(clk_25mhz), .CLKFB(clk_core), .CLKOP(clk_core), .CLKOS(), .CLKOS2(), .CLKOS3(),
				.RST(1'b0), .STDBY(1'b0), .PHASESEL0(1'b0), .PHASESEL1(1'b0), .PHASEDIR(1'b1),
				.PHASESTEP(1'b1), .PHASELOADREG(1'b1), .PLLWAKESYNC(1'b0), .ENCLKOP(1'b0),
				.ENCLKOS(1'b0), .ENCLKOS2(1'b0), .ENCLKOS3(1'b0), .LOCK(locked), .INTLOCK(),
				.REFCLK(), .CLKINTFB()
			);
`else
			// Simulation: a pass-through (the test bench drives clk_25mhz at the core clock);
			// the dividers are checked to make CLK_HZ within the PLL's ranges (gen.h).
			localparam [31:0] OUT_HZ  = 32'd25000000 * PLL_CLKFB_DIV / PLL_CLKI_DIV;
			localparam [31:0] VCO_KHZ = OUT_HZ / 32'd1000 * PLL_CLKOP_DIV;
			if (PLL_CLKI_DIV < 32'd1 || PLL_CLKI_DIV > 32'd8 || PLL_CLKFB_DIV < 32'd1 || PLL_CLKFB_DIV > 32'd128 ||
			    PLL_CLKOP_DIV < 32'd1 || PLL_CLKOP_DIV > 32'd128 || CLK_HZ + 32'd1 < OUT_HZ ||
			    CLK_HZ > OUT_HZ + 32'd1 || VCO_KHZ < 32'd400000 || VCO_KHZ > 32'd800000 ||
			    PLL_CLKOP_CPHASE + 32'd1 != PLL_CLKOP_DIV) begin : g_bad
				ts_board_pll_settings_do_not_make_clk_hz u_refuse ();
			end
			assign clk_core = clk_25mhz;
			assign locked   = 1'b1;
`endif
		end else begin : g_osc
			assign clk_core = clk_25mhz;
			assign locked   = 1'b1;
		end
	endgenerate

	wire busy, irq;
	ts_board_core #(
		.CLK_HZ(CLK_HZ), .BAUD(BAUD), .MEM_BASE(MEM_BASE), .MEM_BYTES(MEM_BYTES), .SPRAM(0)
	) u_core (
		.clk_i(clk_core), .clk_locked_i(locked), .uart_rx_i(ftdi_txd), .uart_tx_o(ftdi_rxd),
		.busy_o(busy), .irq_o(irq)
	);
	assign led        = {6'd0, irq, busy};
	assign wifi_gpio0 = 1'b1;
endmodule
