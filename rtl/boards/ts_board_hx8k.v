// ts_board_hx8k — board top of the Lattice iCE40-HX8K breakout board
// (iCE40HX8K-CT256): the accelerator, its board memory in block RAM (8 KiB at
// MEM_BASE: what the scratchpads of the hx8k preset leave of the 32 EBR) and
// the UART bridge on the FTDI's second channel (docs/boards.md). Pins:
// hx8k.pcf. The core runs on the 12 MHz board clock. LEDs (active high): D2
// while the accelerator runs, D3 when it signals done or error with the
// interrupt enabled.
module ts_board_hx8k #(
	parameter [31:0] CLK_HZ    = 32'd12000000,
	parameter [31:0] BAUD      = 32'd115200,
	parameter [31:0] MEM_BASE  = 32'h1000_0000,
	parameter        MEM_BYTES = 8192
) (
	input  wire       clk_i,      // 12 MHz oscillator
	input  wire       uart_rx_i,  // from the FTDI (host -> board)
	output wire       uart_tx_o,  // to the FTDI (board -> host)
	output wire [1:0] led_o
);
	wire busy, irq;
	ts_board_core #(
		.CLK_HZ(CLK_HZ), .BAUD(BAUD), .MEM_BASE(MEM_BASE), .MEM_BYTES(MEM_BYTES), .SPRAM(0)
	) u_core (
		.clk_i(clk_i), .uart_rx_i(uart_rx_i), .uart_tx_o(uart_tx_o), .busy_o(busy), .irq_o(irq)
	);
	assign led_o = {irq, busy};
endmodule
