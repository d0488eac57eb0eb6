// ts_board_core — what every open-tool board top holds (docs/boards.md): the
// accelerator (ts_top with the generated parameters of its config), the board
// memory behind its memory port (ts_board_mem), and the UART bridge through
// which a host reaches its registers and that memory (ts_uart_rx, ts_uart_tx,
// ts_uart_bridge), with a power-on reset. A board top adds its clock (the
// oscillator, or a PLL's output: CLK_HZ is the clock the core runs on) and pins.
//
// The memory port's width and latency come from the config (TS_DRAM_BPC,
// TS_DRAM_LATENCY of tessera_params.vh): the board memory answers exactly as
// the cost model counts. The memory occupies [MEM_BASE, MEM_BASE + MEM_BYTES).
`ifdef TS_GENERATED_PARAMS
`ifndef TS_DRAM_LATENCY
`include "tessera_params.vh"
`endif
`endif
`ifndef TS_DRAM_BPC
`define TS_DRAM_BPC 4
`endif
`ifndef TS_DRAM_LATENCY
`define TS_DRAM_LATENCY 2
`endif
module ts_board_core #(
	parameter [31:0] CLK_HZ    = 32'd12000000,
	parameter [31:0] BAUD      = 32'd115200,
	parameter [31:0] MEM_BASE  = 32'h1000_0000,
	parameter        MEM_BYTES = 131072,
	parameter        SPRAM     = 0   // the memory in SB_SPRAM256KA (iCE40 UP5K)
) (
	input  wire clk_i,
	input  wire clk_locked_i,  // clk_i is stable (a PLL's LOCK; 1 without a PLL)
	input  wire uart_rx_i,
	output wire uart_tx_o,
	output wire busy_o,
	output wire irq_o
);
	`include "ts_func.vh"   // clog2

	localparam B            = `TS_DRAM_BPC;
	localparam LATENCY      = `TS_DRAM_LATENCY;
	localparam AW           = clog2(MEM_BYTES);
	localparam CLKS_PER_BIT = (CLK_HZ + BAUD / 2) / BAUD;

	// ---- power-on reset: 16 cycles once the clock is stable (iCE40 and ECP5 flip-flops
	// start at 0). A PLL's LOCK is synchronized first; the count restarts if it drops.
	reg [1:0] locked_q = 2'd0;
	reg [4:0] por_q    = 5'd0;
	always @(posedge clk_i)
		locked_q <= {locked_q[0], clk_locked_i};
	always @(posedge clk_i)
		if (!locked_q[1])
			por_q <= 5'd0;
		else if (!por_q[4])
			por_q <= por_q + 5'd1;
	wire rst_n = por_q[4];

	// ---- UART ------------------------------------------------------------------------
	wire       rx_valid, tx_valid, tx_ready;
	wire [7:0] rx_data, tx_data;
	ts_uart_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_rx (
		.clk_i(clk_i), .rst_ni(rst_n), .rx_i(uart_rx_i), .valid_o(rx_valid), .data_o(rx_data)
	);
	ts_uart_tx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_tx (
		.clk_i(clk_i), .rst_ni(rst_n), .valid_i(tx_valid), .data_i(tx_data), .ready_o(tx_ready),
		.tx_o(uart_tx_o)
	);

	// ---- bridge -----------------------------------------------------------------------
	wire        awvalid, awready, wvalid, wready, bvalid, bready, arvalid, arready, rvalid, rready;
	wire [11:0] awaddr, araddr;
	wire [31:0] wdata, rdata;
	wire [3:0]  wstrb;
	wire [1:0]  bresp, rresp;
	wire        bp_req, bp_we, bp_ack;
	wire [AW-1:0] bp_addr;
	wire [7:0]  bp_wdata, bp_rdata;
	wire        busy;

	ts_uart_bridge #(
		.CLKS_PER_BIT(CLKS_PER_BIT), .MEM_BASE(MEM_BASE), .MEM_BYTES(MEM_BYTES), .AW(AW),
		.CLK_HZ(CLK_HZ), .BAUD(BAUD)
	) u_bridge (
		.clk_i(clk_i), .rst_ni(rst_n),
		.rx_valid_i(rx_valid), .rx_data_i(rx_data),
		.tx_valid_o(tx_valid), .tx_data_o(tx_data), .tx_ready_i(tx_ready),
		.m_awvalid_o(awvalid), .m_awready_i(awready), .m_awaddr_o(awaddr),
		.m_wvalid_o(wvalid), .m_wready_i(wready), .m_wdata_o(wdata), .m_wstrb_o(wstrb),
		.m_bvalid_i(bvalid), .m_bready_o(bready), .m_bresp_i(bresp),
		.m_arvalid_o(arvalid), .m_arready_i(arready), .m_araddr_o(araddr),
		.m_rvalid_i(rvalid), .m_rready_o(rready), .m_rdata_i(rdata), .m_rresp_i(rresp),
		.acc_busy_i(busy || mem_active),
		.bp_req_o(bp_req), .bp_we_o(bp_we), .bp_addr_o(bp_addr), .bp_wdata_o(bp_wdata),
		.bp_ack_i(bp_ack), .bp_rdata_i(bp_rdata)
	);

	// ---- the accelerator and its memory -------------------------------------------------
	wire          mem_req, mem_we, mem_beat, mem_wvalid;
	wire [63:0]   mem_addr;
	wire [31:0]   mem_len;
	wire [8*B-1:0] mem_rdata, mem_wdata;
	wire          mem_active;

	ts_top u_top (
		.clk_i(clk_i), .rst_ni(rst_n),
		.s_awvalid_i(awvalid), .s_awready_o(awready), .s_awaddr_i(awaddr),
		.s_wvalid_i(wvalid), .s_wready_o(wready), .s_wdata_i(wdata), .s_wstrb_i(wstrb),
		.s_bvalid_o(bvalid), .s_bready_i(bready), .s_bresp_o(bresp),
		.s_arvalid_i(arvalid), .s_arready_o(arready), .s_araddr_i(araddr),
		.s_rvalid_o(rvalid), .s_rready_i(rready), .s_rdata_o(rdata), .s_rresp_o(rresp),
		.mem_req_o(mem_req), .mem_we_o(mem_we), .mem_addr_o(mem_addr), .mem_len_o(mem_len),
		.mem_beat_i(mem_beat), .mem_rdata_i(mem_rdata), .mem_wdata_o(mem_wdata),
		.mem_wvalid_o(mem_wvalid), .busy_o(busy), .irq_o(irq_o)
	);

	ts_board_mem #(
		.B(B), .LATENCY(LATENCY), .MEM_BYTES(MEM_BYTES), .SPRAM(SPRAM), .AW(AW)
	) u_mem (
		.clk_i(clk_i), .rst_ni(rst_n),
		.mem_req_i(mem_req), .mem_we_i(mem_we), .mem_addr_i(mem_addr), .mem_len_i(mem_len),
		.mem_beat_o(mem_beat), .mem_rdata_o(mem_rdata), .mem_wdata_i(mem_wdata),
		.mem_wvalid_i(mem_wvalid), .bp_req_i(bp_req), .bp_we_i(bp_we), .bp_addr_i(bp_addr), .bp_wdata_i(bp_wdata),
		.bp_ack_o(bp_ack), .bp_rdata_o(bp_rdata), .active_o(mem_active)
	);

	// The bridge leaves the memory alone while the accelerator runs or a transfer is
	// under way (one a SOFT_RESET left behind); the memory also holds its byte port
	// back during a transfer.
	assign busy_o = busy;
endmodule
