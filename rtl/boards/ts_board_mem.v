// ts_board_mem — the board's on-chip memory behind ts_top's memory port (the
// port of ts_dma, answered as sim/ts_sim_shim.cpp answers it, which is what
// the cost model counts: docs/timing.md), and a byte port for the UART bridge.
//
// Accelerator port: a request (mem_req_i, one cycle t, with we / addr / len)
// is answered by ceil(len / B) beats (mem_beat_o) in consecutive cycles from
// t + LATENCY on, each carrying B consecutive bytes from any byte address:
// reads on mem_rdata_o (the bytes past len read 0), writes taken from
// mem_wdata_i in the beat's cycle (the bytes past len are not written) when
// mem_wvalid_i is high, a write beat waiting otherwise (ts_top raises it
// always, or every M cycles with a serial requantizer). One transfer at a
// time (the controller waits for the last beat).
//
// Organisation: words of W = 2^ceil(log2 B) bytes (at least 2) in two banks,
// word w in bank w mod 2, so the B bytes at byte address a lie in word a / W
// and the next one, which are in different banks: one access per bank and
// beat (B = 1: one byte is in one word, and one bank of them serves). A read is issued one cycle before its beat (registered bank outputs);
// the realignment to byte a mod W is combinational after the banks. A write
// goes into the banks in its beat's cycle with byte enables. Hence LATENCY >= 2
// (refused at elaboration otherwise). Address: the low log2(MEM_BYTES) bits;
// the accelerator's window registers (MEM_LO, MEM_SIZE) keep it inside.
//
// Byte port (the bridge, while the accelerator is idle): bp_req_i held with
// bp_we_i / bp_addr_i (offset into the memory) / bp_wdata_i until bp_ack_o,
// which comes the cycle after the request is granted, with bp_rdata_o. A
// request waits while a transfer is active.
module ts_board_mem #(
	parameter B         = 2,       // memory port bytes per beat (TS_DRAM_BPC)
	parameter LATENCY   = 2,       // request to first beat, cycles (TS_DRAM_LATENCY)
	parameter MEM_BYTES = 131072,  // a power of two
	parameter SPRAM     = 0,       // banks of SB_SPRAM256KA (iCE40 UP5K)
	parameter AW        = 17       // log2(MEM_BYTES)
) (
	input  wire            clk_i,
	input  wire            rst_ni,
	// accelerator port (ts_top mem_*)
	input  wire            mem_req_i,
	input  wire            mem_we_i,
	input  wire [63:0]     mem_addr_i,
	input  wire [31:0]     mem_len_i,
	output wire            mem_beat_o,
	output wire [8*B-1:0]  mem_rdata_o,
	input  wire [8*B-1:0]  mem_wdata_i,
	input  wire            mem_wvalid_i,
	// byte port (ts_uart_bridge)
	input  wire            bp_req_i,
	input  wire            bp_we_i,
	input  wire [AW-1:0]   bp_addr_i,
	input  wire [7:0]      bp_wdata_i,
	output reg             bp_ack_o,
	output wire [7:0]      bp_rdata_o,
	output wire            active_o   // a transfer of the accelerator is under way
);
	`include "ts_func.vh"   // clog2

	localparam WB  = (B <= 2) ? 1 : clog2(B);  // log2 of the word bytes
	localparam W   = 1 << WB;
	localparam RAW = AW - WB - 1;              // bank row bits
	localparam DEPTH = 1 << RAW;
	localparam DLW = clog2(LATENCY);           // 0 .. LATENCY - 1
	localparam [31:0]    DLY_RD32 = LATENCY - 2;  // cycles from the request to the first issue, - 1
	localparam [31:0]    DLY_WR32 = LATENCY - 1;
	localparam [DLW-1:0] DLY_RD = DLY_RD32[DLW-1:0];
	localparam [DLW-1:0] DLY_WR = DLY_WR32[DLW-1:0];
	localparam [AW:0]   BB     = B;
	localparam [AW-1:0] B_AW   = B;

	generate
		if (LATENCY < 2) begin : g_bad_latency
			ts_board_mem_needs_dram_latency_of_at_least_2 u_refuse ();
		end
		if ((1 << AW) != MEM_BYTES || MEM_BYTES < 8 * W) begin : g_bad_size
			ts_board_mem_size_must_be_2_to_aw_and_8_words u_refuse ();
		end
	endgenerate

	// ---- the transfer: issue one bank access per beat -------------------------
	reg          act_q, we_q;
	reg [AW-1:0] off_q;    // byte address of the next beat
	reg [AW:0]   rem_q;    // bytes not yet issued (len <= MEM_SIZE <= the memory)
	reg [DLW-1:0] dly_q;   // cycles before the first issue
	reg          rd_v_q;   // a read was issued last cycle: its beat is now
	reg [WB-1:0] rd_sh_q;  // its byte offset in the word
	reg          rd_sw_q;  // its first word is in bank 1
	reg [B-1:0]  rd_bv_q;  // its bytes inside len

	wire issue = act_q && dly_q == {DLW{1'b0}} && rem_q != {(AW+1){1'b0}} && (!we_q || mem_wvalid_i);
	wire [AW-WB-1:0] word = off_q[AW-1:WB];
	wire [WB-1:0]    shift = off_q[WB-1:0];

	// Bytes of this beat inside len: lanes 0 .. min(B, rem) - 1.
	reg [B-1:0] beat_bv;
	integer l;
	always @(*) begin
		for (l = 0; l < B; l = l + 1)
			beat_bv[l] = rem_q > l[AW:0];
	end

	always @(posedge clk_i) begin
		if (!rst_ni) begin
			act_q   <= 1'b0;
			we_q    <= 1'b0;
			off_q   <= {AW{1'b0}};
			rem_q   <= {(AW+1){1'b0}};
			dly_q   <= {DLW{1'b0}};
			rd_v_q  <= 1'b0;
			rd_sh_q <= {WB{1'b0}};
			rd_sw_q <= 1'b0;
			rd_bv_q <= {B{1'b0}};
		end else begin
			rd_v_q <= issue && !we_q;
			if (issue) begin
				rd_sh_q <= shift;
				rd_sw_q <= word[0];
				rd_bv_q <= beat_bv;
			end
			if (mem_req_i) begin
				act_q <= mem_len_i != 32'd0;
				we_q  <= mem_we_i;
				off_q <= mem_addr_i[AW-1:0];
				rem_q <= mem_len_i[AW:0];
				dly_q <= mem_we_i ? DLY_WR : DLY_RD;
			end else if (act_q) begin
				if (dly_q != {DLW{1'b0}})
					dly_q <= dly_q - 1'b1;
				if (issue) begin
					off_q <= off_q + B_AW;
					rem_q <= rem_q > BB ? rem_q - BB : {(AW+1){1'b0}};
					if (rem_q <= BB)
						act_q <= 1'b0;
				end
			end
		end
	end

	assign mem_beat_o = (issue && we_q) || rd_v_q;
	assign active_o   = act_q || mem_req_i;

	// ---- the byte port: granted when no transfer is under way -------------------
	wire bp_go = bp_req_i && !act_q && !mem_req_i && !bp_ack_o;
	reg [WB-1:0] bp_lane_q;
	reg          bp_bank_q;
	always @(posedge clk_i) begin
		if (!rst_ni) begin
			bp_ack_o  <= 1'b0;
			bp_lane_q <= {WB{1'b0}};
			bp_bank_q <= 1'b0;
		end else begin
			bp_ack_o <= bp_go;
			if (bp_go) begin
				bp_lane_q <= bp_addr_i[WB-1:0];
				bp_bank_q <= bp_addr_i[WB];
			end
		end
	end

	// ---- bank ports ----------------------------------------------------------------
	generate
		if (B == 1) begin : g_one_bank
			// One byte per beat always lies in one word: a single bank, the beat's
			// and the byte port's accesses differ only in where the address comes from.
			wire [AW-WB-1:0] row   = issue ? word : bp_addr_i[AW-1:WB];
			wire [WB-1:0]    lane  = issue ? shift : bp_addr_i[WB-1:0];
			wire [7:0]       wbyte = issue ? mem_wdata_i : bp_wdata_i;
			wire [8*W-1:0]   rd;
			ts_board_ram #(.WBYTES(W), .DEPTH(MEM_BYTES / W), .AW(AW - WB), .SPRAM(SPRAM)) u_bank (
				.clk_i(clk_i), .en_i(issue || bp_go), .we_i(issue ? we_q : bp_we_i),
				.be_i({{(W-1){1'b0}}, 1'b1} << lane), .addr_i(row), .wdata_i({W{wbyte}}),
				.rdata_o(rd)
			);
			// a beat of one byte is always inside len (rd_bv_q[0] is set)
			assign mem_rdata_o = rd[8*rd_sh_q +: 8];
			assign bp_rdata_o  = rd[8*bp_lane_q +: 8];
			wire unused_one = &{1'b0, rd_sw_q, rd_bv_q, bp_bank_q};
		end else begin : g_two_banks
			// A beat's bytes in a window of two words: the low word is word `word`, the
			// high one word + 1; the window is shifted by the byte offset.
			wire [16*W-1:0] wwin = {{(16*W-8*B){1'b0}}, mem_wdata_i} << (8 * shift);
			wire [2*W-1:0]  bwin = {{(2*W-B){1'b0}}, beat_bv} << shift;
			wire [RAW-1:0]  row_lo = word[AW-WB-1:1];         // the bank-1 row (word or word + 1)
			wire [RAW-1:0]  row_0  = row_lo + {{(RAW-1){1'b0}}, word[0]};  // the bank-0 row

			wire [RAW-1:0]  bp_row  = bp_addr_i[AW-1:WB+1];
			wire [W-1:0]    bp_be   = {{(W-1){1'b0}}, 1'b1} << bp_addr_i[WB-1:0];
			wire [8*W-1:0]  bp_wword = {W{bp_wdata_i}};

			wire [8*W-1:0] rd0, rd1;
			reg            en0, en1, we0, we1;
			reg  [RAW-1:0] addr0, addr1;
			reg  [W-1:0]   be0, be1;
			reg  [8*W-1:0] wd0, wd1;
			always @(*) begin
				en0 = 1'b0; en1 = 1'b0; we0 = 1'b0; we1 = 1'b0;
				addr0 = bp_row; addr1 = bp_row;
				be0 = bp_be; be1 = bp_be;
				wd0 = bp_wword; wd1 = bp_wword;
				if (issue) begin
					en0 = 1'b1; en1 = 1'b1; we0 = we_q; we1 = we_q;
					addr0 = row_0; addr1 = row_lo;
					// word `word` is in bank word[0]: it takes the low half of the window
					be0 = word[0] ? bwin[2*W-1:W] : bwin[W-1:0];
					be1 = word[0] ? bwin[W-1:0]   : bwin[2*W-1:W];
					wd0 = word[0] ? wwin[16*W-1:8*W] : wwin[8*W-1:0];
					wd1 = word[0] ? wwin[8*W-1:0]    : wwin[16*W-1:8*W];
				end else if (bp_go) begin
					en0 = !bp_addr_i[WB]; en1 = bp_addr_i[WB];
					we0 = bp_we_i; we1 = bp_we_i;
				end
			end

			ts_board_ram #(.WBYTES(W), .DEPTH(DEPTH), .AW(RAW), .SPRAM(SPRAM)) u_bank0 (
				.clk_i(clk_i), .en_i(en0), .we_i(we0), .be_i(be0), .addr_i(addr0), .wdata_i(wd0),
				.rdata_o(rd0)
			);
			ts_board_ram #(.WBYTES(W), .DEPTH(DEPTH), .AW(RAW), .SPRAM(SPRAM)) u_bank1 (
				.clk_i(clk_i), .en_i(en1), .we_i(we1), .be_i(be1), .addr_i(addr1), .wdata_i(wd1),
				.rdata_o(rd1)
			);

			// ---- read data -------------------------------------------------------------------
			wire [16*W-1:0] rwin = rd_sw_q ? {rd0, rd1} : {rd1, rd0};
			wire [16*W-1:0] rsh  = rwin >> (8 * rd_sh_q);
			reg  [8*B-1:0]  rdata;
			integer m;
			always @(*) begin
				for (m = 0; m < B; m = m + 1)
					rdata[8*m +: 8] = rd_bv_q[m] ? rsh[8*m +: 8] : 8'd0;
			end
			assign mem_rdata_o = rdata;

			wire [8*W-1:0] bp_word = bp_bank_q ? rd1 : rd0;
			assign bp_rdata_o = bp_word[8*bp_lane_q +: 8];
		end
	endgenerate

	wire unused = &{1'b0, mem_addr_i[63:AW], mem_len_i[31:AW+1]};
endmodule
