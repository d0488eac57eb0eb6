// ts_board_icebreaker — board top of the iCEBreaker (iCE40 UP5K-SG48): the
// accelerator, its board memory in the UP5K's four SPRAMs (128 KiB at
// MEM_BASE) and the UART bridge on the FTDI's second channel (docs/boards.md).
// Pins: icebreaker.pcf. The core runs on the 12 MHz board clock (no PLL: the
// cycle counts do not depend on the clock, and 12 MHz leaves timing slack).
// LEDs (active low): green while the accelerator runs, red when it signals
// done or error with the interrupt enabled (CTRL.IRQ_ENABLE).
module ts_board_icebreaker #(
	parameter [31:0] CLK_HZ    = 32'd12000000,
	parameter [31:0] BAUD      = 32'd115200,
	parameter [31:0] MEM_BASE  = 32'h1000_0000,
	parameter        MEM_BYTES = 131072
) (
	input  wire clk_i,        // 12 MHz oscillator
	input  wire uart_rx_i,    // from the FTDI (host -> board)
	output wire uart_tx_o,    // to the FTDI (board -> host)
	output wire led_red_no,
	output wire led_green_no
);
	wire busy, irq;
	ts_board_core #(
		.CLK_HZ(CLK_HZ), .BAUD(BAUD), .MEM_BASE(MEM_BASE), .MEM_BYTES(MEM_BYTES), .SPRAM(1)
	) u_core (
		.clk_i(clk_i), .uart_rx_i(uart_rx_i), .uart_tx_o(uart_tx_o), .busy_o(busy), .irq_o(irq)
	);
	assign led_green_no = !busy;
	assign led_red_no   = !irq;
endmodule
