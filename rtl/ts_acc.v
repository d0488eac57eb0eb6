// ts_acc — the accumulator scratchpad: DEPTH words of COLS accumulators,
// written by the array's bottom row and read by the STORE path.
//
// Column writes (desc.h COMPUTE): wv_i / wword_i name the accumulator word of
// the array row entering now. WS: the row's partial sums leave column j
// ROWS + j cycles later, so a (valid, word) tag pipeline advancing with en_i
// delays the write per column; each column adds to the word (or overwrites it
// with first_i, the first reduction step). OS: the drain writes all columns
// of wword_i at once (delay 0), overwriting. All COLS columns are written.
// Store reads (ts_storer): on a clock with re_i, lane l of rdata_o gets the
// element the storer addressed to it (NQ lanes; packed, lane l at bits
// l*width), one cycle later as from a block RAM.
//
// Block RAM (banks of the ts_ram form, one write and one registered read
// port each; written out at the end of this module):
// - Columns: every column writes only its own elements, one per cycle, so
//   each column has its own banks.
// - Store reads: a beat reads NQ = B * elements-per-byte accumulators, at most
//   NQ consecutive elements of the tile in row-major order (nt columns per
//   row); for nt < NQ several come from one column, in consecutive words.
//   So each column is split into NR = 2^ceil(log2 NQ) banks by word: element
//   (word, col) is in bank col * NR + word mod NR, at row word / NR. Among NQ
//   consecutive elements a column appears at most ceil(NQ / nt) <= NR times,
//   in consecutive words, hence in distinct banks: one read per bank. The
//   storer computes the banks' rows and each lane's bank (ts_storer.v).
// - WS read-modify-write: the read is registered, so it is made one cycle
//   ahead: every cycle of a COMPUTE each column reads the word of its next
//   write (the tag one stage up: the pipeline advances with en_i), and the
//   write adds that data. A read of the word being written in the same cycle
//   (undefined in ts_ram) would need forwarding, but cannot happen: a
//   column's consecutive writes go to different words (ts_ctrl: the rows of
//   one COMPUTE have words acc0 + m, and the pipeline drains before the
//   COMPUTE ends, so the next one's writes come cycles later). The
//   co-simulation would show a violation as a wrong sum.
// Writes (en_i / wv_i, COMPUTE) and store reads (re_i, STORE) never share a
// cycle, so the store reads and the read-ahead share each bank's read port.
module ts_acc #(
	parameter ROWS     = 2,
	parameter COLS     = 2,
	parameter DATAFLOW = 0,
	parameter ACC_BITS = 32,
	parameter DEPTH    = 32,   // words
	parameter NQ       = 4,    // store read lanes
	parameter NRW      = 2,    // log2 of the banks per column: ceil(log2 NQ), 0 for NQ = 1
	parameter RAW      = 3,    // bank row bits: ceil(log2 (DEPTH / 2^NRW)), at least 1
	parameter BSW      = 3     // bank number bits (COLS << NRW banks), at least 1
) (
	input  wire                     clk_i,
	input  wire                     rst_ni,
	input  wire                     en_i,
	input  wire                     wv_i,
	input  wire [31:0]              wword_i,
	input  wire                     first_i,
	input  wire [COLS*ACC_BITS-1:0] col_i,
	input  wire                     re_i,
	input  wire [(COLS<<NRW)-1:0]   bre_i,     // store reads: banks that read,
	input  wire [(COLS<<NRW)*RAW-1:0] brow_i,  // their rows,
	input  wire [NQ*BSW-1:0]        lsel_i,    // the bank of each lane
	output wire [NQ*ACC_BITS-1:0]   rdata_o
);
	localparam NR  = 1 << NRW;
	localparam NBK = COLS * NR;
	localparam BD  = (DEPTH + NR - 1) / NR;   // words per bank
	localparam TW  = NRW + RAW;               // bits of a word index
	localparam [31:0] NR32 = NR;

	wire unused_word = &{1'b0, wword_i[31:TW]};  // words are < DEPTH

	// Bank outputs, and the bank each store lane reads (registered with the read).
	wire [ACC_BITS-1:0] bank_q [0:NBK-1];
	reg  [NQ*BSW-1:0]   lsel_q;
	always @(posedge clk_i)
		if (re_i)
			lsel_q <= lsel_i;

	genvar l;
	generate
		for (l = 0; l < NQ; l = l + 1) begin : g_lane
			assign rdata_o[l*ACC_BITS +: ACC_BITS] = bank_q[lsel_q[l*BSW +: BSW]];
		end
	endgenerate

	// Per column j: the word written now (valid, word) and the word read now
	// for the next write; the banks of column j decode them (below).
	generate
		if (DATAFLOW == 0) begin : g_ws
			// Tag pipeline: stage t (1..TAGS) holds (valid, word) of the row
			// that entered t cycles ago, packed at bit / field t - 1 (field
			// TAGS is a spare stage); column j writes from stage ROWS + j.
			// Packed shift registers rather than arrays of stages: Verilator
			// evaluates each as one vector shift instead of TAGS shadowed
			// array writes per simulated cycle.
			localparam TAGS = ROWS + COLS - 1;
			reg [TAGS:0]          tv_q;
			reg [(TAGS+1)*TW-1:0] tb_q;
			always @(posedge clk_i) begin
				if (!rst_ni)
					tv_q <= {(TAGS+1){1'b0}};
				else if (en_i)
					tv_q <= {tv_q[TAGS-1:0], wv_i};
				if (en_i)
					tb_q <= {tb_q[TAGS*TW-1:0], wword_i[TW-1:0]};
			end
			wire unused_tag = &{1'b0, tv_q[TAGS], tb_q[(TAGS+1)*TW-1:TAGS*TW]};
		end else begin : g_os
			wire unused_os = &{1'b0, rst_ni, first_i};
		end
	endgenerate

	// The banks: block RAMs of the ts_ram form (one write port, one registered
	// read port, no_rw_check), written out here rather than as ts_ram
	// instances so that each bank decodes its own enables from the column's
	// tags inside its clocked block, under en_i (COMPUTE: the WS read-ahead
	// and the column writes) or re_i (STORE reads). A simulator then skips
	// every bank on the cycles that are neither, and computes no per-column
	// enable, row or sum vectors on any cycle.
	// WS: the pipeline only moves with en_i, and it is empty outside a
	// COMPUTE (every row has left stage TAGS - 1 by its last cycle), so the
	// next write is the tag one stage up (stage ROWS + j - 1, the entering
	// row for ROWS = 1's column 0), and nothing is read ahead or written
	// without en_i. The write adds the bank's read-ahead data (bank_q of the
	// written bank) to the column's partial sum, or overwrites with first_i.
	// OS: the drain writes all columns of wword_i (wv_i comes with en_i).
	genvar j, r;
	generate
		for (j = 0; j < COLS; j = j + 1) begin : g_cbank
			localparam S   = ROWS + j - 1;            // the write's tag bit / field (WS)
			localparam SM1 = (S > 0) ? S - 1 : 0;    // the read-ahead's, if S > 0
			for (r = 0; r < NR; r = r + 1) begin : g_bank
				localparam K = j * NR + r;
				(* no_rw_check *)
				reg [ACC_BITS-1:0] mem [0:BD-1];
				reg [ACC_BITS-1:0] q;
				wire                rd_hit, wr_hit;   // read ahead, write (with en_i)
				wire [RAW-1:0]      rd_row, wr_row;
				wire [ACC_BITS-1:0] wr_data;
				if (DATAFLOW == 0) begin : g_wsb
					wire [TW-1:0] ww = g_ws.tb_q[S*TW +: TW];
					wire [TW-1:0] nw = (S == 0) ? wword_i[TW-1:0] : g_ws.tb_q[SM1*TW +: TW];
					wire [31:0]   ww32 = {{(32-TW){1'b0}}, ww};
					wire [31:0]   nw32 = {{(32-TW){1'b0}}, nw};
					/* verilator lint_off UNUSEDSIGNAL */
					wire [31:0]   wrow32 = ww32 >> NRW;
					wire [31:0]   nrow32 = nw32 >> NRW;
					wire [31:0]   wsub = ww32 % NR32;
					/* verilator lint_on UNUSEDSIGNAL */
					assign wr_hit  = g_ws.tv_q[S] && wsub == r;
					assign rd_hit  = ((S == 0) ? wv_i : g_ws.tv_q[SM1]) && nw32 % NR32 == r;
					assign wr_row  = wrow32[RAW-1:0];
					assign rd_row  = nrow32[RAW-1:0];
					assign wr_data = first_i ? col_i[j*ACC_BITS +: ACC_BITS]
						 : bank_q[j*NR + wsub] + col_i[j*ACC_BITS +: ACC_BITS];
				end else begin : g_osb
					/* verilator lint_off UNUSEDSIGNAL */
					wire [31:0] w32 = {{(32-TW){1'b0}}, wword_i[TW-1:0]};
					wire [31:0] wrow32 = w32 >> NRW;
					/* verilator lint_on UNUSEDSIGNAL */
					assign wr_hit  = wv_i && w32 % NR32 == r;
					assign rd_hit  = 1'b0;
					assign wr_row  = wrow32[RAW-1:0];
					assign rd_row  = {RAW{1'b0}};
					assign wr_data = col_i[j*ACC_BITS +: ACC_BITS];
				end
				// Writes and the read-ahead need en_i, store reads re_i; the two
				// never share a cycle, and the store read has the port then.
				// Under Verilator the same port as nested branches (re_i, then
				// en_i: one test each for all banks) and, as in ts_ram, the
				// write blocking after the read; for synthesis one read
				// expression, so that each bank has one read port.
`ifdef VERILATOR
				/* verilator lint_off BLKSEQ */
				always @(posedge clk_i) begin
					if (re_i) begin
						if (bre_i[K])
							q <= mem[brow_i[K*RAW +: RAW]];
					end else if (en_i) begin
						if (rd_hit)
							q <= mem[rd_row];
						if (wr_hit)
							mem[wr_row] = wr_data;
					end
				end
				/* verilator lint_on BLKSEQ */
`else
				always @(posedge clk_i) begin
					if (re_i || en_i) begin
						if (re_i ? bre_i[K] : rd_hit)
							q <= mem[re_i ? brow_i[K*RAW +: RAW] : rd_row];
						if (!re_i && wr_hit)
							mem[wr_row] <= wr_data;
					end
				end
`endif
				assign bank_q[K] = q;
			end
		end
	endgenerate
endmodule
