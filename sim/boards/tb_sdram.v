// tb_sdram — the test top of the SDRAM controller (sdram_test.cpp, docs/sdram.md): the
// accelerator's memory port (ts_top's mem_* signals, on the ports) through ts_axi4_master
// and ts_sdram to the SDRAM pins, which the C++ chip model (sdram_model.cpp) drives and
// checks. The AXI handshakes are on ports too, for the test's burst checks. With direct_i
// the slave's AXI port is driven from the d_* ports instead (the test's random AXI master:
// AR and AW at once, RREADY / BREADY low at times; the master is then left idle).
module tb_sdram #(
	parameter        AXI_DW = 32,
	parameter        B      = 4,
	parameter [31:0] CLK_HZ = 32'd25000000,
	parameter        CL     = 2
) (
	input  wire          clk_i,
	input  wire          rst_ni,
	output wire          ready_o,
	// the core's memory port
	input  wire          mem_req_i,
	input  wire          mem_we_i,
	input  wire [31:0]   mem_addr_i,
	input  wire [31:0]   mem_len_i,
	output wire          mem_beat_o,
	output wire [8*B-1:0] mem_rdata_o,
	input  wire [8*B-1:0] mem_wdata_i,
	input  wire          mem_wvalid_i,
	output wire [1:0]    err_o,
	// the slave driven directly
	input  wire          direct_i,
	input  wire [24:0]   d_awaddr_i,
	input  wire [7:0]    d_awlen_i,
	input  wire          d_awvalid_i,
	input  wire [AXI_DW-1:0] d_wdata_i,
	input  wire [AXI_DW/8-1:0] d_wstrb_i,
	input  wire          d_wvalid_i,
	input  wire          d_bready_i,
	input  wire [24:0]   d_araddr_i,
	input  wire [7:0]    d_arlen_i,
	input  wire          d_arvalid_i,
	input  wire          d_rready_i,
	output wire [AXI_DW-1:0] rdata_o,
	// AXI, observed
	output wire          arvalid_o,
	output wire          arready_o,
	output wire [7:0]    arlen_o,
	output wire          rvalid_o,
	output wire          rready_o,
	output wire          rlast_o,
	output wire          awvalid_o,
	output wire          awready_o,
	output wire [7:0]    awlen_o,
	output wire          wvalid_o,
	output wire          wready_o,
	output wire          wlast_o,
	output wire          bvalid_o,
	// the SDRAM pins
	output wire          sdram_cke_o,
	output wire          sdram_csn_o,
	output wire          sdram_rasn_o,
	output wire          sdram_casn_o,
	output wire          sdram_wen_o,
	output wire [1:0]    sdram_ba_o,
	output wire [12:0]   sdram_a_o,
	output wire [1:0]    sdram_dqm_o,
	output wire [15:0]   sdram_dq_o,
	output wire          sdram_dq_oe_o,
	input  wire [15:0]   sdram_dq_i
);
	localparam AW = 25;

	wire [0:0]          awid, bid, arid, rid;
	wire [AW-1:0]       m_awaddr, m_araddr, awaddr, araddr;
	wire [7:0]          m_awlen, m_arlen, awlen, arlen;
	wire                m_awvalid, m_wvalid, m_bready, m_arvalid, m_rready;
	wire                awvalid, awready, wvalid, wready, wlast, bvalid, bready;
	wire                arvalid, arready, rvalid, rready, rlast;
	wire [AXI_DW-1:0]   m_wdata, wdata, rdata;
	wire [AXI_DW/8-1:0] m_wstrb, wstrb;
	wire [1:0]          bresp, rresp;

	assign awaddr  = direct_i ? d_awaddr_i  : m_awaddr;
	assign awlen   = direct_i ? d_awlen_i   : m_awlen;
	assign awvalid = direct_i ? d_awvalid_i : m_awvalid;
	assign wdata   = direct_i ? d_wdata_i   : m_wdata;
	assign wstrb   = direct_i ? d_wstrb_i   : m_wstrb;
	assign wvalid  = direct_i ? d_wvalid_i  : m_wvalid;
	assign bready  = direct_i ? d_bready_i  : m_bready;
	assign araddr  = direct_i ? d_araddr_i  : m_araddr;
	assign arlen   = direct_i ? d_arlen_i   : m_arlen;
	assign arvalid = direct_i ? d_arvalid_i : m_arvalid;
	assign rready  = direct_i ? d_rready_i  : m_rready;
	assign rdata_o = rdata;

	ts_axi4_master #(.AXI_DW(AXI_DW), .AXI_AW(AW), .AXI_IDW(1), .B(B)) u_master (
		.clk_i(clk_i), .rst_ni(rst_ni),
		.mem_req_i(mem_req_i), .mem_we_i(mem_we_i), .mem_addr_i({32'd0, mem_addr_i}), .mem_len_i(mem_len_i),
		.mem_beat_o(mem_beat_o), .mem_rdata_o(mem_rdata_o), .mem_wdata_i(mem_wdata_i),
		.mem_wvalid_i(mem_wvalid_i), .busy_o(), .err_o(err_o), .err_clr_i(2'b00),
		.m_axi_awid(awid), .m_axi_awaddr(m_awaddr), .m_axi_awlen(m_awlen), .m_axi_awsize(), .m_axi_awburst(),
		.m_axi_awlock(), .m_axi_awcache(), .m_axi_awprot(), .m_axi_awqos(), .m_axi_awvalid(m_awvalid),
		.m_axi_awready(awready && !direct_i), .m_axi_wdata(m_wdata), .m_axi_wstrb(m_wstrb), .m_axi_wlast(wlast),
		.m_axi_wvalid(m_wvalid), .m_axi_wready(wready && !direct_i), .m_axi_bid(bid), .m_axi_bresp(bresp),
		.m_axi_bvalid(bvalid && !direct_i), .m_axi_bready(m_bready),
		.m_axi_arid(arid), .m_axi_araddr(m_araddr), .m_axi_arlen(m_arlen), .m_axi_arsize(), .m_axi_arburst(),
		.m_axi_arlock(), .m_axi_arcache(), .m_axi_arprot(), .m_axi_arqos(), .m_axi_arvalid(m_arvalid),
		.m_axi_arready(arready && !direct_i), .m_axi_rid(rid), .m_axi_rdata(rdata), .m_axi_rresp(rresp),
		.m_axi_rlast(rlast), .m_axi_rvalid(rvalid && !direct_i), .m_axi_rready(m_rready)
	);

	ts_sdram #(.AXI_DW(AXI_DW), .AXI_AW(AW), .AXI_IDW(1), .CLK_HZ(CLK_HZ), .CL(CL)) u_sdram (
		.clk_i(clk_i), .rst_ni(rst_ni), .ready_o(ready_o),
		.s_axi_awid(awid), .s_axi_awaddr(awaddr), .s_axi_awlen(awlen), .s_axi_awvalid(awvalid),
		.s_axi_awready(awready), .s_axi_wdata(wdata), .s_axi_wstrb(wstrb), .s_axi_wvalid(wvalid),
		.s_axi_wready(wready), .s_axi_bid(bid), .s_axi_bresp(bresp), .s_axi_bvalid(bvalid),
		.s_axi_bready(bready), .s_axi_arid(arid), .s_axi_araddr(araddr), .s_axi_arlen(arlen),
		.s_axi_arvalid(arvalid), .s_axi_arready(arready), .s_axi_rid(rid), .s_axi_rdata(rdata),
		.s_axi_rresp(rresp), .s_axi_rlast(rlast), .s_axi_rvalid(rvalid), .s_axi_rready(rready),
		.sdram_cke_o(sdram_cke_o), .sdram_csn_o(sdram_csn_o), .sdram_rasn_o(sdram_rasn_o),
		.sdram_casn_o(sdram_casn_o), .sdram_wen_o(sdram_wen_o), .sdram_ba_o(sdram_ba_o),
		.sdram_a_o(sdram_a_o), .sdram_dqm_o(sdram_dqm_o), .sdram_dq_o(sdram_dq_o),
		.sdram_dq_oe_o(sdram_dq_oe_o), .sdram_dq_i(sdram_dq_i)
	);

	assign arvalid_o = arvalid;
	assign arready_o = arready;
	assign arlen_o   = arlen;
	assign rvalid_o  = rvalid;
	assign rready_o  = rready;
	assign rlast_o   = rlast;
	assign awvalid_o = awvalid;
	assign awready_o = awready;
	assign awlen_o   = awlen;
	assign wvalid_o  = wvalid;
	assign wready_o  = wready;
	assign wlast_o   = wlast;
	assign bvalid_o  = bvalid;
endmodule
