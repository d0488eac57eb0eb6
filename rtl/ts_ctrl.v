// ts_ctrl — the descriptor controller. After the doorbell (start_i) it
// fetches 32-byte descriptors from memory one at a time, decodes and checks
// them, and executes each to completion (LOAD, COMPUTE, STORE, FENCE), in
// order with no overlap: exactly the schedule of docs/timing.md, §1:
//   run = T_START (4) + sum(fetch + exec) + 1,  fetch = L + ceil(32/B) + 1,
//   LOAD = 2 + L + ceil(bytes/B), STORE = 2 + 3 + L + ceil(bytes/B),
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
	parameter ROW_W    = 8
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
	output reg         ld_to_w_o,
	output reg         ld_to_q_o,     // LOAD_TO_Q: the beats go to the requantization table
	output reg  [31:0] ld_word0_o,
	output reg  [31:0] ld_rows_o,
	output reg  [31:0] ld_rb0_o,
	output reg  [31:0] ld_rb2_o,
	output reg  [31:0] ld_bytes_o,
	output reg  [7:0]  ld_mask0_o,    // element bits of a row's last byte (segment 1, 2)
	output reg  [7:0]  ld_mask2_o,
	// storer
	output wire        st_start_o,
	output wire        st_go_o,
	output wire        st_beat_o,
	output reg  [31:0] st_acc0_o,
	output reg  [31:0] st_nt_o,
	output reg  [31:0] st_rb_o,
	output reg  [31:0] st_beats_o,
	output reg  [15:0] st_zp_o,
	output reg  [15:0] st_lo_o,       // clamp range, QMIN <= lo <= hi <= QMAX (decode checks)
	output reg  [15:0] st_hi_o,
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
	output reg  [31:0] tile_nt_o,
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
	localparam [31:0] T_START = `TS_T_START;
	localparam [31:0] T_LOAD  = `TS_T_DMA_SETUP;       // LOAD: cycles before the first beat may end it
	localparam [31:0] T_STORE = `TS_T_DMA_SETUP + `TS_T_REQUANT_PIPE;
	localparam [31:0] T_COMP  = `TS_T_COMPUTE_SETUP + ROWS + COLS - 1;  // COMPUTE beyond kt (+ mt)
	// Output range of the activation type (binary: -1 .. 0), for the STORE's clamp check.
	localparam signed [31:0] QMIN = -(32'sd1 <<< (OB - 1));
	localparam signed [31:0] QMAX = (32'sd1 <<< (OB - 1)) - 32'sd1;

	reg [3:0]  state_q, state_d;
	reg [31:0] cnt_q, cnt_d;
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

	function [31:0] nbytes;  // bytes(n, bits) = ceil(n * bits / 8)
		input [31:0] n;
		input [31:0] bits;
		begin
			nbytes = (n * bits + 32'd7) >> 3;
		end
	endfunction

	// Does [addr, addr + len) lie inside the memory window?
	// [addr, addr + len) inside [mem_lo, mem_lo + mem_size), without 65-bit sums:
	// off = addr - mem_lo cannot wrap once addr >= mem_lo, and mem_size < 2^32.
	// (The window comes in as arguments: see the decode below.)
	function in_window;
		input [63:0] addr;
		input [63:0] len;
		input [63:0] lo;
		input [31:0] msize;
		reg   [63:0] off, size;
		begin
			off  = addr - lo;
			size = {32'd0, msize};
			in_window = (addr >= lo) && (off <= size) && (len <= size - off);
		end
	endfunction

	// Bits of a row's last byte that hold elements (desc.h LOAD: the padding
	// bits of a partial last byte are zero).
	function [7:0] last_mask;
		input [31:0] n;
		input [31:0] bits;
		reg   [31:0] used;
		begin
			used = (n * bits) & 32'd7;
			last_mask = (used == 32'd0) ? 8'hff : ((8'd1 << used[2:0]) - 8'd1);
		end
	endfunction

	// ---- decode and checks (combinational; only in S_DECODE) ---------------
	// Written for the simulator as much as for synthesis: every quantity is
	// computed in the branch of its opcode (dec_rb0 is a LOAD's or a STORE's
	// row bytes), with no subexpression common to two branches (LOAD's sum
	// groups rows + rows2, not word + rows as STORE's does), a STORE's row
	// bytes written out rather than through nbytes(), and the window passed
	// to in_window as arguments. Otherwise Verilator's DFG pass hoists those
	// parts out of the S_DECODE guard and evaluates them on every simulated
	// cycle (Verilator 5.006: about 40 instructions a cycle).
	reg [EW-1:0] dec_err;
	reg [31:0] dec_rb0, dec_rb2, dec_ld_bits, dec_ld_elems, dec_ld_depth, dec_st_bytes;
	reg [63:0] dec_ld_total, sum_a, sum_w, sum_acc;
	reg signed [31:0] dec_lo, dec_hi;   // the STORE's clamp range, sign-extended
	reg [31:0] dec_len;
	always @(*) begin
		dec_err = `TS_HWERR_NONE;
		dec_ld_bits  = 32'd0;
		dec_ld_elems = 32'd0;
		dec_ld_depth = 32'd0;
		dec_rb0 = 32'd0;
		dec_rb2 = 32'd0;
		dec_ld_total = 64'd0;
		dec_st_bytes = 32'd0;
		sum_a = 64'd0;
		sum_w = 64'd0;
		sum_acc = 64'd0;
		dec_len = 32'd0;
		dec_lo = 32'sd0;
		dec_hi = 32'sd0;
		if (state_q == S_DECODE) begin
			if (rsv) begin
				dec_err = `TS_HWERR_BAD_OPCODE;
			end else begin
				case (op)
				`TS_DESC_LOAD: begin
					// TO_Q: rows of QREC_BYTES bytes into the COLS table entries
					dec_ld_bits  = ld_to_q ? 32'd8 : ld_to_w ? WB : AB;
					dec_ld_elems = ld_to_w ? COLS : ROWS;
					dec_ld_depth = ld_to_q ? COLS : ld_to_w ? D_W : D_IN;
					dec_rb0 = nbytes(ld_elems, dec_ld_bits);
					dec_rb2 = nbytes(ld_elems2, dec_ld_bits);
					// 64-bit products: rows and rows2 are full 32-bit counts (desc.h)
					dec_ld_total = {32'd0, ld_rows} * {32'd0, dec_rb0} + {32'd0, ld_rows2} * {32'd0, dec_rb2};
					sum_a = {32'd0, ld_word} + ({32'd0, ld_rows} + {32'd0, ld_rows2});
					if ((flags & ~`TS_DESC_LOAD_FLAGS) != 0 || (ld_to_w && ld_to_q) ||
					    (ld_to_q && (ld_elems != `TS_DESC_QREC_BYTES || ld_rows2 != 32'd0 ||
							 ld_elems2 != 32'd0)))
						dec_err = `TS_HWERR_BAD_OPCODE;
					else if (ld_rows == 32'd0 || ld_bytes == 32'd0 || ld_elems == 32'd0 ||
						 (ld_rows2 != 32'd0 && ld_elems2 == 32'd0))
						dec_err = `TS_HWERR_ZERO_LENGTH;
					else if (!ld_to_q && (ld_elems > dec_ld_elems ||
						 (ld_rows2 != 32'd0 && ld_elems2 > dec_ld_elems)))
						dec_err = `TS_HWERR_TILE_RANGE;
					else if (dec_ld_total != {32'd0, ld_bytes})
						dec_err = `TS_HWERR_BYTES_MISMATCH;
					else if (sum_a > {32'd0, dec_ld_depth})
						dec_err = `TS_HWERR_SPAD_RANGE;
					else if (!in_window(ld_addr, {32'd0, ld_bytes}, mem_lo_i, mem_size_i))
						dec_err = `TS_HWERR_ADDR_RANGE;
				end
				`TS_DESC_COMPUTE: begin
					// WS: A words mt, W words kt; OS: A and W words kc (= kt).
					sum_a   = {32'd0, c_a0} + {32'd0, (OS != 0) ? c_kt : c_mt};
					sum_w   = {32'd0, c_w0} + {32'd0, c_kt};
					sum_acc = {32'd0, c_acc0} + {32'd0, c_mt};
					// timing.md: T_COMPUTE_SETUP + kc + R + C - 1 (+ R drain), WS + mt
					if (OS != 0)
						dec_len = c_kt + T_COMP + (c_drain ? ROWS : 32'd0);
					else
						dec_len = c_kt + c_mt + T_COMP;
					if ((flags & ~`TS_DESC_COMPUTE_FLAGS) != 0)
						dec_err = `TS_HWERR_BAD_OPCODE;
					else if (c_mt == 32'd0 || c_kt == 32'd0 || c_nt == 32'd0)
						dec_err = `TS_HWERR_ZERO_LENGTH;
					else if (c_nt > COLS || ((OS != 0) ? (c_mt > ROWS) : (c_kt > ROWS)))
						dec_err = `TS_HWERR_TILE_RANGE;
					else if (sum_a > D_IN || sum_w > D_W || sum_acc > D_ACC)
						dec_err = `TS_HWERR_SPAD_RANGE;
				end
				`TS_DESC_STORE: begin
					dec_rb0 = (s_cols * OB + 32'd7) >> 3;
					dec_st_bytes = s_rows * dec_rb0;
					sum_acc = {32'd0, s_acc0} + {32'd0, s_rows};
					dec_lo = {{(32-`TS_FLD_STORE_CLAMP_LO_WIDTH){s_lo[`TS_FLD_STORE_CLAMP_LO_WIDTH-1]}}, s_lo};
					dec_hi = {{(32-`TS_FLD_STORE_CLAMP_HI_WIDTH){s_hi[`TS_FLD_STORE_CLAMP_HI_WIDTH-1]}}, s_hi};
					// clamp range QMIN <= lo <= hi <= QMAX (int16), reserved bits zero
					if ((flags & ~`TS_DESC_STORE_FLAGS) != 0 || dec_lo < QMIN ||
					    dec_hi > QMAX || dec_lo > dec_hi || s_rsv)
						dec_err = `TS_HWERR_BAD_OPCODE;
					else if (s_rows == 32'd0 || s_cols == 32'd0)
						dec_err = `TS_HWERR_ZERO_LENGTH;
					else if (s_cols > COLS)
						dec_err = `TS_HWERR_TILE_RANGE;
					else if (sum_acc > D_ACC)
						dec_err = `TS_HWERR_SPAD_RANGE;
					else if (!in_window(s_addr, {32'd0, dec_st_bytes}, mem_lo_i, mem_size_i))
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
	wire [31:0] next_idx = (state_q == S_START) ? 32'd0 : idx_q + 32'd1;
	reg  [63:0] fetch_addr;
	reg  [EW-1:0] fetch_err;
	reg         fetch_chk;
	always @(*) begin
		fetch_addr = 64'd0;
		fetch_err  = `TS_HWERR_NONE;
		if (fetch_chk) begin
			fetch_addr = desc_base_i + {32'd0, next_idx} * {32'd0, DB};
			if (next_idx >= desc_max_i)
				fetch_err = `TS_HWERR_NO_FENCE;
			else if ((desc_base_i[31:0] & (DB - 32'd1)) != 32'd0 ||
				 !in_window(fetch_addr, {32'd0, DB}, mem_lo_i, mem_size_i))
				fetch_err = `TS_HWERR_ADDR_RANGE;
		end
	end

	// ---- execution fields, latched at decode ---------------------------------
	reg [31:0] f_mt, f_kt, f_nt, f_a0, f_w0, f_acc0, f_len;
	reg        f_first, f_drain;
	reg [63:0] f_addr;
	reg [31:0] f_bytes;

	// ---- FSM -------------------------------------------------------------------
	reg        fail;
	reg [EW-1:0] fail_code;
	reg [31:0] fail_idx;
	reg        finish, exec_done;

	// The end of START or of an execution: the next descriptor is fetched.
	always @(*) begin
		case (state_q)
		S_START: exec_done = (cnt_q == T_START - 32'd1);
		S_LOAD:  exec_done = (cnt_q >= T_LOAD) && last_i;
		S_COMP:  exec_done = (cnt_q == f_len - 32'd1);
		S_STORE: exec_done = (cnt_q >= T_STORE) && last_i;
		default: exec_done = 1'b0;
		endcase
		fetch_chk = exec_done;
	end

	always @(*) begin
		state_d    = state_q;
		cnt_d      = cnt_q + 32'd1;
		idx_d      = idx_q;
		dma_cmd_o  = 1'b0;
		dma_we_o   = 1'b0;
		dma_addr_o = f_addr;
		dma_len_o  = f_bytes;
		fail       = 1'b0;
		fail_code  = `TS_HWERR_NONE;
		fail_idx   = idx_q;
		finish     = 1'b0;
		case (state_q)
		S_FETCH: if (last_i) begin
			state_d = S_DECODE;
			cnt_d = 32'd0;
		end
		S_DECODE: begin
			cnt_d = 32'd0;
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
		S_LOAD: dma_cmd_o = (cnt_q == T_LOAD - 32'd1);
		S_STORE: begin
			dma_cmd_o = (cnt_q == T_STORE - 32'd1);
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
				cnt_d = 32'd0;
				idx_d = next_idx;
				dma_cmd_o = 1'b1;
				dma_we_o = 1'b0;
				dma_addr_o = fetch_addr;
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
			cnt_q       <= 32'd0;
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
					cnt_q       <= 32'd0;
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

	// Descriptor bytes from the fetch beats: byte k comes in beat k / B, lane k % B.
	integer gk;
	reg [31:0] dbyte;
	/* verilator lint_off BLKSEQ */
	always @(posedge clk_i) begin
		if (state_q == S_FETCH && beat_i) begin
			for (gk = 0; gk < B; gk = gk + 1) begin
				dbyte = beat_idx_i * B + gk;
				if (dbyte < DB)
					desc_q[8*dbyte +: 8] <= rdata_i[8*gk +: 8];
			end
		end
	end
	/* verilator lint_on BLKSEQ */

	// Fields of the descriptor being executed.
	always @(posedge clk_i) begin
		if (state_q == S_DECODE) begin
			f_mt    <= c_mt;
			f_kt    <= c_kt;
			f_nt    <= c_nt;
			f_a0    <= c_a0;
			f_w0    <= c_w0;
			f_acc0  <= c_acc0;
			f_first <= c_first;
			f_drain <= c_drain;
			f_len   <= dec_len;
			f_addr  <= (op == `TS_DESC_STORE) ? s_addr : ld_addr;
			f_bytes <= (op == `TS_DESC_STORE) ? dec_st_bytes : ld_bytes;
			ld_to_w_o  <= ld_to_w;
			ld_to_q_o  <= ld_to_q;
			ld_word0_o <= ld_word;
			ld_rows_o  <= ld_rows;
			ld_rb0_o   <= dec_rb0;
			ld_rb2_o   <= dec_rb2;
			ld_bytes_o <= ld_bytes;
			ld_mask0_o <= last_mask(ld_elems, dec_ld_bits);
			ld_mask2_o <= last_mask(ld_elems2, dec_ld_bits);
			st_acc0_o  <= s_acc0;
			st_nt_o    <= s_cols;
			st_rb_o    <= dec_rb0;
			st_beats_o <= (dec_st_bytes + B - 1) / B;
			st_zp_o    <= s_zp;
			st_lo_o    <= s_lo;
			st_hi_o    <= s_hi;
		end
	end

	assign ld_start_o = (state_q == S_LOAD) && (cnt_q == 32'd0);
	assign ld_beat_o  = (state_q == S_LOAD) && beat_i;
	assign st_start_o = (state_q == S_STORE) && (cnt_q == 32'd0);
	assign st_go_o    = (state_q == S_STORE) && (cnt_q >= 32'd2);
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
	/* verilator lint_off UNUSEDSIGNAL */
	reg [31:0] rel;
	/* verilator lint_on UNUSEDSIGNAL */
	reg [31:0] drow;
	always @(*) begin
		a_raddr_o   = f_a0;
		w_raddr_o   = f_w0;
		a_valid_o   = 1'b0;
		w_load_o    = 1'b0;
		w_row_o     = {ROW_W{1'b0}};
		w_clear_o   = 1'b0;
		clear_o     = 1'b0;
		drain_o     = 1'b0;
		tile_nt_o   = f_nt;
		acc_first_o = f_first;
		acc_v_o     = 1'b0;
		acc_word_o  = f_acc0;
		rel  = 32'd0;
		drow = 32'd0;
		if (in_comp) begin
			if (OS == 0) begin
				w_clear_o = (cnt_q == 32'd0);
				if (cnt_q >= 32'd1 && cnt_q <= f_kt)
					w_raddr_o = f_w0 + cnt_q - 32'd1;
				if (cnt_q >= 32'd2 && cnt_q <= f_kt + 32'd1) begin
					w_load_o = 1'b1;
					rel = cnt_q - 32'd2;
					w_row_o = rel[ROW_W-1:0];  // < ROWS: the upper bits are zero
				end
				if (cnt_q >= f_kt + 32'd1 && cnt_q <= f_kt + f_mt)
					a_raddr_o = f_a0 + cnt_q - f_kt - 32'd1;
				if (cnt_q >= f_kt + 32'd2 && cnt_q <= f_kt + f_mt + 32'd1) begin
					a_valid_o  = 1'b1;
					acc_v_o    = 1'b1;
					acc_word_o = f_acc0 + cnt_q - f_kt - 32'd2;
				end
			end else begin
				clear_o = (cnt_q == 32'd0) && f_first;
				if (cnt_q >= 32'd1 && cnt_q <= f_kt) begin
					a_raddr_o = f_a0 + cnt_q - 32'd1;
					w_raddr_o = f_w0 + cnt_q - 32'd1;
				end
				a_valid_o = (cnt_q >= 32'd2 && cnt_q <= f_kt + 32'd1);
				if (f_drain && cnt_q >= f_kt + ROWS + COLS + 32'd1) begin
					drain_o = 1'b1;
					// drain cycle d shifts out original row R - 1 - d
					drow = (ROWS - 32'd1) - (cnt_q - (f_kt + ROWS + COLS + 32'd1));
					acc_v_o    = (drow < f_mt);
					acc_word_o = f_acc0 + drow;
				end
			end
		end
	end
endmodule
