// ts_top — the tessera accelerator: AXI4-Lite registers, descriptor
// controller, memory port (DMA), input / weight / accumulator scratchpads,
// the PE array, the requantization table (LOAD_TO_Q, one entry per column)
// and the requantizing store path (docs/timing.md).
//
// Parameters come from the generated tessera_params.vh (tessera gen / sim,
// one hwcfg) when TS_GENERATED_PARAMS is defined; the defaults below make a
// small instance for lint and synthesis checks. PE types and their element
// widths come from the generated ts_contract.vh (pe.def). Memory port: see
// ts_dma; its data buses are packed vectors, byte l of a beat at bits 8l+7:8l;
// a write beat happens only in a cycle with mem_wvalid_o (the storer's: always
// for a one-cycle requantizer, every RQC cycles for a serial one).
`include "ts_contract.vh"
`ifdef TS_GENERATED_PARAMS
`include "tessera_params.vh"
`endif
`ifndef TS_ROWS
`define TS_ROWS 2
`define TS_COLS 2
`define TS_DATAFLOW 0
`define TS_PE `TS_PE_INT8
`define TS_ACC_BITS 32
`define TS_D_IN 32
`define TS_D_W 32
`define TS_D_ACC 32
`define TS_DRAM_BPC 4
`endif
`ifndef TS_REQUANT_CYCLES
`define TS_REQUANT_CYCLES 1
`endif
module ts_top #(
	parameter ROWS     = `TS_ROWS,
	parameter COLS     = `TS_COLS,
	parameter DATAFLOW = `TS_DATAFLOW,   // 0 weight-stationary, 1 output-stationary
	parameter PE       = `TS_PE,         // ts_pe_type (pe.def)
	parameter ACC_BITS = `TS_ACC_BITS,
	parameter D_IN     = `TS_D_IN,       // scratchpad depths in words (timing.md §2)
	parameter D_W      = `TS_D_W,
	parameter D_ACC    = `TS_D_ACC,
	parameter B        = `TS_DRAM_BPC,   // memory port bytes per beat
	parameter RQC      = `TS_REQUANT_CYCLES // requantizer multiply: cycles per element (timing.md §1)
) (
	input  wire        clk_i,
	input  wire        rst_ni,
	// AXI4-Lite slave (registers)
	input  wire        s_awvalid_i,
	output wire        s_awready_o,
	input  wire [11:0] s_awaddr_i,
	input  wire        s_wvalid_i,
	output wire        s_wready_o,
	input  wire [31:0] s_wdata_i,
	input  wire [3:0]  s_wstrb_i,
	output wire        s_bvalid_o,
	input  wire        s_bready_i,
	output wire [1:0]  s_bresp_o,
	input  wire        s_arvalid_i,
	output wire        s_arready_o,
	input  wire [11:0] s_araddr_i,
	output wire        s_rvalid_o,
	input  wire        s_rready_i,
	output wire [31:0] s_rdata_o,
	output wire [1:0]  s_rresp_o,
	// memory port (ts_dma)
	output wire        mem_req_o,
	output wire        mem_we_o,
	output wire [63:0] mem_addr_o,
	output wire [31:0] mem_len_o,
	input  wire        mem_beat_i,
	input  wire [8*B-1:0] mem_rdata_i,
	output wire [8*B-1:0] mem_wdata_o,
	output wire        mem_wvalid_o,     // a write beat may be taken (constant 1 for RQC = 1)
	// status
	output wire        busy_o,
	output wire        irq_o
);
	`include "ts_func.vh"   // clog2

	// Element widths per PE type (pe.def: ts_pe_abits / ts_pe_wbits); outputs = activations.
	localparam AB    = `TS_PE_ABITS(PE);
	localparam WB    = `TS_PE_WBITS(PE);
	localparam OB    = AB;
	localparam A_WB  = (ROWS * AB + 7) / 8;   // bytes per input word
	localparam W_WB  = (COLS * WB + 7) / 8;   // bytes per weight word
	localparam A_AW  = clog2(D_IN);           // word address bits
	localparam W_AW  = clog2(D_W);
	localparam A_OW  = clog2(A_WB + 1);       // byte offset within a word (0..word bytes)
	localparam W_OW  = clog2(W_WB + 1);
	localparam ROW_W = clog2(ROWS + 1);
	localparam NBW   = (B == 1) ? 0 : clog2(B);   // scratchpad banks: 2^NBW (ts_spad)
	localparam EPB   = (OB >= 8) ? 1 : 8 / OB;
	localparam NQ    = B * EPB;
	// Accumulator banks (ts_acc): 2^ACC_NRW per column, ACC_RAW row bits each.
	localparam ACC_NRW = (NQ == 1) ? 0 : clog2(NQ);
	localparam ACC_RAW = clog2((D_ACC + (1 << ACC_NRW) - 1) >> ACC_NRW);
	localparam ACC_BSW = clog2(COLS << ACC_NRW);
	localparam ACC_NBK = COLS << ACC_NRW;
	localparam SHB   = `TS_DESC_SHIFT_BITS;   // shift bits of a table entry
	localparam CW    = clog2(COLS);           // column number bits
	localparam QTB   = COLS * `TS_DESC_QREC_BYTES;                 // the table's bytes
	localparam QLW   = clog2(((QTB > B) ? QTB : B) + 1);          // ... a LOAD_TO_Q's byte count

	// ---- registers ---------------------------------------------------------
	wire        start, soft_reset, irq_enable, clear_done, clear_error;
	wire [63:0] desc_base, mem_lo, cycles;
	wire [31:0] desc_max, mem_size, err_desc, desc_done;
	wire        busy, done, error;
	wire [`TS_ERR_CODE_CODE_WIDTH-1:0] err_code;

	ts_axil_regs #(
		.ROWS(ROWS), .COLS(COLS), .PE(PE), .DATAFLOW(DATAFLOW), .ACC_BITS(ACC_BITS),
		.D_IN(D_IN), .D_W(D_W), .D_ACC(D_ACC), .B(B), .RQC(RQC)
	) u_regs (
		.clk_i(clk_i), .rst_ni(rst_ni),
		.s_awvalid_i(s_awvalid_i), .s_awready_o(s_awready_o), .s_awaddr_i(s_awaddr_i),
		.s_wvalid_i(s_wvalid_i), .s_wready_o(s_wready_o), .s_wdata_i(s_wdata_i),
		.s_wstrb_i(s_wstrb_i), .s_bvalid_o(s_bvalid_o), .s_bready_i(s_bready_i),
		.s_bresp_o(s_bresp_o), .s_arvalid_i(s_arvalid_i), .s_arready_o(s_arready_o),
		.s_araddr_i(s_araddr_i), .s_rvalid_o(s_rvalid_o), .s_rready_i(s_rready_i),
		.s_rdata_o(s_rdata_o), .s_rresp_o(s_rresp_o),
		.start_o(start), .soft_reset_o(soft_reset), .irq_enable_o(irq_enable),
		.desc_base_o(desc_base), .desc_max_o(desc_max), .mem_lo_o(mem_lo),
		.mem_size_o(mem_size), .clear_done_o(clear_done), .clear_error_o(clear_error),
		.busy_i(busy), .done_i(done), .error_i(error), .err_code_i(err_code),
		.err_desc_i(err_desc), .cycles_i(cycles), .desc_done_i(desc_done)
	);

	assign busy_o = busy;
	assign irq_o  = irq_enable && (done || error);

	// ---- controller ----------------------------------------------------------
	wire        dma_cmd, dma_we, beat, last;
	wire [63:0] dma_addr;
	wire [31:0] dma_len, beat_idx;
	wire        ld_start, ld_beat, ld_to_w, ld_to_q;
	wire [31:0] ld_word0, ld_rows, ld_rb0, ld_rb2, ld_bytes;
	wire [7:0]  ld_mask0, ld_mask2;
	wire        st_start, st_go, st_beat;
	wire [31:0] st_acc0, st_nt, st_rb, st_beats;
	wire [15:0] st_zp, st_lo, st_hi;
	wire [31:0] a_raddr, w_raddr, tile_nt;
	wire        arr_en, a_valid, w_load, w_clear, arr_clear, arr_drain, acc_first, acc_v;
	wire [ROW_W-1:0] w_row;
	wire [31:0] acc_word;

	ts_ctrl #(
		.ROWS(ROWS), .COLS(COLS), .DATAFLOW(DATAFLOW), .AB(AB), .WB(WB), .OB(OB),
		.D_IN(D_IN), .D_W(D_W), .D_ACC(D_ACC), .B(B), .ROW_W(ROW_W), .RQC(RQC)
	) u_ctrl (
		.clk_i(clk_i), .rst_ni(rst_ni),
		.start_i(start), .soft_reset_i(soft_reset), .desc_base_i(desc_base),
		.desc_max_i(desc_max), .mem_lo_i(mem_lo), .mem_size_i(mem_size),
		.busy_o(busy), .done_o(done), .error_o(error), .err_code_o(err_code),
		.err_desc_o(err_desc), .cycles_o(cycles), .desc_done_o(desc_done),
		.clear_done_i(clear_done), .clear_error_i(clear_error),
		.dma_cmd_o(dma_cmd), .dma_we_o(dma_we), .dma_addr_o(dma_addr), .dma_len_o(dma_len),
		.beat_i(beat), .beat_idx_i(beat_idx), .last_i(last), .rdata_i(mem_rdata_i),
		.ld_start_o(ld_start), .ld_beat_o(ld_beat), .ld_to_w_o(ld_to_w), .ld_to_q_o(ld_to_q),
		.ld_word0_o(ld_word0), .ld_rows_o(ld_rows), .ld_rb0_o(ld_rb0), .ld_rb2_o(ld_rb2),
		.ld_bytes_o(ld_bytes), .ld_mask0_o(ld_mask0), .ld_mask2_o(ld_mask2),
		.st_start_o(st_start), .st_go_o(st_go), .st_beat_o(st_beat), .st_acc0_o(st_acc0),
		.st_nt_o(st_nt), .st_rb_o(st_rb), .st_beats_o(st_beats), .st_zp_o(st_zp),
		.st_lo_o(st_lo), .st_hi_o(st_hi),
		.arr_en_o(arr_en), .a_raddr_o(a_raddr), .w_raddr_o(w_raddr), .a_valid_o(a_valid),
		.w_load_o(w_load), .w_row_o(w_row), .w_clear_o(w_clear), .clear_o(arr_clear),
		.drain_o(arr_drain), .tile_nt_o(tile_nt),
		.acc_v_o(acc_v), .acc_word_o(acc_word), .acc_first_o(acc_first)
	);

	ts_dma #(.B(B)) u_dma (
		.clk_i(clk_i), .rst_ni(rst_ni),
		.cmd_i(dma_cmd), .cmd_we_i(dma_we), .cmd_addr_i(dma_addr), .cmd_len_i(dma_len),
		.mem_req_o(mem_req_o), .mem_we_o(mem_we_o), .mem_addr_o(mem_addr_o),
		.mem_len_o(mem_len_o), .mem_beat_i(mem_beat_i),
		.beat_o(beat), .beat_idx_o(beat_idx), .last_o(last)
	);

	// ---- input and weight scratchpads: LOAD port, one word (array edge) per read --
	// A word is the packed element vector of one array edge: element i at bits
	// i*bits (timing.md §2; int16 little-endian, int4 low nibble first, binary
	// LSB first), so the read word feeds the array as it is.
	wire [8*A_WB-1:0] a_word;
	wire [8*W_WB-1:0] w_word;
	/* verilator lint_off UNUSEDSIGNAL */
	wire [31:0] a_raddr_w = a_raddr;  // < D_IN after the decode checks
	wire [31:0] w_raddr_w = w_raddr;
	/* verilator lint_on UNUSEDSIGNAL */

	ts_spad #(.WBYTES(A_WB), .DEPTH(D_IN), .AW(A_AW), .B(B), .OW(A_OW), .NBW(NBW)) u_spad_in (
		.clk_i(clk_i),
		.start_i(ld_start && !ld_to_w && !ld_to_q), .word0_i(ld_word0), .rows_i(ld_rows),
		.rb0_i(ld_rb0), .rb2_i(ld_rb2), .mask0_i(ld_mask0), .mask2_i(ld_mask2),
		.bytes_i(ld_bytes), .beat_i(ld_beat && !ld_to_w && !ld_to_q), .rdata_i(mem_rdata_i),
		.re_i(arr_en), .raddr_i(a_raddr_w[A_AW-1:0]), .rdata_o(a_word)
	);
	ts_spad #(.WBYTES(W_WB), .DEPTH(D_W), .AW(W_AW), .B(B), .OW(W_OW), .NBW(NBW)) u_spad_w (
		.clk_i(clk_i),
		.start_i(ld_start && ld_to_w), .word0_i(ld_word0), .rows_i(ld_rows),
		.rb0_i(ld_rb0), .rb2_i(ld_rb2), .mask0_i(ld_mask0), .mask2_i(ld_mask2),
		.bytes_i(ld_bytes), .beat_i(ld_beat && ld_to_w), .rdata_i(mem_rdata_i),
		.re_i(arr_en), .raddr_i(w_raddr_w[W_AW-1:0]), .rdata_o(w_word)
	);

	// ---- the array ---------------------------------------------------------------
	wire [COLS*ACC_BITS-1:0] arr_out;
	ts_array #(
		.ROWS(ROWS), .COLS(COLS), .DATAFLOW(DATAFLOW), .PE(PE), .ACC_BITS(ACC_BITS),
		.AW(AB), .WW(WB), .ROW_W(ROW_W)
	) u_array (
		.clk_i(clk_i), .en_i(arr_en), .a_i(a_word[ROWS*AB-1:0]), .av_i(a_valid),
		.w_i(w_word[COLS*WB-1:0]), .w_load_i(w_load), .w_row_i(w_row), .w_clear_i(w_clear),
		.clear_i(arr_clear), .drain_i(arr_drain), .out_o(arr_out)
	);
	generate
		if (8 * A_WB > ROWS * AB) begin : g_apad
			wire unused_apad = &{1'b0, a_word[8*A_WB-1:ROWS*AB]};
		end
		if (8 * W_WB > COLS * WB) begin : g_wpad
			wire unused_wpad = &{1'b0, w_word[8*W_WB-1:COLS*WB]};
		end
	endgenerate

	// ---- requantization table: LOAD_TO_Q port, read by the STORE path -------------
	wire [COLS*32-1:0]  tab_bias, tab_mult;
	wire [COLS*8-1:0]   tab_shift;
	ts_qtab #(.B(B), .COLS(COLS), .CW(CW), .SHB(SHB), .LW(QLW)) u_qtab (
		.clk_i(clk_i), .rst_ni(rst_ni),
		.start_i(ld_start && ld_to_q), .word0_i(ld_word0), .bytes_i(ld_bytes),
		.beat_i(ld_beat && ld_to_q), .rdata_i(mem_rdata_i),
		.tab_bias_o(tab_bias), .tab_mult_o(tab_mult), .tab_shift_o(tab_shift)
	);

	// ---- accumulator scratchpad and the STORE path --------------------------------
	wire                       st_re;
	wire [ACC_NBK-1:0]         st_bre;
	wire [ACC_NBK*ACC_RAW-1:0] st_brow;
	wire [NQ*ACC_BSW-1:0]      st_lsel;
	wire [NQ*ACC_BITS-1:0]     st_rdata;

	ts_acc #(
		.ROWS(ROWS), .COLS(COLS), .DATAFLOW(DATAFLOW), .ACC_BITS(ACC_BITS), .DEPTH(D_ACC),
		.NQ(NQ), .NRW(ACC_NRW), .RAW(ACC_RAW), .BSW(ACC_BSW)
	) u_acc (
		.clk_i(clk_i), .rst_ni(rst_ni), .en_i(arr_en), .wv_i(acc_v), .wword_i(acc_word),
		.first_i(acc_first), .col_i(arr_out), .re_i(st_re), .bre_i(st_bre),
		.brow_i(st_brow), .lsel_i(st_lsel), .rdata_o(st_rdata)
	);

	ts_storer #(
		.B(B), .COLS(COLS), .OB(OB), .ACC_BITS(ACC_BITS), .NRW(ACC_NRW), .RAW(ACC_RAW),
		.BSW(ACC_BSW), .SHB(SHB), .CW(CW), .RQC(RQC)
	) u_storer (
		.clk_i(clk_i), .start_i(st_start), .go_i(st_go), .acc0_i(st_acc0), .nt_i(st_nt),
		.rb_i(st_rb), .beats_i(st_beats), .zp_i(st_zp), .lo_i(st_lo), .hi_i(st_hi),
		.tab_bias_i(tab_bias), .tab_mult_i(tab_mult), .tab_shift_i(tab_shift),
		.beat_i(st_beat), .re_o(st_re), .bre_o(st_bre), .brow_o(st_brow), .lsel_o(st_lsel),
		.acc_i(st_rdata), .wdata_o(mem_wdata_o), .wvalid_o(mem_wvalid_o)
	);

	wire unused = &{1'b0, tile_nt};
endmodule
