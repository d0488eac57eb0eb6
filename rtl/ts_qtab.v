// ts_qtab — the requantization table (desc.h LOAD_TO_Q): COLS entries, one
// per array column, each (bias int32, mult 31 bits, shift SHIFT_BITS bits),
// zero after reset and kept until a LOAD_TO_Q overwrites them. The STORE
// path reads the entries of its lanes' columns (ts_storer: tab_*_o, COLS
// entries side by side, entry e at bits e*width).
//
// Write port: start_i latches a LOAD_TO_Q (first entry, byte count); then
// every beat_i brings B bytes at a running byte offset in the records of
// QREC_BYTES bytes, little-endian: bytes 0-3 bias, 4-7 mult (bit 31 is not
// kept), byte 8 shift (its low SHIFT_BITS bits), the rest ignored; bytes of
// the last beat beyond the transfer are not written. The controller's checks
// keep the records inside the table (word + rows <= COLS). Flip-flops, not
// block RAM: the storer reads one entry per lane in the same cycle.
// The beat's walk runs in the clocked block (blocking temporaries), so a
// simulator evaluates it on LOAD_TO_Q beats only. Under Verilator the table
// itself is written blocking too (as ts_acc's banks): a non-blocking write
// makes Verilator copy the whole table into a shadow and back on every
// simulated cycle, because the storer reads it in the same clock domain. The
// order of the two does not matter: the table is written by LOAD beats and
// reset only and read by STORE issues, never in the same cycle.
`include "ts_contract.vh"
module ts_qtab #(
	parameter B    = 4,
	parameter COLS = 2,
	parameter SHB  = `TS_DESC_SHIFT_BITS    // shift bits kept
) (
	input  wire               clk_i,
	input  wire               rst_ni,
	input  wire               start_i,
	input  wire [31:0]        word0_i,
	input  wire [31:0]        bytes_i,
	input  wire               beat_i,
	input  wire [8*B-1:0]     rdata_i,
	output reg  [COLS*32-1:0]  tab_bias_o,
	output reg  [COLS*31-1:0]  tab_mult_o,
	output reg  [COLS*SHB-1:0] tab_shift_o
);
	localparam [31:0] RB = `TS_DESC_QREC_BYTES;   // bytes per record
	localparam [31:0] MULT_AT  = 32'd4;           // record bytes: bias 0-3, mult 4-7,
	localparam [31:0] SHIFT_AT = 32'd8;           // shift 8 (desc.h LOAD_TO_Q)

	reg [31:0] ent_q, at_q, left_q;   // entry, byte within its record, bytes left

	/* verilator lint_off BLKSEQ */
	reg [31:0] ent, at;
	reg [7:0]  data;
	reg [COLS*32-1:0]  tb;
	reg [COLS*31-1:0]  tm;
	reg [COLS*SHB-1:0] ts;
	integer l;
	always @(posedge clk_i) begin
		if (!rst_ni) begin
`ifdef VERILATOR
			tab_bias_o  = {(COLS*32){1'b0}};
			tab_mult_o  = {(COLS*31){1'b0}};
			tab_shift_o = {(COLS*SHB){1'b0}};
`else
			tab_bias_o  <= {(COLS*32){1'b0}};
			tab_mult_o  <= {(COLS*31){1'b0}};
			tab_shift_o <= {(COLS*SHB){1'b0}};
`endif
		end else if (start_i || beat_i) begin
			// one assignment of each walk register (a simulator keeps no
			// shadow copies of them on the other cycles)
			ent = start_i ? word0_i : ent_q;
			at  = start_i ? 32'd0 : at_q;
			tb  = tab_bias_o;
			tm  = tab_mult_o;
			ts  = tab_shift_o;
			if (!start_i) begin
				for (l = 0; l < B; l = l + 1) begin
					if (l < left_q && ent < COLS) begin
						data = rdata_i[8*l +: 8];
						if (at < MULT_AT)
							tb[ent*32 + at*8 +: 8] = data;
						else if (at + 32'd1 < SHIFT_AT)
							tm[ent*31 + (at - MULT_AT)*8 +: 8] = data;
						else if (at < SHIFT_AT)
							tm[ent*31 + 24 +: 7] = data[6:0];   // mult bit 31 is ignored
						else if (at == SHIFT_AT)
							ts[ent*SHB +: SHB] = data[SHB-1:0];
						if (at + 32'd1 == RB) begin
							at  = 32'd0;
							ent = ent + 32'd1;
						end else begin
							at = at + 32'd1;
						end
					end
				end
			end
			ent_q  <= ent;
			at_q   <= at;
			left_q <= start_i ? bytes_i : (left_q > B) ? left_q - B : 32'd0;
`ifdef VERILATOR
			tab_bias_o  = tb;
			tab_mult_o  = tm;
			tab_shift_o = ts;
`else
			tab_bias_o  <= tb;
			tab_mult_o  <= tm;
			tab_shift_o <= ts;
`endif
		end
	end
	/* verilator lint_on BLKSEQ */
endmodule
