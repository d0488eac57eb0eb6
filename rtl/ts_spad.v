// ts_spad — an input (A) or weight (W) scratchpad: DEPTH words of WBYTES
// bytes, one word = one array edge (docs/timing.md §2), with the LOAD write
// port (the bytes of the memory port scattered into rows) and one read port.
//
// LOAD (desc.h): start_i latches the fields of a LOAD aimed at this
// scratchpad; then every beat_i brings B bytes of `rows` rows of rb0 bytes
// followed by rows2 rows of rb2 bytes. Row r fills word word0 + r from byte 0
// and the rest of the word is zero: the first byte of a row clears the word,
// and the last byte of a row is ANDed with its row's mask (mask0 / mask2: the
// bits of a partial last byte that hold elements, 8'hff for a full byte).
// Read: rdata_o <= word raddr_i on a clock with re_i (block-RAM style: data
// one cycle after the address, held while re_i is low).
//
// Storage (timing.md §2 fixes the rate: a LOAD of x bytes takes ceil(x / B)
// beats, whatever the row length). A beat's bytes go to consecutive words,
// but rows may be as short as one byte (a ragged tile of one element), so one
// beat can touch up to min(B, rows) words: a single memory would need B write
// ports (flip-flops; tiny-ice40's 4 KiB input scratchpad alone was 32 K of
// them). So the words are spread over NB = 2^ceil(log2 B) banks (ts_ram, one
// block RAM each), interleaved by word address: word w lives in bank
// w mod NB at row w / NB. The words one beat touches are consecutive, at
// most B <= NB of them, so each bank takes at most one word write per beat,
// with byte enables: all bytes of the word (zeros included) when a row
// starts in it, else the bytes the beat brings.
// - Write: the beat's walk (below) computes every bank's (enable, row, byte
//   enables, data) into registers that write the banks in the next cycle.
//   The extra cycle is invisible: reads happen only in COMPUTE, and after a
//   LOAD's last beat the controller always fetches and decodes a descriptor
//   first (docs/timing.md §1), so no read can see a word before its write.
// - Read: the bank of raddr_i reads its row (the others stay idle), and the
//   registered bank number picks rdata_o from the NB bank outputs: data one
//   cycle after the address, held while re_i is low.
module ts_spad #(
	parameter WBYTES = 2,    // bytes per word
	parameter DEPTH  = 32,   // words
	parameter AW     = 5,    // word address bits
	parameter B      = 4,    // memory port bytes per beat
	parameter OW     = 8,    // bits of a byte offset within a word (> log2 WBYTES)
	parameter NBW    = 2     // log2 of the bank count: ceil(log2 B), 0 for B = 1
) (
	input  wire                clk_i,
	// LOAD write port
	input  wire                start_i,
	input  wire [31:0]         word0_i,
	input  wire [31:0]         rows_i,
	input  wire [31:0]         rb0_i,
	input  wire [31:0]         rb2_i,
	input  wire [7:0]          mask0_i,
	input  wire [7:0]          mask2_i,
	input  wire [31:0]         bytes_i,
	input  wire                beat_i,
	input  wire [8*B-1:0]      rdata_i,
	// read port
	input  wire                re_i,
	input  wire [AW-1:0]       raddr_i,
	output wire [8*WBYTES-1:0] rdata_o
);
	localparam NB  = 1 << NBW;
	localparam BD  = (DEPTH + NB - 1) / NB;       // words per bank
	localparam RAW = (AW > NBW) ? AW - NBW : 1;   // bank row address bits
	localparam SW  = (NBW > 0) ? NBW : 1;         // bank number bits
	localparam [31:0] NB32 = NB;
	// All banks' write data, zero (a replication this wide trips verilator's WIDTHCONCAT)
	localparam [NB*8*WBYTES-1:0] BDATA_ZERO = 0;

	reg [AW-1:0] word_q;
	reg [OW-1:0] off_q, rb_q, rb2_q;
	reg [7:0]    mask_q, mask2_q;
	// Counts are narrow: the controller's checks keep a LOAD inside the table
	// (rows <= DEPTH, bytes <= DEPTH * WBYTES).
	`include "ts_func.vh"   // clog2
	localparam RW  = clog2(DEPTH + 2);           // rows left, down to -1
	localparam LW  = clog2(DEPTH * WBYTES + B + 1);
	localparam BAW = clog2(NB * WBYTES);         // a byte in the bank requests
	localparam [LW-1:0] BL = B;
	localparam [31:0] WB32 = WBYTES;
	localparam [BAW+OW:0] WB_B = WB32[BAW+OW:0];
	reg [RW-1:0] rows_left_q;
	reg [LW-1:0] left_q;

	// Bank write requests of the last beat (see the header).
	reg [NB-1:0]          bwe_q;
	reg [NB*RAW-1:0]      brow_q;
	reg [NB*WBYTES-1:0]   bbe_q;
	reg [NB*8*WBYTES-1:0] bdata_q;

	// Per-beat walk (blocking temporaries of the clocked block below: the
	// scatter is evaluated on beats only, not on every simulated cycle).
	/* verilator lint_off BLKSEQ */
	reg [AW-1:0] wa;
	reg [OW-1:0] off, rb;
	reg [7:0]    mask, data;
	reg [RW-1:0] rows_left;
	reg [SW-1:0] bank;
	reg [BAW-1:0] byte_at;   // the byte's index in the bank requests
	/* verilator lint_off UNUSEDSIGNAL */
	reg [BAW+OW:0] bt;       // byte_at, wide
	reg [AW-1:0]  wrow;      // the low RAW bits are the bank row
	/* verilator lint_on UNUSEDSIGNAL */
	reg [NB-1:0]          bwe;
	reg [NB*RAW-1:0]      brow;
	reg [NB*WBYTES-1:0]   bbe;
	reg [NB*8*WBYTES-1:0] bdata;
	integer      l;

	always @(posedge clk_i) begin
		bwe_q <= {NB{1'b0}};
		if (start_i) begin
			word_q      <= word0_i[AW-1:0];
			off_q       <= {OW{1'b0}};
			rb_q        <= rb0_i[OW-1:0];
			rb2_q       <= rb2_i[OW-1:0];
			mask_q      <= mask0_i;
			mask2_q     <= mask2_i;
			rows_left_q <= rows_i[RW-1:0];
			left_q      <= bytes_i[LW-1:0];
		end else if (beat_i) begin
			wa = word_q;
			off = off_q;
			rb = rb_q;
			mask = mask_q;
			rows_left = rows_left_q;
			bwe = {NB{1'b0}};
			brow = brow_q;
			bbe = {(NB*WBYTES){1'b0}};
			bdata = BDATA_ZERO;
			for (l = 0; l < B; l = l + 1) begin
				if (l < left_q) begin
					data = rdata_i[8*l +: 8];
					if (off + 1'b1 == rb)
						data = data & mask;
					// word wa: bank wa mod NB, row wa / NB
					bank = (NBW == 0) ? {SW{1'b0}} : wa[SW-1:0];
					bt = {{(BAW+OW+1-SW){1'b0}}, bank} * WB_B + {{(BAW+1){1'b0}}, off};
					byte_at = bt[BAW-1:0];
					wrow = wa >> NBW;
					bwe[bank] = 1'b1;
					brow[bank*RAW +: RAW] = wrow[RAW-1:0];
					// the first byte of a row clears the rest of its word
					if (off == {OW{1'b0}})
						bbe[bank*WBYTES +: WBYTES] = {WBYTES{1'b1}};
					else
						bbe[byte_at] = 1'b1;
					bdata[byte_at*8 +: 8] = data;
					if (off + 1'b1 == rb) begin
						off = {OW{1'b0}};
						wa = wa + 1'b1;
						rows_left = rows_left - 1'b1;
						if (rows_left == {RW{1'b0}}) begin
							rb = rb2_q;
							mask = mask2_q;
						end
					end else begin
						off = off + 1'b1;
					end
				end
			end
			word_q      <= wa;
			off_q       <= off;
			rb_q        <= rb;
			mask_q      <= mask;
			rows_left_q <= rows_left;
			left_q      <= (left_q > BL) ? left_q - BL : {LW{1'b0}};
			bwe_q       <= bwe;
			brow_q      <= brow;
			bbe_q       <= bbe;
			bdata_q     <= bdata;
		end
	end
	/* verilator lint_on BLKSEQ */

	// Read: one bank reads, the registered bank number selects its output.
	/* verilator lint_off UNUSEDSIGNAL */
	wire [31:0] raddr32 = {{(32-AW){1'b0}}, raddr_i};
	wire [31:0] rrow    = raddr32 >> NBW;
	wire [31:0] rbank   = raddr32 % NB32;
	/* verilator lint_on UNUSEDSIGNAL */
	reg  [SW-1:0] rsel_q;
	always @(posedge clk_i)
		if (re_i)
			rsel_q <= rbank[SW-1:0];

	// Any bank access this cycle: the banks' common port enable.
	wire bank_en = re_i || (bwe_q != {NB{1'b0}});
	wire [8*WBYTES-1:0] bank_q [0:NB-1];
	genvar g;
	generate
		for (g = 0; g < NB; g = g + 1) begin : g_bank
			ts_ram #(.WIDTH(8 * WBYTES), .LANE(8), .DEPTH(BD), .AW(RAW)) u_ram (
				.clk_i   (clk_i),
				.en_i    (bank_en),
				.we_i    (bwe_q[g]),
				.waddr_i (brow_q[g*RAW +: RAW]),
				.wbe_i   (bbe_q[g*WBYTES +: WBYTES]),
				.wdata_i (bdata_q[g*8*WBYTES +: 8*WBYTES]),
				.re_i    (re_i && rbank == g),
				.raddr_i (rrow[RAW-1:0]),
				.rdata_o (bank_q[g])
			);
		end
	endgenerate
	generate
		if (NB == 1) begin : g_one
			assign rdata_o = bank_q[0];
			wire unused_sel = &{1'b0, rsel_q};
		end else begin : g_mux
			assign rdata_o = bank_q[rsel_q];
		end
	endgenerate

	wire unused = &{1'b0, word0_i[31:AW] , rb0_i[31:OW], rb2_i[31:OW], rows_i, bytes_i};
endmodule
