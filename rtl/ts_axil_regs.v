// ts_axil_regs — the AXI4-Lite register file of the accelerator. Offsets,
// bit fields, the ID magic and the version come from ts_regmap.vh, generated
// from host/include/tessera/regmap.def (the single source shared with the
// driver), so hardware and software agree.
//
// AXI4-Lite: a write is taken when AW and W are both valid (one cycle, then
// B); a read answers on R the cycle after AR. Responses are always OKAY;
// unknown offsets read 0 and ignore writes. CTRL.START and SOFT_RESET are
// one-cycle pulses to the controller; STATUS.DONE / ERROR clear on writing 1.
`include "ts_regmap.vh"
`include "ts_contract.vh"
module ts_axil_regs #(
	parameter ROWS     = 2,
	parameter COLS     = 2,
	parameter PE       = `TS_PE_INT8,
	parameter DATAFLOW = 0,
	parameter ACC_BITS = 32,
	parameter D_IN     = 32,
	parameter D_W      = 32,
	parameter D_ACC    = 32,
	parameter B        = 4,
	parameter RQC      = 1
) (
	input  wire        clk_i,
	input  wire        rst_ni,
	// AXI4-Lite slave
	input  wire        s_awvalid_i,
	output wire        s_awready_o,
	input  wire [11:0] s_awaddr_i,
	input  wire        s_wvalid_i,
	output wire        s_wready_o,
	input  wire [31:0] s_wdata_i,
	input  wire [3:0]  s_wstrb_i,
	output reg         s_bvalid_o,
	input  wire        s_bready_i,
	output wire [1:0]  s_bresp_o,
	input  wire        s_arvalid_i,
	output wire        s_arready_o,
	input  wire [11:0] s_araddr_i,
	output reg         s_rvalid_o,
	input  wire        s_rready_i,
	output reg  [31:0] s_rdata_o,
	output wire [1:0]  s_rresp_o,
	// to / from the controller
	output reg         start_o,
	output reg         soft_reset_o,
	output reg         irq_enable_o,
	output reg  [63:0] desc_base_o,
	output reg  [31:0] desc_max_o,
	output reg  [63:0] mem_lo_o,
	output reg  [31:0] mem_size_o,
	output reg         clear_done_o,
	output reg         clear_error_o,
	input  wire        busy_i,
	input  wire        done_i,
	input  wire        error_i,
	input  wire [`TS_ERR_CODE_CODE_WIDTH-1:0] err_code_i,
	input  wire [31:0] err_desc_i,
	input  wire [63:0] cycles_i,
	input  wire [31:0] desc_done_i
);
	// Read-only words, each field shifted into its place (regmap.def).
	localparam [31:0] HW_PE_WORD = ((PE << `TS_HW_PE_PE_LSB) & `TS_HW_PE_PE) |
				       ((DATAFLOW << `TS_HW_PE_DATAFLOW_LSB) & `TS_HW_PE_DATAFLOW) |
				       ((ACC_BITS << `TS_HW_PE_ACC_BITS_LSB) & `TS_HW_PE_ACC_BITS) |
				       ((RQC << `TS_HW_PE_REQUANT_CYCLES_LSB) & `TS_HW_PE_REQUANT_CYCLES);
	localparam [31:0] HW_DRAM_WORD = (B << `TS_HW_DRAM_BYTES_PER_CYCLE_LSB) & `TS_HW_DRAM_BYTES_PER_CYCLE;

	wire wr = s_awvalid_i && s_wvalid_i && !s_bvalid_o;
	assign s_awready_o = wr;
	assign s_wready_o  = wr;
	assign s_bresp_o   = 2'b00;
	assign s_arready_o = !s_rvalid_o;
	assign s_rresp_o   = 2'b00;

	// A one-bit field at bit lsb of a 32-bit word.
	function [31:0] bit_at;
		input        v;
		input [31:0] lsb;
		begin
			bit_at = {31'd0, v} << lsb;
		end
	endfunction

	// Byte-strobed update of a 32-bit register.
	function [31:0] strobe;
		input [31:0] old;
		input [31:0] data;
		input [3:0]  be;
		integer b;
		begin
			for (b = 0; b < 4; b = b + 1)
				strobe[8*b +: 8] = be[b] ? data[8*b +: 8] : old[8*b +: 8];
		end
	endfunction

	always @(posedge clk_i) begin
		if (!rst_ni) begin
			s_bvalid_o    <= 1'b0;
			start_o       <= 1'b0;
			soft_reset_o  <= 1'b0;
			irq_enable_o  <= 1'b0;
			desc_base_o   <= 64'd0;
			desc_max_o    <= 32'd0;
			mem_lo_o      <= 64'd0;
			mem_size_o    <= 32'd0;
			clear_done_o  <= 1'b0;
			clear_error_o <= 1'b0;
		end else begin
			start_o       <= 1'b0;
			soft_reset_o  <= 1'b0;
			clear_done_o  <= 1'b0;
			clear_error_o <= 1'b0;
			if (s_bvalid_o && s_bready_i)
				s_bvalid_o <= 1'b0;
			if (wr) begin
				s_bvalid_o <= 1'b1;
				case (s_awaddr_i)
				`TS_REG_CTRL: begin
					if (s_wstrb_i[`TS_CTRL_START_LSB / 8])
						start_o      <= s_wdata_i[`TS_CTRL_START_LSB] && !busy_i;
					if (s_wstrb_i[`TS_CTRL_SOFT_RESET_LSB / 8])
						soft_reset_o <= s_wdata_i[`TS_CTRL_SOFT_RESET_LSB];
					if (s_wstrb_i[`TS_CTRL_IRQ_ENABLE_LSB / 8])
						irq_enable_o <= s_wdata_i[`TS_CTRL_IRQ_ENABLE_LSB];
				end
				`TS_REG_STATUS: begin
					if (s_wstrb_i[`TS_STATUS_DONE_LSB / 8])
						clear_done_o  <= s_wdata_i[`TS_STATUS_DONE_LSB];
					if (s_wstrb_i[`TS_STATUS_ERROR_LSB / 8])
						clear_error_o <= s_wdata_i[`TS_STATUS_ERROR_LSB];
				end
				`TS_REG_DESC_LO:  desc_base_o[31:0]  <= strobe(desc_base_o[31:0], s_wdata_i, s_wstrb_i);
				`TS_REG_DESC_HI:  desc_base_o[63:32] <= strobe(desc_base_o[63:32], s_wdata_i, s_wstrb_i);
				`TS_REG_DESC_MAX: desc_max_o         <= strobe(desc_max_o, s_wdata_i, s_wstrb_i);
				`TS_REG_MEM_LO:   mem_lo_o[31:0]     <= strobe(mem_lo_o[31:0], s_wdata_i, s_wstrb_i);
				`TS_REG_MEM_HI:   mem_lo_o[63:32]    <= strobe(mem_lo_o[63:32], s_wdata_i, s_wstrb_i);
				`TS_REG_MEM_SIZE: mem_size_o         <= strobe(mem_size_o, s_wdata_i, s_wstrb_i);
				default: ;
				endcase
			end
		end
	end

	// The read mux sits inside the clocked block: it is evaluated only on a
	// read, not on every simulated cycle.
	always @(posedge clk_i) begin
		if (!rst_ni) begin
			s_rvalid_o <= 1'b0;
			s_rdata_o  <= 32'd0;
		end else begin
			if (s_rvalid_o && s_rready_i)
				s_rvalid_o <= 1'b0;
			if (s_arvalid_i && !s_rvalid_o) begin
				s_rvalid_o <= 1'b1;
				case (s_araddr_i)
				`TS_REG_ID:          s_rdata_o <= `TS_REG_ID_MAGIC;
				`TS_REG_VERSION:     s_rdata_o <= `TS_REGMAP_VERSION;
				`TS_REG_CTRL:        s_rdata_o <= bit_at(irq_enable_o, `TS_CTRL_IRQ_ENABLE_LSB);
				`TS_REG_STATUS:      s_rdata_o <= bit_at(error_i, `TS_STATUS_ERROR_LSB) |
								bit_at(done_i, `TS_STATUS_DONE_LSB) |
								bit_at(busy_i, `TS_STATUS_BUSY_LSB);
				`TS_REG_ERR_CODE:    s_rdata_o <= {{(32-`TS_ERR_CODE_CODE_WIDTH){1'b0}}, err_code_i}
								<< `TS_ERR_CODE_CODE_LSB;
				`TS_REG_ERR_DESC:    s_rdata_o <= err_desc_i;
				`TS_REG_DESC_LO:     s_rdata_o <= desc_base_o[31:0];
				`TS_REG_DESC_HI:     s_rdata_o <= desc_base_o[63:32];
				`TS_REG_DESC_MAX:    s_rdata_o <= desc_max_o;
				`TS_REG_MEM_LO:      s_rdata_o <= mem_lo_o[31:0];
				`TS_REG_MEM_HI:      s_rdata_o <= mem_lo_o[63:32];
				`TS_REG_MEM_SIZE:    s_rdata_o <= mem_size_o;
				`TS_REG_CYCLES_LO:   s_rdata_o <= cycles_i[31:0];
				`TS_REG_CYCLES_HI:   s_rdata_o <= cycles_i[63:32];
				`TS_REG_DESC_DONE:   s_rdata_o <= desc_done_i;
				`TS_REG_HW_ROWS:     s_rdata_o <= ROWS;
				`TS_REG_HW_COLS:     s_rdata_o <= COLS;
				`TS_REG_HW_PE:       s_rdata_o <= HW_PE_WORD;
				`TS_REG_HW_SPAD_IN:  s_rdata_o <= D_IN;
				`TS_REG_HW_SPAD_W:   s_rdata_o <= D_W;
				`TS_REG_HW_SPAD_ACC: s_rdata_o <= D_ACC;
				`TS_REG_HW_DRAM:     s_rdata_o <= HW_DRAM_WORD;
				default:             s_rdata_o <= 32'd0;
				endcase
			end
		end
	end
endmodule
