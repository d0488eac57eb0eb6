// ts_qtab — the requantization table (desc.h LOAD_TO_Q): COLS entries, one
// per array column, each (bias int32, mult 31 bits, shift SHIFT_BITS bits),
// zero after reset and kept until a LOAD_TO_Q overwrites them. The STORE
// path reads the entries of its lanes' columns (ts_storer). Entry e sits at
// bits 32e of tab_bias_o and tab_mult_o and 8e of tab_shift_o: power-of-two
// strides, so that entry and byte addresses are wiring rather than
// multipliers (synth_ice40 made SB_MAC16s of e * 31); mult's bit 31 and
// shift's bits above SHIFT_BITS are constant zero, and synthesis removes
// their flip-flops (69 per entry remain).
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
	parameter CW   = 1,                     // bits of an entry number (< COLS)
	parameter SHB  = `TS_DESC_SHIFT_BITS,   // shift bits kept
	parameter LW   = 16                     // bits of a byte count (< 32; fits the table and B)
) (
	input  wire               clk_i,
	input  wire               rst_ni,
	input  wire               start_i,
	input  wire [31:0]        word0_i,
	input  wire [31:0]        bytes_i,
	input  wire               beat_i,
	input  wire [8*B-1:0]     rdata_i,
	output reg  [COLS*32-1:0] tab_bias_o,
	output reg  [COLS*32-1:0] tab_mult_o,    // bit 31 of each entry zero
	output reg  [COLS*8-1:0]  tab_shift_o    // bits 7:SHB of each entry zero
);
	// Record bytes (desc.h LOAD_TO_Q): bias 0-3, mult 4-7, shift 8; a byte's
	// place in its record fits 4 bits (QREC_BYTES <= 16).
	localparam [31:0] RB_LAST32 = `TS_DESC_QREC_BYTES - 1;
	localparam [3:0] RB_LAST  = RB_LAST32[3:0];
	localparam [3:0] MULT_AT  = 4'd4;
	localparam [3:0] MULT_TOP = 4'd7;
	localparam [3:0] SHIFT_AT = 4'd8;
	localparam [7:0] SHMASK   = (8'd1 << SHB) - 8'd1;

	reg [CW:0]   ent_q;    // entry of the next byte (COLS after the last record)
	reg [3:0]    at_q;     // its place in the record
	localparam [LW-1:0] B_LW = B;
	reg [LW-1:0] left_q;   // bytes left in the transfer

	/* verilator lint_off BLKSEQ */
	reg [CW:0]   ent;
	reg [3:0]    at;
	reg [7:0]    data;
	reg [COLS*32-1:0] tb, tm;
	reg [COLS*8-1:0]  ts;
	integer l;
	always @(posedge clk_i) begin
		if (!rst_ni) begin
`ifdef VERILATOR
			tab_bias_o  = {(COLS*32){1'b0}};
			tab_mult_o  = {(COLS*32){1'b0}};
			tab_shift_o = {(COLS*8){1'b0}};
`else
			tab_bias_o  <= {(COLS*32){1'b0}};
			tab_mult_o  <= {(COLS*32){1'b0}};
			tab_shift_o <= {(COLS*8){1'b0}};
`endif
		end else if (start_i || beat_i) begin
			// one assignment of each walk register (a simulator keeps no
			// shadow copies of them on the other cycles)
			ent = start_i ? word0_i[CW:0] : ent_q;
			at  = start_i ? 4'd0 : at_q;
			tb  = tab_bias_o;
			tm  = tab_mult_o;
			ts  = tab_shift_o;
			if (!start_i) begin
				for (l = 0; l < B; l = l + 1) begin
					if (l < left_q && ent < COLS) begin
						data = rdata_i[8*l +: 8];
						if (at < MULT_AT)
							tb[{ent[CW-1:0], at[1:0], 3'b000} +: 8] = data;
						else if (at < MULT_TOP)
							tm[{ent[CW-1:0], at[1:0], 3'b000} +: 8] = data;
						else if (at == MULT_TOP)    // mult bit 31 is ignored
							tm[{ent[CW-1:0], at[1:0], 3'b000} +: 8] = {1'b0, data[6:0]};
						else if (at == SHIFT_AT)
							ts[{ent[CW-1:0], 3'b000} +: 8] = data & SHMASK;
						if (at == RB_LAST) begin
							at  = 4'd0;
							ent = ent + 1'b1;
						end else begin
							at = at + 4'd1;
						end
					end
				end
			end
			ent_q  <= ent;
			at_q   <= at;
			left_q <= start_i ? bytes_i[LW-1:0] : (left_q > B_LW) ? left_q - B_LW : {LW{1'b0}};
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

	wire unused = &{1'b0, word0_i[31:CW+1], bytes_i[31:LW]};
endmodule
