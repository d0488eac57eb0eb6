// ts_uart_rx — 8N1 UART receiver for the board bridge (docs/boards.md):
// idle high, a start bit (low), 8 data bits LSB first, a stop bit (high), each
// CLKS_PER_BIT clocks. rx_i passes two flip-flops first (it is asynchronous to
// clk_i). A start bit is confirmed half a bit after its falling edge; every bit
// is sampled in its middle from there. A byte whose stop bit is low (a framing
// error: noise, a break, a wrong baud rate) is dropped; the receiver then waits
// for the line to go high before it looks for the next start bit.
//   valid_o  one cycle, with data_o, in the middle of the stop bit
module ts_uart_rx #(
	parameter CLKS_PER_BIT = 104  // clock / baud, at least 4
) (
	input  wire       clk_i,
	input  wire       rst_ni,
	input  wire       rx_i,
	output reg        valid_o,
	output reg  [7:0] data_o
);
	`include "ts_func.vh"   // clog2

	localparam CW = clog2(CLKS_PER_BIT + 1);
	localparam [31:0]   FULL32 = CLKS_PER_BIT - 1;
	localparam [CW-1:0] FULL = FULL32[CW-1:0];
	localparam [31:0]   HALF32 = CLKS_PER_BIT / 2 - 1;
	localparam [CW-1:0] HALF = HALF32[CW-1:0];

	localparam [2:0] S_IDLE = 3'd0, S_START = 3'd1, S_DATA = 3'd2, S_STOP = 3'd3, S_BREAK = 3'd4;

	reg         rx_meta_q, rx_q;
	reg  [2:0]  state_q;
	reg  [CW-1:0] cnt_q;
	reg  [2:0]  bit_q;
	reg  [7:0]  shift_q;

	generate
		if (CLKS_PER_BIT < 4) begin : g_bad_clks_per_bit
			ts_uart_rx_needs_at_least_4_clocks_per_bit u_refuse ();
		end
	endgenerate

	always @(posedge clk_i) begin
		if (!rst_ni) begin
			rx_meta_q <= 1'b1;
			rx_q      <= 1'b1;
		end else begin
			rx_meta_q <= rx_i;
			rx_q      <= rx_meta_q;
		end
	end

	always @(posedge clk_i) begin
		if (!rst_ni) begin
			state_q <= S_IDLE;
			cnt_q   <= {CW{1'b0}};
			bit_q   <= 3'd0;
			shift_q <= 8'd0;
			valid_o <= 1'b0;
			data_o  <= 8'd0;
		end else begin
			valid_o <= 1'b0;
			if (cnt_q != {CW{1'b0}})
				cnt_q <= cnt_q - 1'b1;
			case (state_q)
			S_IDLE:
				if (!rx_q) begin
					state_q <= S_START;
					cnt_q   <= HALF;
				end
			S_START:
				if (cnt_q == {CW{1'b0}}) begin
					if (rx_q) begin
						state_q <= S_IDLE;  // a glitch, not a start bit
					end else begin
						state_q <= S_DATA;
						cnt_q   <= FULL;
						bit_q   <= 3'd0;
					end
				end
			S_DATA:
				if (cnt_q == {CW{1'b0}}) begin
					shift_q <= {rx_q, shift_q[7:1]};
					cnt_q   <= FULL;
					bit_q   <= bit_q + 3'd1;
					if (bit_q == 3'd7)
						state_q <= S_STOP;
				end
			S_STOP:
				if (cnt_q == {CW{1'b0}}) begin
					if (rx_q) begin
						valid_o <= 1'b1;
						data_o  <= shift_q;
						state_q <= S_IDLE;
					end else begin
						state_q <= S_BREAK;
					end
				end
			default:  // S_BREAK
				if (rx_q)
					state_q <= S_IDLE;
			endcase
		end
	end
endmodule
