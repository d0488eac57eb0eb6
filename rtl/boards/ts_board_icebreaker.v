// ts_board_icebreaker — board top of the iCEBreaker (iCE40 UP5K-SG48): the
// accelerator, its board memory in the UP5K's four SPRAMs (128 KiB at
// MEM_BASE) and the UART bridge on the FTDI's second channel (docs/boards.md).
// Pins: icebreaker.pcf. The core runs on the 12 MHz oscillator (PLL = 0) or on
// the output of SB_PLL40_PAD (PLL = 1; pin 35 is the UP5K's PLL pad), whose
// dividers tessera gen computes from the config's clock_mhz (ts_ice40_pll).
// LEDs (active low): green while the accelerator runs, red
// when it signals done or error with the interrupt enabled (CTRL.IRQ_ENABLE).
module ts_board_icebreaker #(
	parameter [31:0] CLK_HZ           = 32'd12000000,  // the clock the core runs on
	parameter [31:0] BAUD             = 32'd115200,
	parameter [31:0] MEM_BASE         = 32'h1000_0000,
	parameter        MEM_BYTES        = 131072,
	parameter [31:0] PLL              = 32'd0,
	parameter [31:0] PLL_DIVR         = 32'd0,
	parameter [31:0] PLL_DIVF         = 32'd63,
	parameter [31:0] PLL_DIVQ         = 32'd5,
	parameter [31:0] PLL_FILTER_RANGE = 32'd1
) (
	input  wire clk_i,        // 12 MHz oscillator
	input  wire uart_rx_i,    // from the FTDI (host -> board)
	output wire uart_tx_o,    // to the FTDI (board -> host)
	output wire led_red_no,
	output wire led_green_no
);
	wire clk_core, locked;
	ts_ice40_pll #(
		.CLK_HZ(CLK_HZ), .PLL(PLL), .PAD(32'd1), .DIVR(PLL_DIVR), .DIVF(PLL_DIVF), .DIVQ(PLL_DIVQ),
		.FILTER_RANGE(PLL_FILTER_RANGE)
	) u_clk (
		.clk_i(clk_i), .clk_o(clk_core), .locked_o(locked)
	);

	wire busy, irq;
	ts_board_core #(
		.CLK_HZ(CLK_HZ), .BAUD(BAUD), .MEM_BASE(MEM_BASE), .MEM_BYTES(MEM_BYTES), .SPRAM(1)
	) u_core (
		.clk_i(clk_core), .clk_locked_i(locked), .uart_rx_i(uart_rx_i), .uart_tx_o(uart_tx_o),
		.busy_o(busy), .irq_o(irq)
	);
	assign led_green_no = !busy;
	assign led_red_no   = !irq;
endmodule
