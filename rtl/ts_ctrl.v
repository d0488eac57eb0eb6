// ts_ctrl — the descriptor controller. After the doorbell (start_i) it
// fetches 32-byte descriptors from memory one at a time, decodes and checks
// them, and executes each to completion (LOAD, COMPUTE, STORE, FENCE), in
// order with no overlap: exactly the schedule of docs/timing.md, §1:
//   run = T_START (4) + sum(fetch + exec) + 1,  fetch = L + ceil(32/B) + 1,
//   LOAD = 2 + L + ceil(bytes/B), STORE = 2 + 3 + L + M * ceil(bytes/B),
//   (M = RQC, the requantizer's cycles per element: 1 unless serial),
//   COMPUTE ws = 2 + kt + mt + R + C - 1, os = 2 + kc + R + C - 1 (+ R drain).
// A descriptor that fails its checks stops the run with ERR_CODE (ts_hw_err)
// and ERR_DESC; a run can only wait on the memory port, never on itself.
// Opcodes, flags, field positions, error codes and the timing constants come
// from ts_contract.vh (generated from host/include/tessera/*.def, the tables
// the C side uses); the sequencing below assumes T_DMA_SETUP = 2 and
// T_COMPUTE_SETUP = 2 (the co-simulation checks the cycles against C).
//
// LOAD_TO_Q (the requantization table, ts_qtab) is a LOAD like the others:
// the same states and cycles, only its beats go to the table instead of a
// scratchpad, and its checks differ (desc.h: records of QREC_BYTES bytes, the
// table's COLS entries as its depth, no tile range).
// Port groups: regs (start, base, limits in; status out), DMA command and
// beat stream (rdata_i packed, byte l at bits 8l+7:8l), loader / storer
// fields (the STORE's zero point and clamp range, int16), array sequencing (scratchpad read addresses, weight loads, OS clear
// / drain, array enable), the accumulator write tag (ts_acc delays it per
// column). Decode and sequencing logic is guarded by the state it belongs to,
// so a simulator evaluates only the part that is active.
`include "ts_regmap.vh"
`include "ts_contract.vh"
module ts_ctrl #(
	parameter ROWS     = 2,
	parameter COLS     = 2,
	parameter DATAFLOW = 0,
	parameter AB       = 8,
	parameter WB       = 8,
	parameter OB       = 8,
	parameter D_IN     = 32,
	parameter D_W      = 32,
	parameter D_ACC    = 32,
	parameter B        = 4,
	parameter ROW_W    = 2,
	parameter RQC      = 1     // requantizer cycles per element (ts_storer)
) (
	input  wire        clk_i,
	input  wire        rst_ni,
	// registers
	input  wire        start_i,
	input  wire        soft_reset_i,
	input  wire [63:0] desc_base_i,
	input  wire [31:0] desc_max_i,
	input  wire [63:0] mem_lo_i,
	input  wire [31:0] mem_size_i,
	output wire        busy_o,
	output reg         done_o,
	output reg         error_o,
	output reg  [`TS_ERR_CODE_CODE_WIDTH-1:0] err_code_o,
	output reg  [31:0] err_desc_o,
	output reg  [63:0] cycles_o,
	output reg  [31:0] desc_done_o,
	input  wire        clear_done_i,
	input  wire        clear_error_i,
	// DMA
	output reg         dma_cmd_o,
	output reg         dma_we_o,
	output reg  [63:0] dma_addr_o,
	output reg  [31:0] dma_len_o,
	input  wire        beat_i,
	input  wire [31:0] beat_idx_i,
	input  wire        last_i,
	input  wire [8*B-1:0] rdata_i,
	// loader
	output wire        ld_start_o,
	output wire        ld_beat_o,
	output wire        ld_to_w_o,
	output wire        ld_to_q_o,     // LOAD_TO_Q: the beats go to the requantization table
	output wire [31:0] ld_word0_o,
	output wire [31:0] ld_rows_o,
	output reg  [31:0] ld_rb0_o,
	output reg  [31:0] ld_rb2_o,
	output wire [31:0] ld_bytes_o,
	output reg  [7:0]  ld_mask0_o,    // element bits of a row's last byte (segment 1, 2)
	output reg  [7:0]  ld_mask2_o,
	// storer
	output wire        st_start_o,
	output wire        st_go_o,
	output wire        st_beat_o,
	output wire [31:0] st_acc0_o,
	output wire [31:0] st_nt_o,
	output reg  [31:0] st_rb_o,
	output reg  [31:0] st_beats_o,
	output wire [15:0] st_zp_o,
	output wire [15:0] st_lo_o,       // clamp range, QMIN <= lo <= hi <= QMAX (decode checks)
	output wire [15:0] st_hi_o,
	// array sequencing
	output wire        arr_en_o,      // a COMPUTE runs: array, tags and scratchpad reads advance
	output reg  [31:0] a_raddr_o,
	output reg  [31:0] w_raddr_o,
	output reg         a_valid_o,     // the A / W words read last cycle enter the array
	output reg         w_load_o,      // WS: the W word read last cycle -> array row w_row_o
	output reg  [ROW_W-1:0] w_row_o,
	output reg         w_clear_o,
	output reg         clear_o,
	output reg         drain_o,
	output wire [31:0] tile_nt_o,
	// accumulator write tag: WS the A row entering the array now (its word),
	// OS the drain of one row; WS adds unless first
	output reg         acc_v_o,
	output reg  [31:0] acc_word_o,
	output reg         acc_first_o
);
	localparam [3:0] S_IDLE = 4'd0, S_START = 4'd1, S_FETCH = 4'd2, S_DECODE = 4'd3, S_LOAD = 4'd4,
			 S_COMP = 4'd5, S_STORE = 4'd6, S_DONE = 4'd7,
			 S_FAIL = 4'd8;
	localparam OS = (DATAFLOW != 0) ? 1 : 0;
	localparam EW = `TS_ERR_CODE_CODE_WIDTH;           // error code bits
	localparam [31:0] DB = `TS_DESC_BYTES;             // descriptor bytes
	localparam [31:0] QREC = `TS_DESC_QREC_BYTES;
	localparam [31:0] T_START = `TS_T_START;
	localparam [31:0] T_LOAD  = `TS_T_DMA_SETUP;       // LOAD: cycles before the first beat may end it
	// STORE: the memory command waits for the requantizer's pipe; a serial one
	// (RQC = M > 1) takes M - 1 more cycles for the first beat's product, and
	// then the storer offers a beat every M cycles (docs/timing.md §1).
	localparam [31:0] T_STORE = `TS_T_DMA_SETUP + `TS_T_REQUANT_PIPE + RQC - 1;
	localparam [31:0] T_COMP  = `TS_T_COMPUTE_SETUP + ROWS + COLS - 1;  // COMPUTE beyond kt (+ mt)
	// Output range of the activation type (binary: -1 .. 0), for the STORE's clamp check.
	localparam signed [16:0] QMIN = -(17'sd1 <<< (OB - 1));
	localparam signed [16:0] QMAX = (17'sd1 <<< (OB - 1)) - 17'sd1;

	// ---- widths -----------------------------------------------------------------
	// Descriptor fields are 32 bits, but once a descriptor passes the checks
	// that come before a quantity is used, its value is bounded by the
	// hardware: word addresses and row counts by the deepest table (DMAX),
	// elements per row by the array edge (EMAX), row bytes by RBMAX. The
	// checks themselves are exact on the 32-bit fields: a field is split into
	// the bits below its bound's width and a "too big" flag of the rest.
	`include "ts_func.vh"   // clog2
	function integer imax;
		input integer a;
		input integer b;
		begin
			imax = (a > b) ? a : b;
		end
	endfunction
	localparam DMAX  = imax(imax(D_IN, D_W), imax(D_ACC, COLS));
	localparam DW    = clog2(DMAX + 1);                       // 0 .. DMAX
	localparam EMAX  = imax(imax(ROWS, COLS), QREC);
	localparam NEW   = clog2(EMAX + 1);                       // 0 .. EMAX elements
	localparam MAXB  = imax(imax(AB, WB), 8);
	localparam RBMAX = (EMAX * MAXB + 7) / 8;
	localparam RBW   = clog2(RBMAX + 1);                      // a row's bytes
	localparam RBDW  = clog2(imax((ROWS * AB + 7) / 8, (COLS * WB + 7) / 8) + 1); // an A or W row's
	localparam [RBW-1:0] QRB = QREC[RBW-1:0];                // a LOAD_TO_Q row's bytes
	localparam [RBW:0] RBD_M1 = (1 << RBDW) - 1;
	localparam [RBW:0] SRB_M1 = (1 << SRBW) - 1;
	localparam [RBW-1:0] RBD_MASK = RBD_M1[RBW-1:0];         // the bits of an A or W row's bytes
	localparam [RBW-1:0] SRB_MASK = SRB_M1[RBW-1:0];
	localparam SRBW  = clog2((COLS * OB + 7) / 8 + 1);        // a STORE row's bytes
	localparam BYW   = imax(DW + RBW + 1, DW + SRBW);         // a LOAD's or STORE's bytes
	localparam CNW   = imax(clog2(2 * DMAX + 2 * ROWS + COLS + 16), // COMPUTE cycles, saturating count
				clog2(T_STORE + 1));                  // and a STORE's wait
	localparam DBL   = clog2(DB);                             // DB = 2^DBL (desc.h)
	localparam NBEAT = (DB + B - 1) / B;                      // beats of a descriptor
	localparam BIW   = clog2(NBEAT);
	localparam [CNW-1:0] CMAX = {CNW{1'b1}};

	reg [3:0]  state_q, state_d;
	reg [CNW-1:0] cnt_q, cnt_d;
	reg [31:0] idx_q, idx_d;
	reg [8*DB-1:0] desc_q;   // byte k at bits 8k+7:8k (packed: one vector, not shadowed bytes)

	// ---- descriptor fields (desc.def by name; fields of different opcodes
	// share bits, each is zero-extended to 32 bits) -------------------------
	wire [`TS_FLD_OPCODE_WIDTH-1:0] op    = desc_q[`TS_FLD_OPCODE];
	wire [`TS_FLD_FLAGS_WIDTH-1:0]  flags = desc_q[`TS_FLD_FLAGS];
	wire        rsv         = |desc_q[`TS_FLD_RESERVED];
	wire [63:0] ld_addr     = {`TS_GET_LOAD_ADDR_HI(desc_q), `TS_GET_LOAD_ADDR_LO(desc_q)};
	wire [31:0] ld_word     = `TS_GET_LOAD_WORD(desc_q);
	wire [31:0] ld_rows     = `TS_GET_LOAD_ROWS(desc_q);
	wire [31:0] ld_elems    = `TS_GET_LOAD_ROW_ELEMS(desc_q);
	wire [31:0] ld_elems2   = `TS_GET_LOAD_ROW_ELEMS2(desc_q);
	wire [31:0] ld_rows2    = `TS_GET_LOAD_ROWS2(desc_q);
	wire [31:0] ld_bytes    = `TS_GET_LOAD_BYTES(desc_q);
	wire        ld_to_w     = flags[`TS_LOAD_TO_W_BIT];
	wire        ld_to_q     = flags[`TS_LOAD_TO_Q_BIT];
	wire [31:0] c_mt        = `TS_GET_COMP_MT(desc_q);
	wire [31:0] c_kt        = `TS_GET_COMP_KT(desc_q);
	wire [31:0] c_nt        = `TS_GET_COMP_NT(desc_q);
	wire [31:0] c_a0        = `TS_GET_COMP_A_WORD(desc_q);
	wire [31:0] c_w0        = `TS_GET_COMP_W_WORD(desc_q);
	wire [31:0] c_acc0      = `TS_GET_COMP_ACC_WORD(desc_q);
	wire        c_first     = flags[`TS_COMP_ACC_FIRST_BIT];
	wire        c_drain     = flags[`TS_COMP_DRAIN_BIT];
	wire [63:0] s_addr      = {`TS_GET_STORE_ADDR_HI(desc_q), `TS_GET_STORE_ADDR_LO(desc_q)};
	wire [31:0] s_acc0      = `TS_GET_STORE_ACC_WORD(desc_q);
	wire [31:0] s_rows      = `TS_GET_STORE_ROWS(desc_q);
	wire [31:0] s_cols      = `TS_GET_STORE_COLS(desc_q);
	wire [`TS_FLD_STORE_CLAMP_LO_WIDTH-1:0] s_lo = desc_q[`TS_FLD_STORE_CLAMP_LO];
	wire [`TS_FLD_STORE_CLAMP_HI_WIDTH-1:0] s_hi = desc_q[`TS_FLD_STORE_CLAMP_HI];
	wire [`TS_FLD_STORE_ZP_WIDTH-1:0]       s_zp = desc_q[`TS_FLD_STORE_ZP];
	wire        s_rsv       = |desc_q[`TS_FLD_STORE_RESERVED];

	// A 32-bit field's bits above the width of its bound: set means "larger than any bound".
	function big_d;
		input [31:0] x;
		begin
			big_d = |(x >> DW);
		end
	endfunction
	function big_e;
		input [31:0] x;
		begin
			big_e = |(x >> NEW);
		end
	endfunction

	// bytes(n, bits) = ceil(n * bits / 8) of an element count below the bound;
	// bits is a constant in each use, so this is a shift or a small constant product.
	localparam [NEW+4:0] SEVEN = 7;
	/* verilator lint_off UNUSEDSIGNAL */
	function [RBW-1:0] rbytes;
		input [NEW-1:0] n;
		input [4:0] bits;
		reg [NEW+4:0] t;
		begin
			t = n * bits + SEVEN;
			rbytes = t[RBW+2:3];
		end
	endfunction

	// x * r for a 32-bit x and a row's bytes r: shift-and-add (r has a few bits;
	// a multiplier block would be wasted on it).
	function [31+RBW:0] mul_rb;
		input [31:0] x;
		input [RBW-1:0] r;
		integer i;
		begin
			mul_rb = {(32+RBW){1'b0}};
			for (i = 0; i < RBW; i = i + 1)
				if (r[i])
					mul_rb = mul_rb + ({{RBW{1'b0}}, x} << i);
		end
	endfunction

	// Does [addr, addr + len) lie inside the memory window [lo, lo + msize)?
	// Exactly: off = addr - lo in [0, 2^32) and off + len <= msize. Written
	// as carry chains that run side by side rather than one after another
	// (the decode's critical path): with d = addr[31:0] - lo[31:0] and b its
	// borrow, off is in range iff addr[63:32] == lo[63:32] + b (no wrap),
	// and then off = d[31:0]; off + len <= msize iff len <= msize and
	// off <= msize - len.
	function in_window;
		input [63:0] addr;
		input [31:0] len;
		input [63:0] lo;
		input [31:0] msize;
		reg   [32:0] d, room, lo_hi1;
		reg          hi_ok;
		begin
			d      = {1'b0, addr[31:0]} - {1'b0, lo[31:0]};
			lo_hi1 = {1'b0, lo[63:32]} + 33'd1;
			room   = {1'b0, msize} - {1'b0, len};
			hi_ok  = d[32] ? ({1'b0, addr[63:32]} == lo_hi1) : (addr[63:32] == lo[63:32]);
			in_window = hi_ok && !room[32] && (d[31:0] <= room[31:0]);
		end
	endfunction

	// Bits of a row's last byte that hold elements (desc.h LOAD: the padding
	// bits of a partial last byte are zero).
	function [7:0] last_mask;
		input [NEW-1:0] n;
		input [4:0] bits;
		reg   [2:0] used;
		reg   [NEW+4:0] t;
		begin
			t = n * bits;
			used = t[2:0];
			last_mask = (used == 3'd0) ? 8'hff : ((8'd1 << used) - 8'd1);
		end
	endfunction
	/* verilator lint_on UNUSEDSIGNAL */

	// A LOAD's row counts below their bound's width (exact once SPAD_RANGE passed).
	wire [31:0] rows_d  = {{(32-DW){1'b0}}, ld_rows[DW-1:0]};
	wire [31:0] rows2_d = {{(32-DW){1'b0}}, ld_rows2[DW-1:0]};

	// ---- decode and checks (combinational; only in S_DECODE) ---------------
	// Written for the simulator as much as for synthesis: every quantity is
	// computed in the branch of its opcode, so Verilator does not evaluate it on
	// every simulated cycle, and with the bounds above, so synthesis makes it
	// narrow: the error checks are exact on the 32-bit fields (each one in the
	// priority order of desc.h), and the quantities they guard, used only when
	// no earlier check failed, are computed from the fields' low bits.
	reg [EW-1:0] dec_err;
	reg [RBW-1:0] dec_rb0, dec_rb2;
	reg [7:0]  dec_mask0, dec_mask2;
	reg [DW-1:0] dec_depth;
	reg [DW+1:0] dec_sum;
	reg [32+RBW:0] dec_total;
	reg [BYW-1:0] dec_bytes;       // the LOAD's or STORE's bytes (valid without error)
	reg [RBW-1:0] dec_srb;         // a STORE row's bytes (< 2^SRBW)
	reg [31+RBW:0] dec_sprod;
	reg [CNW-1:0] dec_len;
	reg        dec_big;

	// A decoded LOAD's or STORE's bytes (a STORE's from rows and columns): exact
	// once the checks before ADDR_RANGE passed, which bound them to BYW bits.
	always @(*) begin
		dec_srb   = {RBW{1'b0}};
		dec_sprod = {(32+RBW){1'b0}};
		dec_bytes = {BYW{1'b0}};
		if (state_q == S_DECODE) begin
			if (op == `TS_DESC_LOAD) begin
				dec_bytes = ld_bytes[BYW-1:0];
			end else if (op == `TS_DESC_STORE) begin
				dec_srb   = rbytes(s_cols[NEW-1:0], OB);
				dec_sprod = mul_rb({{(32-DW){1'b0}}, s_rows[DW-1:0]}, dec_srb & SRB_MASK);
				dec_bytes = dec_sprod[BYW-1:0];
			end
		end
	end

	// One memory-window check, shared: the descriptor's own LOAD/STORE range in
	// DECODE and in the cycle that issues its DMA command (the command's address
	// is the checker's: one multiplexer), else the next descriptor's 32 bytes,
	// whose address (fetch_addr_q) and verdict (fetch_in_q) are registered for
	// the end of the execution: their inputs (idx_q, the list base, the window)
	// do not change from a descriptor's fetch to the end of its execution;
	// fetch_addr_q is right from the cycle after the fetch's first, and every
	// execution has a later cycle before its last that is neither (START's
	// first, LOAD's and STORE's cnt 0, any of COMPUTE's), which sets
	// fetch_in_q. So the 64-bit arithmetic stays off the paths from the
	// memory's last beat and from the state register.
	wire        dma_own    = (state_q == S_LOAD && cnt_q == T_LOAD[CNW-1:0] - 1'b1) ||
				 (state_q == S_STORE && cnt_q == T_STORE[CNW-1:0] - 1'b1);
	wire        sel_own    = (state_q == S_DECODE) || dma_own;
	wire [31:0] next_idx   = (state_q == S_START || state_q == S_IDLE) ? 32'd0 : idx_q + 32'd1;
	wire [63:0] f_addr     = (op == `TS_DESC_STORE) ? s_addr : ld_addr;
	reg  [63:0] fetch_addr_q;    // the next descriptor's address, a cycle late (see above)
	always @(posedge clk_i)
		fetch_addr_q <= desc_base_i + ({32'd0, next_idx} << DBL);
	wire [63:0] chk_addr   = sel_own ? f_addr : fetch_addr_q;
	reg  [31:0] chk_len;
	always @(*) begin
		chk_len = 32'd0;
		if (sel_own)
			chk_len[BYW-1:0] = dec_bytes;
		else
			chk_len = DB;
	end
	wire        chk_in     = in_window(chk_addr, chk_len, mem_lo_i, mem_size_i);

	always @(*) begin
		dec_err   = `TS_HWERR_NONE;
		dec_rb0   = {RBW{1'b0}};
		dec_rb2   = {RBW{1'b0}};
		dec_mask0 = 8'hff;
		dec_mask2 = 8'hff;
		dec_depth = {DW{1'b0}};
		dec_sum   = {(DW+2){1'b0}};
		dec_total = {(33+RBW){1'b0}};
		dec_len   = {CNW{1'b0}};
		dec_big   = 1'b0;
		if (state_q == S_DECODE) begin
			if (rsv) begin
				dec_err = `TS_HWERR_BAD_OPCODE;
			end else begin
				case (op)
				`TS_DESC_LOAD: begin
					// TO_Q: rows of QREC_BYTES bytes into the COLS table entries
					if (ld_to_q) begin
						dec_rb0 = rbytes(ld_elems[NEW-1:0], 8);
						dec_rb2 = rbytes(ld_elems2[NEW-1:0], 8);
						dec_mask0 = last_mask(ld_elems[NEW-1:0], 8);
						dec_mask2 = last_mask(ld_elems2[NEW-1:0], 8);
						dec_depth = COLS;
					end else if (ld_to_w) begin
						dec_rb0 = rbytes(ld_elems[NEW-1:0], WB);
						dec_rb2 = rbytes(ld_elems2[NEW-1:0], WB);
						dec_mask0 = last_mask(ld_elems[NEW-1:0], WB);
						dec_mask2 = last_mask(ld_elems2[NEW-1:0], WB);
						dec_depth = D_W;
					end else begin
						dec_rb0 = rbytes(ld_elems[NEW-1:0], AB);
						dec_rb2 = rbytes(ld_elems2[NEW-1:0], AB);
						dec_mask0 = last_mask(ld_elems[NEW-1:0], AB);
						dec_mask2 = last_mask(ld_elems2[NEW-1:0], AB);
						dec_depth = D_IN;
					end
					// rows and rows2 below 2^DW: SPAD_RANGE comes first (desc.h), so
					// the products are narrow (a constant r folds mul_rb to its set
					// bits, zero high bits of r drop their adders: TO_Q rows are QREC
					// bytes, A and W rows below 2^RBDW)
					if (ld_to_q)
						dec_total = {1'b0, mul_rb(rows_d, QRB)};
					else
						dec_total = {1'b0, mul_rb(rows_d, dec_rb0 & RBD_MASK)} +
							    {1'b0, mul_rb(rows2_d, dec_rb2 & RBD_MASK)};
					dec_big = big_d(ld_word) || big_d(ld_rows) || big_d(ld_rows2);
					dec_sum = {2'b0, ld_word[DW-1:0]} + {2'b0, ld_rows[DW-1:0]} +
						  {2'b0, ld_rows2[DW-1:0]};
					if ((flags & ~`TS_DESC_LOAD_FLAGS) != 0 || (ld_to_w && ld_to_q) ||
					    (ld_to_q && (ld_elems != QREC || ld_rows2 != 32'd0 ||
							 ld_elems2 != 32'd0)))
						dec_err = `TS_HWERR_BAD_OPCODE;
					else if (ld_rows == 32'd0 || ld_bytes == 32'd0 || ld_elems == 32'd0 ||
						 (ld_rows2 != 32'd0 && ld_elems2 == 32'd0))
						dec_err = `TS_HWERR_ZERO_LENGTH;
					else if (!ld_to_q && (big_e(ld_elems) ||
						 ld_elems[NEW-1:0] > (ld_to_w ? COLS : ROWS) ||
						 (ld_rows2 != 32'd0 && (big_e(ld_elems2) ||
						  ld_elems2[NEW-1:0] > (ld_to_w ? COLS : ROWS)))))
						dec_err = `TS_HWERR_TILE_RANGE;
					else if (dec_big || dec_sum > {2'b0, dec_depth})
						dec_err = `TS_HWERR_SPAD_RANGE;
					else if (dec_total != {{(RBW+1){1'b0}}, ld_bytes})
						dec_err = `TS_HWERR_BYTES_MISMATCH;
					else if (!chk_in)
						dec_err = `TS_HWERR_ADDR_RANGE;
				end
				`TS_DESC_COMPUTE: begin
					// WS: A words mt, W words kt; OS: A and W words kc (= kt).
					// timing.md: T_COMPUTE_SETUP + kc + R + C - 1 (+ R drain), WS + mt
					if (OS != 0)
						dec_len = c_kt[CNW-1:0] + T_COMP[CNW-1:0] +
							  (c_drain ? ROWS[CNW-1:0] : {CNW{1'b0}});
					else
						dec_len = c_kt[CNW-1:0] + c_mt[CNW-1:0] + T_COMP[CNW-1:0];
					if ((flags & ~`TS_DESC_COMPUTE_FLAGS) != 0)
						dec_err = `TS_HWERR_BAD_OPCODE;
					else if (c_mt == 32'd0 || c_kt == 32'd0 || c_nt == 32'd0)
						dec_err = `TS_HWERR_ZERO_LENGTH;
					else if (big_e(c_nt) || c_nt[NEW-1:0] > COLS ||
						 ((OS != 0) ? (big_e(c_mt) || c_mt[NEW-1:0] > ROWS)
							    : (big_e(c_kt) || c_kt[NEW-1:0] > ROWS)))
						dec_err = `TS_HWERR_TILE_RANGE;
					else if (big_d(c_a0) || big_d(c_w0) || big_d(c_acc0) || big_d(c_mt) ||
						 big_d(c_kt) ||
						 {1'b0, c_a0[DW-1:0]} + {1'b0, (OS != 0) ? c_kt[DW-1:0] : c_mt[DW-1:0]} > D_IN ||
						 {1'b0, c_w0[DW-1:0]} + {1'b0, c_kt[DW-1:0]} > D_W ||
						 {1'b0, c_acc0[DW-1:0]} + {1'b0, c_mt[DW-1:0]} > D_ACC)
						dec_err = `TS_HWERR_SPAD_RANGE;
				end
				`TS_DESC_STORE: begin
					// clamp range QMIN <= lo <= hi <= QMAX (int16), reserved bits zero
					if ((flags & ~`TS_DESC_STORE_FLAGS) != 0 ||
					    $signed({s_lo[15], s_lo}) < QMIN || $signed({s_hi[15], s_hi}) > QMAX ||
					    $signed(s_lo) > $signed(s_hi) || s_rsv)
						dec_err = `TS_HWERR_BAD_OPCODE;
					else if (s_rows == 32'd0 || s_cols == 32'd0)
						dec_err = `TS_HWERR_ZERO_LENGTH;
					else if (big_e(s_cols) || s_cols[NEW-1:0] > COLS)
						dec_err = `TS_HWERR_TILE_RANGE;
					else if (big_d(s_acc0) || big_d(s_rows) ||
						 {1'b0, s_acc0[DW-1:0]} + {1'b0, s_rows[DW-1:0]} > D_ACC)
						dec_err = `TS_HWERR_SPAD_RANGE;
					else if (!chk_in)
						dec_err = `TS_HWERR_ADDR_RANGE;
				end
				`TS_DESC_FENCE: begin
					if ((flags & ~`TS_DESC_FENCE_FLAGS) != 0)
						dec_err = `TS_HWERR_BAD_OPCODE;
				end
				default: dec_err = `TS_HWERR_BAD_OPCODE;
				endcase
			end
		end
	end

	// ---- next descriptor fetch: limits, alignment, window -------------------
	// (checked only when an execution ends: fetch_chk)
	reg           fetch_chk;
	reg           fetch_in_q;
	reg  [EW-1:0] fetch_err;
	always @(posedge clk_i)
		if (!sel_own)
			fetch_in_q <= chk_in;
	always @(*) begin
		fetch_err  = `TS_HWERR_NONE;
		if (fetch_chk) begin
			if (next_idx >= desc_max_i)
				fetch_err = `TS_HWERR_NO_FENCE;
			else if ((desc_base_i[31:0] & (DB - 32'd1)) != 32'd0 || !fetch_in_q)
				fetch_err = `TS_HWERR_ADDR_RANGE;
		end
	end

	// ---- execution fields, latched at decode ---------------------------------
	// A descriptor stays in desc_q until the next fetch's first beat, which
	// comes after its execution: the fields are read from there, and only
	// what the decode computes is latched (the consumers latch the rest when
	// the LOAD or STORE starts).
	wire [CNW-1:0] f_mt   = c_mt[CNW-1:0];
	wire [CNW-1:0] f_kt   = c_kt[CNW-1:0];
	wire [CNW-1:0] f_a0   = c_a0[CNW-1:0];
	wire [CNW-1:0] f_w0   = c_w0[CNW-1:0];
	wire [CNW-1:0] f_acc0 = c_acc0[CNW-1:0];
	wire           f_first = c_first;
	wire           f_drain = c_drain;
	reg  [CNW-1:0] f_len;
	reg  [BYW-1:0] f_bytes;
	assign ld_to_w_o  = ld_to_w;
	assign ld_to_q_o  = ld_to_q;
	assign ld_word0_o = {{(32-DW){1'b0}}, ld_word[DW-1:0]};
	assign ld_rows_o  = {{(32-DW){1'b0}}, ld_rows[DW-1:0]};
	assign ld_bytes_o = {{(32-BYW){1'b0}}, ld_bytes[BYW-1:0]};
	assign st_acc0_o  = {{(32-DW){1'b0}}, s_acc0[DW-1:0]};
	assign st_nt_o    = {{(32-NEW){1'b0}}, s_cols[NEW-1:0]};
	assign st_zp_o    = s_zp;
	assign st_lo_o    = s_lo;
	assign st_hi_o    = s_hi;
	assign tile_nt_o  = {{(32-NEW){1'b0}}, c_nt[NEW-1:0]};

	// ---- FSM -------------------------------------------------------------------
	reg        fail;
	reg [EW-1:0] fail_code;
	reg [31:0] fail_idx;
	reg        finish, exec_done;

	// The end of START or of an execution: the next descriptor is fetched.
	always @(*) begin
		case (state_q)
		S_START: exec_done = (cnt_q == T_START[CNW-1:0] - 1'b1);
		S_LOAD:  exec_done = (cnt_q >= T_LOAD[CNW-1:0]) && last_i;
		S_COMP:  exec_done = (cnt_q == f_len - 1'b1);
		S_STORE: exec_done = (cnt_q >= T_STORE[CNW-1:0]) && last_i;
		default: exec_done = 1'b0;
		endcase
		fetch_chk = exec_done;
	end

	always @(*) begin
		state_d    = state_q;
		cnt_d      = (cnt_q == CMAX) ? cnt_q : cnt_q + 1'b1;  // LOAD/STORE wait on the memory
		idx_d      = idx_q;
		dma_cmd_o  = 1'b0;
		dma_we_o   = 1'b0;
		dma_addr_o = chk_addr;
		dma_len_o  = {{(32-BYW){1'b0}}, f_bytes};
		fail       = 1'b0;
		fail_code  = `TS_HWERR_NONE;
		fail_idx   = idx_q;
		finish     = 1'b0;
		case (state_q)
		S_FETCH: if (last_i) begin
			state_d = S_DECODE;
			cnt_d = {CNW{1'b0}};
		end
		S_DECODE: begin
			cnt_d = {CNW{1'b0}};
			if (dec_err != `TS_HWERR_NONE) begin
				fail = 1'b1;
				fail_code = dec_err;
			end else begin
				case (op)
				`TS_DESC_LOAD:    state_d = S_LOAD;
				`TS_DESC_COMPUTE: state_d = S_COMP;
				`TS_DESC_STORE:   state_d = S_STORE;
				default:    state_d = S_DONE;  // FENCE: exec 0, then one cycle to done
				endcase
			end
		end
		S_LOAD: dma_cmd_o = dma_own;
		S_STORE: begin
			dma_cmd_o = dma_own;
			dma_we_o  = 1'b1;
		end
		S_DONE: finish = 1'b1;
		S_FAIL: finish = 1'b1;
		default: ;
		endcase
		// The end of START or of an execution: fetch the next descriptor.
		if (exec_done) begin
			if (fetch_err != `TS_HWERR_NONE) begin
				fail = 1'b1;
				fail_code = fetch_err;
				fail_idx = next_idx;
			end else begin
				state_d = S_FETCH;
				cnt_d = {CNW{1'b0}};
				idx_d = next_idx;
				dma_cmd_o = 1'b1;
				dma_we_o = 1'b0;
				dma_len_o = DB;
			end
		end
		// An error stops the run; ERROR rises one cycle later (like DONE).
		if (fail)
			state_d = S_FAIL;
		if (finish)
			state_d = S_IDLE;
	end

	assign busy_o = (state_q != S_IDLE);

	always @(posedge clk_i) begin
		if (!rst_ni || soft_reset_i) begin
			state_q     <= S_IDLE;
			cnt_q       <= {CNW{1'b0}};
			idx_q       <= 32'd0;
			done_o      <= 1'b0;
			error_o     <= 1'b0;
			err_code_o  <= `TS_HWERR_NONE;
			err_desc_o  <= 32'd0;
			cycles_o    <= 64'd0;
			desc_done_o <= 32'd0;
		end else begin
			state_q <= state_d;
			cnt_q   <= cnt_d;
			idx_q   <= idx_d;
			if (clear_done_i)
				done_o <= 1'b0;
			if (clear_error_i)
				error_o <= 1'b0;
			if (state_q == S_IDLE) begin
				if (start_i) begin
					state_q     <= S_START;
					cnt_q       <= {CNW{1'b0}};
					idx_q       <= 32'd0;
					done_o      <= 1'b0;
					error_o     <= 1'b0;
					err_code_o  <= `TS_HWERR_NONE;
					err_desc_o  <= 32'd0;
					cycles_o    <= 64'd0;
					desc_done_o <= 32'd0;
				end
			end else begin
				cycles_o <= cycles_o + 64'd1;
			end
			if (exec_done && state_q != S_START)
				desc_done_o <= desc_done_o + 32'd1;
			if (state_q == S_DECODE && dec_err == `TS_HWERR_NONE && op == `TS_DESC_FENCE)
				desc_done_o <= desc_done_o + 32'd1;
			if (fail) begin
				err_code_o <= fail_code;
				err_desc_o <= fail_idx;
			end
			if (state_q == S_FAIL)
				error_o <= 1'b1;
			else if (finish)
				done_o <= 1'b1;
		end
	end

	// Descriptor bytes from the fetch beats: byte k comes in beat k / B, lane k % B
	// (a descriptor is NBEAT beats: only the beat index's low BIW bits count).
	genvar gk;
	generate
		for (gk = 0; gk < DB; gk = gk + 1) begin : g_dbyte
			localparam integer BEAT = gk / B;
			always @(posedge clk_i)
				if (state_q == S_FETCH && beat_i && beat_idx_i[BIW-1:0] == BEAT[BIW-1:0])
					desc_q[8*gk +: 8] <= rdata_i[8*(gk % B) +: 8];
		end
	endgenerate

	generate
		if (B > DB) begin : g_wide_beat   // a beat wider than a descriptor: the rest is unused
			wire unused_rdata = &{1'b0, rdata_i[8*B-1:8*DB]};
		end
	endgenerate

	// Fields of the descriptor being executed.
	always @(posedge clk_i) begin
		if (state_q == S_DECODE) begin
			f_len   <= dec_len;
			f_bytes <= dec_bytes;
			ld_rb0_o   <= {{(32-RBW){1'b0}}, dec_rb0};
			ld_rb2_o   <= {{(32-RBW){1'b0}}, dec_rb2};
			ld_mask0_o <= dec_mask0;
			ld_mask2_o <= dec_mask2;
			st_rb_o    <= {{(32-SRBW){1'b0}}, dec_srb[SRBW-1:0]};
			st_beats_o <= {{(32-BYW){1'b0}}, (dec_bytes + B[BYW-1:0] - 1'b1) / B[BYW-1:0]};
		end
	end
	wire unused_dec = &{1'b0, dec_sprod, beat_idx_i[31:BIW]};

	assign ld_start_o = (state_q == S_LOAD) && (cnt_q == {CNW{1'b0}});
	assign ld_beat_o  = (state_q == S_LOAD) && beat_i;
	assign st_start_o = (state_q == S_STORE) && (cnt_q == {CNW{1'b0}});
	assign st_go_o    = (state_q == S_STORE) && (cnt_q >= 2);
	assign st_beat_o  = (state_q == S_STORE) && beat_i;

	// ---- COMPUTE sequencing --------------------------------------------------------
	// WS (cnt from 0): W words read at 1..kt, loaded into rows 0..kt-1 at 2..kt+1;
	// A word m read at kt+1+m and enters array row 0 at t0 + m (t0 = kt + 2) with
	// its accumulator word (the tag ts_acc delays); column j's partial sum of row
	// m is written at t0 + m + ROWS + j.
	// OS: A/W step k read at 1 + k, enter the skew at 2 + k; PE (i, j) takes it at
	// 3 + k + i + j; the drain shifts rows out at kc + R + C + 1 + d.
	wire in_comp = (state_q == S_COMP);
	assign arr_en_o = in_comp;
	// Counts and words in CNW bits (every bound of a COMPUTE fits them).
	wire [CNW-1:0] c_rows  = ROWS;
	wire [CNW-1:0] c_drain0 = f_kt + ROWS[CNW-1:0] + COLS[CNW-1:0] + 1'b1;  // OS: first drain cycle
	localparam [CNW-1:0] C2 = 2;
	/* verilator lint_off UNUSEDSIGNAL */
	reg  [CNW-1:0] rel;                 // ROW_W <= CNW (ROWS < 2 * ROWS + ... )
	/* verilator lint_on UNUSEDSIGNAL */
	reg  [CNW-1:0] drow;
	always @(*) begin
		a_raddr_o   = {{(32-CNW){1'b0}}, f_a0};
		w_raddr_o   = {{(32-CNW){1'b0}}, f_w0};
		a_valid_o   = 1'b0;
		w_load_o    = 1'b0;
		w_row_o     = {ROW_W{1'b0}};
		w_clear_o   = 1'b0;
		clear_o     = 1'b0;
		drain_o     = 1'b0;
		acc_first_o = f_first;
		acc_v_o     = 1'b0;
		acc_word_o  = {{(32-CNW){1'b0}}, f_acc0};
		rel  = {CNW{1'b0}};
		drow = {CNW{1'b0}};
		if (in_comp) begin
			if (OS == 0) begin
				w_clear_o = (cnt_q == {CNW{1'b0}});
				if (cnt_q >= 1 && cnt_q <= f_kt)
					w_raddr_o = {{(32-CNW){1'b0}}, f_w0 + cnt_q - 1'b1};
				if (cnt_q >= 2 && cnt_q <= f_kt + 1'b1) begin
					w_load_o = 1'b1;
					rel = cnt_q - C2;
					w_row_o = rel[ROW_W-1:0];  // < ROWS: the upper bits are zero
				end
				if (cnt_q >= f_kt + 1'b1 && cnt_q <= f_kt + f_mt)
					a_raddr_o = {{(32-CNW){1'b0}}, f_a0 + cnt_q - f_kt - 1'b1};
				if (cnt_q >= f_kt + C2 && cnt_q <= f_kt + f_mt + 1'b1) begin
					a_valid_o  = 1'b1;
					acc_v_o    = 1'b1;
					acc_word_o = {{(32-CNW){1'b0}}, f_acc0 + cnt_q - f_kt - C2};
				end
			end else begin
				clear_o = (cnt_q == {CNW{1'b0}}) && f_first;
				if (cnt_q >= 1 && cnt_q <= f_kt) begin
					a_raddr_o = {{(32-CNW){1'b0}}, f_a0 + cnt_q - 1'b1};
					w_raddr_o = {{(32-CNW){1'b0}}, f_w0 + cnt_q - 1'b1};
				end
				a_valid_o = (cnt_q >= 2 && cnt_q <= f_kt + 1'b1);
				if (f_drain && cnt_q >= c_drain0) begin
					drain_o = 1'b1;
					// drain cycle d shifts out original row R - 1 - d
					drow = (c_rows - 1'b1) - (cnt_q - c_drain0);
					acc_v_o    = (drow < f_mt);
					acc_word_o = {{(32-CNW){1'b0}}, f_acc0 + drow};
				end
			end
		end
	end
endmodule
