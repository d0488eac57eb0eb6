// ts_acc — the accumulator scratchpad: DEPTH words of COLS accumulators
// (element (word, col) at index word * COLS + col), written by the array's
// bottom row and read by the STORE path.
//
// Column writes (desc.h COMPUTE): wv_i / wword_i name the accumulator word of
// the array row entering now. WS: the row's partial sums leave column j
// ROWS + j cycles later, so a (valid, word) tag pipeline advancing with en_i
// delays the write per column; each column adds to the word (or overwrites it
// with first_i, the first reduction step). OS: the drain writes all columns
// of wword_i at once (delay 0), overwriting. All COLS columns are written.
// Store reads: on a clock with re_i, rdata_o lane l <= element raddr_i lane l
// (NQ lanes; packed, lane l at bits l*width).
//
// Block RAM: every column writes only its own elements (col = j), so
// COLS banks of DEPTH accumulators with one write port each are possible;
// WS's read-modify-write reads the same bank (as written here, in the cycle of
// the write: asynchronous, i.e. LUT RAM / flops; a block-RAM version reads one
// cycle ahead, which the timing allows since a column's consecutive writes go
// to different words). The STORE side reads NQ = B * elements-per-byte
// accumulators per beat from up to NQ different rows of one column (a tile of
// nt = 1 column), so a bank needs NQ read ports: block RAM only when NQ = 1
// (B = 1 with 8- or 16-bit outputs), otherwise replicated banks or flops.
module ts_acc #(
	parameter ROWS     = 2,
	parameter COLS     = 2,
	parameter DATAFLOW = 0,
	parameter ACC_BITS = 32,
	parameter DEPTH    = 32,   // words
	parameter FW       = 6,    // bits of an element index (word * COLS + col)
	parameter NQ       = 4     // store read lanes
) (
	input  wire                     clk_i,
	input  wire                     rst_ni,
	input  wire                     en_i,
	input  wire                     wv_i,
	input  wire [31:0]              wword_i,
	input  wire                     first_i,
	input  wire [COLS*ACC_BITS-1:0] col_i,
	input  wire                     re_i,
	input  wire [NQ*FW-1:0]         raddr_i,
	output reg  [NQ*ACC_BITS-1:0]   rdata_o
);
	localparam [31:0] COLS32 = COLS;

	reg [ACC_BITS-1:0] mem [0:DEPTH*COLS-1];

	// Element index of column 0 of the entering word.
	/* verilator lint_off UNUSEDSIGNAL */
	wire [31:0] base = wword_i * COLS32;
	/* verilator lint_on UNUSEDSIGNAL */

	integer j, l;
	genvar t;
	generate
		if (DATAFLOW == 0) begin : g_ws
			// Tag pipeline: stage t holds (valid, element base) of the row that
			// entered t cycles ago; column j writes from stage ROWS + j.
			localparam TAGS = ROWS + COLS - 1;
			reg           tv_q [1:TAGS];
			reg  [FW-1:0] tb_q [1:TAGS];
			always @(posedge clk_i) begin
				if (!rst_ni)
					tv_q[1] <= 1'b0;
				else if (en_i)
					tv_q[1] <= wv_i;
				if (en_i)
					tb_q[1] <= base[FW-1:0];
			end
			for (t = 2; t <= TAGS; t = t + 1) begin : g_tag
				always @(posedge clk_i) begin
					if (!rst_ni)
						tv_q[t] <= 1'b0;
					else if (en_i)
						tv_q[t] <= tv_q[t-1];
					if (en_i)
						tb_q[t] <= tb_q[t-1];
				end
			end
			always @(posedge clk_i) begin
				if (en_i)
					for (j = 0; j < COLS; j = j + 1)
						if (tv_q[ROWS+j])
							mem[tb_q[ROWS+j] + j[FW-1:0]] <= first_i ? col_i[j*ACC_BITS +: ACC_BITS]
								: mem[tb_q[ROWS+j] + j[FW-1:0]] + col_i[j*ACC_BITS +: ACC_BITS];
				if (re_i)
					for (l = 0; l < NQ; l = l + 1)
						rdata_o[l*ACC_BITS +: ACC_BITS] <= mem[raddr_i[l*FW +: FW]];
			end
		end else begin : g_os
			always @(posedge clk_i) begin
				if (wv_i)
					for (j = 0; j < COLS; j = j + 1)
						mem[base[FW-1:0] + j[FW-1:0]] <= col_i[j*ACC_BITS +: ACC_BITS];
				if (re_i)
					for (l = 0; l < NQ; l = l + 1)
						rdata_o[l*ACC_BITS +: ACC_BITS] <= mem[raddr_i[l*FW +: FW]];
			end
			wire unused_os = &{1'b0, rst_ni, en_i, first_i};
		end
	endgenerate
endmodule
