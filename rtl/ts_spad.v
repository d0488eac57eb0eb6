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
// Storage, and where block RAM can be inferred (timing.md §2 fixes the rate:
// a LOAD of x bytes takes ceil(x / B) beats, whatever the row length):
// - The read side is one word-wide read port with a read enable: BRAM-friendly.
// - The write side must take B bytes per cycle. A beat's bytes go to
//   consecutive words, but rows may be as short as one byte (a ragged tile
//   of one element), so a single beat can touch up to min(B, rows) words.
//   * B == 1 (the hx8k preset; tests/data/rtl/synth-ice40.json): one byte per
//     cycle, so one write port (a byte at a variable offset, or the whole word
//     when a row starts): a simple dual-port RAM with byte enables. yosys
//     infers block RAM (synth_ice40 maps both scratchpads of synth-ice40.json
//     to SB_RAM40_4K).
//   * B > 1 (every other preset: tiny-ice40 B = 2, edge 8, ultra96 16, cloud
//     32): up to B writes per cycle to distinct words. As written (one always
//     block, B write lanes) synthesis builds flip-flops / LUT RAM: right for
//     the small configs, far too big for the large ones (tiny-ice40's 4 KiB
//     input scratchpad alone becomes 32 K flip-flops). The block-RAM form is
//     NB = 2^ceil(log2 B) banks interleaved by word address (bank = word mod
//     NB): the words one beat touches are consecutive, so each bank takes at
//     most one word write per beat (byte enables, all ones when a row starts
//     in it), and a read is one bank read plus an NB-way mux. Same timing; not
//     implemented yet (simulation does not care: one array either way).
// The accumulator scratchpad (ts_acc) has its own analysis there.
module ts_spad #(
	parameter WBYTES = 2,    // bytes per word
	parameter DEPTH  = 32,   // words
	parameter AW     = 5,    // word address bits
	parameter B      = 4,    // memory port bytes per beat
	parameter OW     = 8     // bits of a byte offset within a word (> log2 WBYTES)
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
	output reg  [8*WBYTES-1:0] rdata_o
);
	reg [8*WBYTES-1:0] mem [0:DEPTH-1];

	reg [AW-1:0] word_q;
	reg [OW-1:0] off_q, rb_q, rb2_q;
	reg [7:0]    mask_q, mask2_q;
	reg [31:0]   rows_left_q, left_q;

	// Per-beat walk (blocking temporaries of the clocked block below: the
	// scatter is evaluated on beats only, not on every simulated cycle).
	// Under Verilator the memory writes are blocking too (other tools, and
	// synthesis, see the non-blocking form): a scratchpad never takes a LOAD
	// beat in a cycle it is read (beats come in the controller's LOAD state,
	// re_i in COMPUTE), so no read races them, and the lanes of one beat land
	// in program order exactly as non-blocking writes would. Non-blocking
	// writes cost Verilator a shadow (address, lane, value, flag) per write
	// site, B * 2 per scratchpad, set up and tested on every simulated cycle.
	/* verilator lint_off BLKSEQ */
	reg [AW-1:0] wa;
	reg [OW-1:0] off, rb;
	reg [7:0]    mask, data;
	reg [31:0]   rows_left;
	integer      l;

	always @(posedge clk_i) begin
		if (start_i) begin
			word_q      <= word0_i[AW-1:0];
			off_q       <= {OW{1'b0}};
			rb_q        <= rb0_i[OW-1:0];
			rb2_q       <= rb2_i[OW-1:0];
			mask_q      <= mask0_i;
			mask2_q     <= mask2_i;
			rows_left_q <= rows_i;
			left_q      <= bytes_i;
		end else if (beat_i) begin
			wa = word_q;
			off = off_q;
			rb = rb_q;
			mask = mask_q;
			rows_left = rows_left_q;
			for (l = 0; l < B; l = l + 1) begin
				if (l < left_q) begin
					data = rdata_i[8*l +: 8];
					if (off + 1'b1 == rb)
						data = data & mask;
`ifdef VERILATOR
					if (off == {OW{1'b0}})
						mem[wa] = {{(8*WBYTES-8){1'b0}}, data};
					else
						mem[wa][8*off +: 8] = data;
`else
					if (off == {OW{1'b0}})
						mem[wa] <= {{(8*WBYTES-8){1'b0}}, data};
					else
						mem[wa][8*off +: 8] <= data;
`endif
					if (off + 1'b1 == rb) begin
						off = {OW{1'b0}};
						wa = wa + 1'b1;
						rows_left = rows_left - 32'd1;
						if (rows_left == 32'd0) begin
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
			left_q      <= (left_q > B) ? left_q - B : 32'd0;
		end
	end
	/* verilator lint_on BLKSEQ */

	always @(posedge clk_i)
		if (re_i)
			rdata_o <= mem[raddr_i];

	wire unused = &{1'b0, word0_i[31:AW] , rb0_i[31:OW], rb2_i[31:OW]};
endmodule
