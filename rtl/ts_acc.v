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
	generate
		if (DATAFLOW == 0) begin : g_ws
			// Tag pipeline: stage t (1..TAGS) holds (valid, element base) of
			// the row that entered t cycles ago, packed at bit / field t - 1
			// (field TAGS is a spare stage); column j writes from stage ROWS + j.
			// Packed shift registers rather than arrays of stages: Verilator
			// evaluates each as one vector shift instead of TAGS shadowed
			// array writes per simulated cycle.
			localparam TAGS = ROWS + COLS - 1;
			reg [TAGS:0]          tv_q;
			reg [(TAGS+1)*FW-1:0] tb_q;
			always @(posedge clk_i) begin
				if (!rst_ni)
					tv_q <= {(TAGS+1){1'b0}};
				else if (en_i)
					tv_q <= {tv_q[TAGS-1:0], wv_i};
				if (en_i)
					tb_q <= {tb_q[TAGS*FW-1:0], base[FW-1:0]};
			end
			// Blocking writes under Verilator (the non-blocking form for other
			// tools and synthesis): the array writes (en_i, COMPUTE) and the store
			// reads (re_i, STORE) never share a cycle, and the COLS columns
			// touch distinct elements (index mod COLS = column), so program
			// order gives what non-blocking writes would, without Verilator's
			// per-write-site shadows on every cycle.
			/* verilator lint_off BLKSEQ */
			always @(posedge clk_i) begin
				if (en_i)
					for (j = 0; j < COLS; j = j + 1)
						if (tv_q[ROWS+j-1])
`ifdef VERILATOR
							mem[tb_q[(ROWS+j-1)*FW +: FW] + j[FW-1:0]] = first_i
`else
							mem[tb_q[(ROWS+j-1)*FW +: FW] + j[FW-1:0]] <= first_i
`endif
								? col_i[j*ACC_BITS +: ACC_BITS]
								: mem[tb_q[(ROWS+j-1)*FW +: FW] + j[FW-1:0]]
								  + col_i[j*ACC_BITS +: ACC_BITS];
				if (re_i)
					for (l = 0; l < NQ; l = l + 1)
						rdata_o[l*ACC_BITS +: ACC_BITS] <= mem[raddr_i[l*FW +: FW]];
			end
			/* verilator lint_on BLKSEQ */
			wire unused_tag = &{1'b0, tv_q[TAGS], tb_q[(TAGS+1)*FW-1:TAGS*FW]};
		end else begin : g_os
			// Blocking writes under Verilator as in g_ws: the drain (wv_i, COMPUTE) and the
			// store reads never share a cycle.
			/* verilator lint_off BLKSEQ */
			always @(posedge clk_i) begin
				if (wv_i)
					for (j = 0; j < COLS; j = j + 1)
`ifdef VERILATOR
						mem[base[FW-1:0] + j[FW-1:0]] = col_i[j*ACC_BITS +: ACC_BITS];
`else
						mem[base[FW-1:0] + j[FW-1:0]] <= col_i[j*ACC_BITS +: ACC_BITS];
`endif
				if (re_i)
					for (l = 0; l < NQ; l = l + 1)
						rdata_o[l*ACC_BITS +: ACC_BITS] <= mem[raddr_i[l*FW +: FW]];
			end
			/* verilator lint_on BLKSEQ */
			wire unused_os = &{1'b0, rst_ni, en_i, first_i};
		end
	endgenerate
endmodule
