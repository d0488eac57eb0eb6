// ts_top — the tessera accelerator: AXI4-Lite registers, descriptor
// controller, memory port (DMA), input / weight / accumulator scratchpads,
// the PE array and the requantizing store path (docs/timing.md).
//
// Parameters come from the generated tessera_params.vh (tessera gen / sim,
// one hwcfg) when TS_GENERATED_PARAMS is defined; the defaults below make a
// small instance for lint and synthesis checks. Memory port: see ts_dma.
`ifdef TS_GENERATED_PARAMS
`include "tessera_params.vh"
`endif
`ifndef TS_ROWS
`define TS_ROWS 2
`define TS_COLS 2
`define TS_DATAFLOW 0
`define TS_PE 1
`define TS_ACC_BITS 32
`define TS_D_IN 32
`define TS_D_W 32
`define TS_D_ACC 32
`define TS_DRAM_BPC 4
`endif
module ts_top #(
	parameter ROWS     = `TS_ROWS,
	parameter COLS     = `TS_COLS,
	parameter DATAFLOW = `TS_DATAFLOW,   // 0 weight-stationary, 1 output-stationary
	parameter PE       = `TS_PE,         // ts_pe_type: 0 int16 .. 5 binary
	parameter ACC_BITS = `TS_ACC_BITS,
	parameter D_IN     = `TS_D_IN,       // scratchpad depths in words (timing.md §2)
	parameter D_W      = `TS_D_W,
	parameter D_ACC    = `TS_D_ACC,
	parameter B        = `TS_DRAM_BPC    // memory port bytes per beat
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
	input  wire [7:0]  mem_rdata_i [0:B-1],
	output wire [7:0]  mem_wdata_o [0:B-1],
	// status
	output wire        busy_o,
	output wire        irq_o
);
	function integer clog2;
		input integer v;
		integer x;
		begin
			clog2 = 1;
			for (x = 2; x < v; x = x * 2)
				clog2 = clog2 + 1;
		end
	endfunction

	// Element widths per PE type (ts_pe_abits / ts_pe_wbits); outputs = activations.
	localparam AB    = (PE == 0) ? 16 : (PE == 2) ? 4 : (PE == 5) ? 1 : 8;
	localparam WB    = (PE == 0) ? 16 : (PE == 2 || PE == 3) ? 4 : (PE == 5) ? 1 : 8;
	localparam OB    = AB;
	localparam A_WB  = (ROWS * AB + 7) / 8;   // bytes per input word
	localparam W_WB  = (COLS * WB + 7) / 8;   // bytes per weight word
	localparam A_AW  = clog2(D_IN * A_WB);
	localparam W_AW  = clog2(D_W * W_WB);
	localparam C_AW  = clog2(D_ACC * COLS);
	localparam ROW_W = clog2(ROWS + 1);
	localparam EPB   = (OB >= 8) ? 1 : 8 / OB;
	localparam NQ    = B * EPB;

	// ---- registers ---------------------------------------------------------
	wire        start, soft_reset, irq_enable, clear_done, clear_error;
	wire [63:0] desc_base, mem_lo, cycles;
	wire [31:0] desc_max, mem_size, err_desc, desc_done;
	wire        busy, done, error;
	wire [7:0]  err_code;

	ts_axil_regs #(
		.ROWS(ROWS), .COLS(COLS), .PE(PE), .DATAFLOW(DATAFLOW), .ACC_BITS(ACC_BITS),
		.D_IN(D_IN), .D_W(D_W), .D_ACC(D_ACC), .B(B)
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
	wire        ld_start, ld_beat, ld_to_w;
	wire [31:0] ld_word0, ld_rows, ld_rb0, ld_rb2, ld_bytes;
	wire        st_start, st_go, st_beat;
	wire [31:0] st_acc0, st_nt, st_rb, st_beats, st_mult;
	wire [7:0]  st_shift, st_zp;
	wire [31:0] a_raddr, w_raddr, tile_nt;
	wire        a_valid, w_load, w_clear, arr_clear, arr_drain, acc_first;
	wire [ROW_W-1:0] w_row;
	wire        acc_we   [0:COLS-1];
	wire [31:0] acc_word [0:COLS-1];

	ts_ctrl #(
		.ROWS(ROWS), .COLS(COLS), .DATAFLOW(DATAFLOW), .AB(AB), .WB(WB), .OB(OB),
		.D_IN(D_IN), .D_W(D_W), .D_ACC(D_ACC), .B(B), .ROW_W(ROW_W)
	) u_ctrl (
		.clk_i(clk_i), .rst_ni(rst_ni),
		.start_i(start), .soft_reset_i(soft_reset), .desc_base_i(desc_base),
		.desc_max_i(desc_max), .mem_lo_i(mem_lo), .mem_size_i(mem_size),
		.busy_o(busy), .done_o(done), .error_o(error), .err_code_o(err_code),
		.err_desc_o(err_desc), .cycles_o(cycles), .desc_done_o(desc_done),
		.clear_done_i(clear_done), .clear_error_i(clear_error),
		.dma_cmd_o(dma_cmd), .dma_we_o(dma_we), .dma_addr_o(dma_addr), .dma_len_o(dma_len),
		.beat_i(beat), .beat_idx_i(beat_idx), .last_i(last), .rdata_i(mem_rdata_i),
		.ld_start_o(ld_start), .ld_beat_o(ld_beat), .ld_to_w_o(ld_to_w),
		.ld_word0_o(ld_word0), .ld_rows_o(ld_rows), .ld_rb0_o(ld_rb0), .ld_rb2_o(ld_rb2),
		.ld_bytes_o(ld_bytes),
		.st_start_o(st_start), .st_go_o(st_go), .st_beat_o(st_beat), .st_acc0_o(st_acc0),
		.st_nt_o(st_nt), .st_rb_o(st_rb), .st_beats_o(st_beats), .st_mult_o(st_mult),
		.st_shift_o(st_shift), .st_zp_o(st_zp),
		.a_raddr_o(a_raddr), .w_raddr_o(w_raddr), .a_valid_o(a_valid), .w_load_o(w_load),
		.w_row_o(w_row), .w_clear_o(w_clear), .clear_o(arr_clear), .drain_o(arr_drain),
		.tile_nt_o(tile_nt),
		.acc_we_o(acc_we), .acc_word_o(acc_word), .acc_first_o(acc_first)
	);

	ts_dma #(.B(B)) u_dma (
		.clk_i(clk_i), .rst_ni(rst_ni),
		.cmd_i(dma_cmd), .cmd_we_i(dma_we), .cmd_addr_i(dma_addr), .cmd_len_i(dma_len),
		.mem_req_o(mem_req_o), .mem_we_o(mem_we_o), .mem_addr_o(mem_addr_o),
		.mem_len_o(mem_len_o), .mem_beat_i(mem_beat_i),
		.beat_o(beat), .beat_idx_o(beat_idx), .last_o(last)
	);

	// ---- LOAD: memory bytes -> input or weight scratchpad --------------------
	wire        ld_we    [0:B-1];
	wire [31:0] ld_waddr [0:B-1];
	wire [7:0]  ld_wdata [0:B-1];
	wire [A_AW-1:0] ld_waddr_a [0:B-1];
	wire [W_AW-1:0] ld_waddr_w [0:B-1];
	wire        we_a [0:B-1];
	wire        we_w [0:B-1];
	localparam [31:0] A_WB32 = A_WB;
	localparam [31:0] W_WB32 = W_WB;

	ts_loader #(.B(B), .ADDR_W(32)) u_loader (
		.clk_i(clk_i), .word_bytes_i(ld_to_w ? W_WB32 : A_WB32), .start_i(ld_start),
		.word0_i(ld_word0), .rows_i(ld_rows), .rb0_i(ld_rb0), .rb2_i(ld_rb2),
		.bytes_i(ld_bytes), .beat_i(ld_beat), .rdata_i(mem_rdata_i),
		.we_o(ld_we), .waddr_o(ld_waddr), .wdata_o(ld_wdata)
	);

	genvar g;
	generate
		for (g = 0; g < B; g = g + 1) begin : g_ld
			assign we_a[g] = ld_we[g] && !ld_to_w;
			assign we_w[g] = ld_we[g] && ld_to_w;
			assign ld_waddr_a[g] = ld_waddr[g][A_AW-1:0];
			assign ld_waddr_w[g] = ld_waddr[g][W_AW-1:0];
			wire unused_hi = &{1'b0, ld_waddr[g]};
		end
	endgenerate

	// ---- input and weight scratchpads: one word (array edge) per read ---------
	wire [A_AW-1:0] a_rd_addr [0:A_WB-1];
	wire [7:0]      a_rd_data [0:A_WB-1];
	wire [W_AW-1:0] w_rd_addr [0:W_WB-1];
	wire [7:0]      w_rd_data [0:W_WB-1];
	wire [31:0]     a_base = a_raddr * A_WB32;
	wire [31:0]     w_base = w_raddr * W_WB32;

	generate
		for (g = 0; g < A_WB; g = g + 1) begin : g_ard
			/* verilator lint_off UNUSEDSIGNAL */
			wire [31:0] addr = a_base + g;
			/* verilator lint_on UNUSEDSIGNAL */
			assign a_rd_addr[g] = addr[A_AW-1:0];
		end
		for (g = 0; g < W_WB; g = g + 1) begin : g_wrd
			/* verilator lint_off UNUSEDSIGNAL */
			wire [31:0] addr = w_base + g;
			/* verilator lint_on UNUSEDSIGNAL */
			assign w_rd_addr[g] = addr[W_AW-1:0];
		end
	endgenerate

	ts_spad #(.EW(8), .DEPTH(D_IN * A_WB), .NW(B), .NR(A_WB), .ADDR_W(A_AW), .RD_REG(1)) u_spad_in (
		.clk_i(clk_i), .we_i(we_a), .waddr_i(ld_waddr_a), .wdata_i(ld_wdata),
		.raddr_i(a_rd_addr), .rdata_o(a_rd_data)
	);
	ts_spad #(.EW(8), .DEPTH(D_W * W_WB), .NW(B), .NR(W_WB), .ADDR_W(W_AW), .RD_REG(1)) u_spad_w (
		.clk_i(clk_i), .we_i(we_w), .waddr_i(ld_waddr_w), .wdata_i(ld_wdata),
		.raddr_i(w_rd_addr), .rdata_o(w_rd_data)
	);

	// Words -> elements (little-endian, element i at bits i*bits; timing.md §2).
	wire [AB-1:0] a_elem [0:ROWS-1];
	wire [WB-1:0] w_elem [0:COLS-1];
	generate
		for (g = 0; g < ROWS; g = g + 1) begin : g_aelem
			if (AB == 16) begin : g16
				assign a_elem[g] = {a_rd_data[2*g+1], a_rd_data[2*g]};
			end else if (AB == 8) begin : g8
				assign a_elem[g] = a_rd_data[g];
			end else if (AB == 4) begin : g4
				assign a_elem[g] = a_rd_data[g/2][4*(g%2) +: 4];
			end else begin : g1
				assign a_elem[g] = a_rd_data[g/8][g%8];
			end
		end
		for (g = 0; g < COLS; g = g + 1) begin : g_welem
			if (WB == 16) begin : g16
				assign w_elem[g] = {w_rd_data[2*g+1], w_rd_data[2*g]};
			end else if (WB == 8) begin : g8
				assign w_elem[g] = w_rd_data[g];
			end else if (WB == 4) begin : g4
				assign w_elem[g] = w_rd_data[g/2][4*(g%2) +: 4];
			end else begin : g1
				assign w_elem[g] = w_rd_data[g/8][g%8];
			end
		end
	endgenerate

	// ---- the array ---------------------------------------------------------------
	wire [ACC_BITS-1:0] arr_out [0:COLS-1];
	ts_array #(
		.ROWS(ROWS), .COLS(COLS), .DATAFLOW(DATAFLOW), .PE(PE), .ACC_BITS(ACC_BITS),
		.AW(AB), .WW(WB), .ROW_W(ROW_W)
	) u_array (
		.clk_i(clk_i), .a_i(a_elem), .av_i(a_valid), .w_i(w_elem), .w_load_i(w_load),
		.w_row_i(w_row), .w_clear_i(w_clear), .clear_i(arr_clear), .drain_i(arr_drain),
		.out_o(arr_out)
	);

	// ---- accumulator scratchpad: COLS write lanes; COLS + NQ read lanes --------
	wire                acc_we_l    [0:COLS-1];
	wire [C_AW-1:0]     acc_waddr_l [0:COLS-1];
	wire [ACC_BITS-1:0] acc_wdata_l [0:COLS-1];
	wire [C_AW-1:0]     acc_raddr_l [0:COLS+NQ-1];
	wire [ACC_BITS-1:0] acc_rdata_l [0:COLS+NQ-1];
	wire [C_AW-1:0]     st_raddr    [0:NQ-1];
	wire [ACC_BITS-1:0] st_rdata    [0:NQ-1];
	localparam [31:0] COLS32 = COLS;

	generate
		for (g = 0; g < COLS; g = g + 1) begin : g_acc
			/* verilator lint_off UNUSEDSIGNAL */
			wire [31:0] addr = acc_word[g] * COLS32 + g;
			/* verilator lint_on UNUSEDSIGNAL */
			assign acc_we_l[g]    = acc_we[g];
			assign acc_waddr_l[g] = addr[C_AW-1:0];
			assign acc_raddr_l[g] = addr[C_AW-1:0];
			// WS read-modify-writes (unless the first k tile); OS drains overwrite.
			if (DATAFLOW == 0) begin : g_ws
				assign acc_wdata_l[g] = acc_first ? arr_out[g] : acc_rdata_l[g] + arr_out[g];
			end else begin : g_os
				assign acc_wdata_l[g] = arr_out[g];
				wire unused_rd = &{1'b0, acc_rdata_l[g], acc_first};
			end
		end
		for (g = 0; g < NQ; g = g + 1) begin : g_stq
			assign acc_raddr_l[COLS+g] = st_raddr[g];
			assign st_rdata[g] = acc_rdata_l[COLS+g];
		end
	endgenerate

	ts_spad #(.EW(ACC_BITS), .DEPTH(D_ACC * COLS), .NW(COLS), .NR(COLS + NQ), .ADDR_W(C_AW),
		  .RD_REG(0)) u_spad_acc (
		.clk_i(clk_i), .we_i(acc_we_l), .waddr_i(acc_waddr_l), .wdata_i(acc_wdata_l),
		.raddr_i(acc_raddr_l), .rdata_o(acc_rdata_l)
	);

	// ---- STORE: accumulators -> requantize -> memory ----------------------------
	ts_storer #(.B(B), .COLS(COLS), .OB(OB), .ACC_BITS(ACC_BITS), .ACC_AW(C_AW)) u_storer (
		.clk_i(clk_i), .start_i(st_start), .go_i(st_go), .acc0_i(st_acc0), .nt_i(st_nt),
		.rb_i(st_rb), .beats_i(st_beats), .mult_i(st_mult), .shift_i(st_shift), .zp_i(st_zp),
		.beat_i(st_beat), .acc_raddr_o(st_raddr), .acc_rdata_i(st_rdata), .wdata_o(mem_wdata_o)
	);

	wire unused = &{1'b0, tile_nt};
endmodule
