// ts_dma — the accelerator's memory port (the simple request/ack port of
// the simulator; an AXI4 master with a realignment stage takes its place on
// boards). One transfer at a time:
//   cmd_i (one cycle, with we/addr/len) -> mem_req_o is high the next cycle;
//   the memory then answers with ceil(len / B) beats (mem_beat_i), the first
//   one DRAM_LATENCY cycles after the request; a beat carries B consecutive
//   bytes from any byte address (reads: mem_rdata_i; writes: the memory takes
//   mem_wdata_o in the beat's cycle). beat_o / beat_idx_o / last_o tell the
//   consumers which beat of the transfer is on the port.
module ts_dma #(
	parameter B = 4
) (
	input  wire        clk_i,
	input  wire        rst_ni,
	input  wire        cmd_i,
	input  wire        cmd_we_i,
	input  wire [63:0] cmd_addr_i,
	input  wire [31:0] cmd_len_i,
	output reg         mem_req_o,
	output reg         mem_we_o,
	output reg  [63:0] mem_addr_o,
	output reg  [31:0] mem_len_o,
	input  wire        mem_beat_i,
	output wire        beat_o,
	output wire [31:0] beat_idx_o,
	output wire        last_o
);
	reg [31:0] beat_idx_q;
	reg [31:0] beats_m1_q;   // beats of the transfer - 1: the last one's index

	// ceil(len / B) without a divider when B is a power of two.
	function [31:0] beats_of;
		input [31:0] len;
		begin
			beats_of = (len + B - 1) / B;
		end
	endfunction

	always @(posedge clk_i) begin
		if (!rst_ni) begin
			mem_req_o  <= 1'b0;
			mem_we_o   <= 1'b0;
			mem_addr_o <= 64'd0;
			mem_len_o  <= 32'd0;
			beat_idx_q <= 32'd0;
			beats_m1_q <= 32'd0;
		end else begin
			mem_req_o <= cmd_i;
			if (cmd_i) begin
				mem_we_o   <= cmd_we_i;
				mem_addr_o <= cmd_addr_i;
				mem_len_o  <= cmd_len_i;
				beats_m1_q <= beats_of(cmd_len_i) - 32'd1;
				beat_idx_q <= 32'd0;
			end else if (mem_beat_i) begin
				beat_idx_q <= beat_idx_q + 32'd1;
			end
		end
	end

	assign beat_o     = mem_beat_i;
	assign beat_idx_o = beat_idx_q;
	assign last_o     = mem_beat_i && (beat_idx_q == beats_m1_q);
endmodule
