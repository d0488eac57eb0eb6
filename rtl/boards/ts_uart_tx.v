// ts_uart_tx — 8N1 UART transmitter for the board bridge (docs/boards.md):
// a start bit (low), 8 data bits LSB first, a stop bit (high), each
// CLKS_PER_BIT clocks; tx_o idles high.
//   valid_i / ready_o  a byte is taken in a cycle where both are high; ready_o
//                      is high while nothing is being sent
module ts_uart_tx #(
	parameter CLKS_PER_BIT = 104
) (
	input  wire       clk_i,
	input  wire       rst_ni,
	input  wire       valid_i,
	input  wire [7:0] data_i,
	output wire       ready_o,
	output wire       tx_o
);
	`include "ts_func.vh"   // clog2

	localparam CW = clog2(CLKS_PER_BIT + 1);
	localparam [31:0]   FULL32 = CLKS_PER_BIT - 1;
	localparam [CW-1:0] FULL = FULL32[CW-1:0];

	reg [9:0]    shift_q;  // stop, data[7:0], start; bit 0 is on the line (ones shift in: idle high)
	reg [3:0]    left_q;   // bits still to send, the one on the line included
	reg [CW-1:0] cnt_q;

	assign ready_o = left_q == 4'd0;
	assign tx_o    = shift_q[0];  // a flip-flop on the pin

	always @(posedge clk_i) begin
		if (!rst_ni) begin
			shift_q <= 10'h3ff;
			left_q  <= 4'd0;
			cnt_q   <= {CW{1'b0}};
		end else if (left_q == 4'd0) begin
			if (valid_i) begin
				shift_q <= {1'b1, data_i, 1'b0};
				left_q  <= 4'd10;
				cnt_q   <= FULL;
			end
		end else if (cnt_q != {CW{1'b0}}) begin
			cnt_q <= cnt_q - 1'b1;
		end else begin
			shift_q <= {1'b1, shift_q[9:1]};
			left_q  <= left_q - 4'd1;
			cnt_q   <= FULL;
		end
	end
endmodule
