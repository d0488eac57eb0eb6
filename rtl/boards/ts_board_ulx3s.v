// ts_board_ulx3s — board top of the ULX3S with the ECP5-85F (LFE5U-85F-6BG381C):
// the accelerator, its board memory in block RAM (EBR; 128 KiB at MEM_BASE for
// now, the 32 MB SDRAM behind the same port is a later step) and the UART
// bridge on the FT231X (docs/boards.md). Pins: ulx3s.lpf. The core runs on
// the 25 MHz board clock. wifi_gpio0 is held high, as ULX3S designs do: the
// ESP32's GPIO0 (on boards up to v3.0.x) low at its reset would put it into its
// boot loader (ulx3s.lpf). LEDs (active high):
// led[0] while the accelerator runs, led[1] on done or error with the
// interrupt enabled.
module ts_board_ulx3s #(
	parameter [31:0] CLK_HZ    = 32'd25000000,
	parameter [31:0] BAUD      = 32'd115200,
	parameter [31:0] MEM_BASE  = 32'h1000_0000,
	parameter        MEM_BYTES = 131072
) (
	input  wire       clk_25mhz,
	input  wire       ftdi_txd,    // the FT231X transmits: host -> board
	output wire       ftdi_rxd,    // the FT231X receives: board -> host
	output wire [7:0] led,
	output wire       wifi_gpio0
);
	wire busy, irq;
	ts_board_core #(
		.CLK_HZ(CLK_HZ), .BAUD(BAUD), .MEM_BASE(MEM_BASE), .MEM_BYTES(MEM_BYTES), .SPRAM(0)
	) u_core (
		.clk_i(clk_25mhz), .uart_rx_i(ftdi_txd), .uart_tx_o(ftdi_rxd), .busy_o(busy), .irq_o(irq)
	);
	assign led        = {6'd0, irq, busy};
	assign wifi_gpio0 = 1'b1;
endmodule
