// ts_axi4_master — the accelerator's memory port (ts_dma: one transfer at a
// time, B bytes per beat from any byte address) as an AXI4 master, for the
// boards whose memory is behind an AXI interconnect (ts_board_zynq; docs/axi.md).
//
// Core side (ts_top's mem_* port): mem_req_i one cycle with we / addr / len;
// the master answers with ceil(len / B) beats on mem_beat_o. The core takes
// beats whenever they come (its consumers advance on the beat, not on a
// cycle count: ts_ctrl waits for the last one, ts_spad / ts_qtab / ts_storer
// step per beat), so the master raises mem_beat_o only when a beat is ready,
// with gaps where the bus stalls:
//   read   a beat when B bytes (the transfer's rest, for the last) have
//          arrived: mem_rdata_o, B consecutive bytes from a byte buffer;
//   write  a beat takes mem_wdata_i, only in a cycle with mem_wvalid_i; the
//          core's data is valid from the request's cycle on and from the
//          cycle after each beat it gave. The LAST write beat's data is read
//          without raising mem_beat_o (the core holds it until the beat), and
//          the beat is given only once every burst's B response has arrived:
//          so the core's next command (a LOAD of the bytes just stored, the
//          next descriptor's fetch) never overtakes the write.
// AXI side: one ID (0), INCR bursts of full bus words (AxSIZE = log2 of
// AXI_DW / 8) from the bus word that holds the transfer's first byte to the one
// that holds its last, split so that a burst has at most 256 beats and never
// crosses a 4 KiB boundary. Reads fetch whole bus words (the bytes around the
// transfer are read and dropped); writes strobe exactly the bytes of
// [addr, addr + len) (WSTRB 0 elsewhere). AR / AW of the next burst are issued
// while the data of the previous ones flows (no limit on outstanding bursts:
// one ID, in order); RREADY is low only when the realignment buffer is full;
// BREADY is always high. An SLVERR / DECERR response (RRESP / BRESP bit 1)
// sets err_o (bit 0 read, bit 1 write), sticky until err_clr_i or reset; the
// transfer completes anyway (read data as the slave sent it).
// Added latency (docs/axi.md, measured): AR / AW of the first burst are valid
// the cycle after the request and an R word reaches the core the cycle after its
// handshake (through the buffer): a read ends 2 cycles later than on the ideal
// port with the same latency; a write, whose last beat waits for its last B
// response, 3 cycles later.
module ts_axi4_master #(
	parameter AXI_DW  = 64,    // data bits: 32, 64 or 128
	parameter AXI_AW  = 40,    // address bits, 13 .. 64 (mem_addr_i's bits above are dropped)
	parameter AXI_IDW = 1,     // ID bits (the master uses ID 0)
	parameter B       = 8      // core bytes per beat, 1 .. AXI_DW / 8 (any, not only powers of two)
) (
	input  wire                 clk_i,
	input  wire                 rst_ni,     // synchronous, active low
	// core side (ts_top's memory port, names seen from the master)
	input  wire                 mem_req_i,
	input  wire                 mem_we_i,
	input  wire [63:0]          mem_addr_i,
	input  wire [31:0]          mem_len_i,
	output wire                 mem_beat_o,
	output wire [8*B-1:0]       mem_rdata_o,
	input  wire [8*B-1:0]       mem_wdata_i,
	input  wire                 mem_wvalid_i,
	// status
	output wire                 busy_o,
	output wire [1:0]           err_o,      // sticky: bit 0 a read, bit 1 a write got SLVERR / DECERR
	input  wire [1:0]           err_clr_i,  // clear these bits of err_o
	// AXI4 master
	output wire [AXI_IDW-1:0]   m_axi_awid,
	output wire [AXI_AW-1:0]    m_axi_awaddr,
	output wire [7:0]           m_axi_awlen,
	output wire [2:0]           m_axi_awsize,
	output wire [1:0]           m_axi_awburst,
	output wire                 m_axi_awlock,
	output wire [3:0]           m_axi_awcache,
	output wire [2:0]           m_axi_awprot,
	output wire [3:0]           m_axi_awqos,
	output wire                 m_axi_awvalid,
	input  wire                 m_axi_awready,
	output wire [AXI_DW-1:0]    m_axi_wdata,
	output wire [AXI_DW/8-1:0]  m_axi_wstrb,
	output wire                 m_axi_wlast,
	output wire                 m_axi_wvalid,
	input  wire                 m_axi_wready,
	input  wire [AXI_IDW-1:0]   m_axi_bid,
	input  wire [1:0]           m_axi_bresp,
	input  wire                 m_axi_bvalid,
	output wire                 m_axi_bready,
	output wire [AXI_IDW-1:0]   m_axi_arid,
	output wire [AXI_AW-1:0]    m_axi_araddr,
	output wire [7:0]           m_axi_arlen,
	output wire [2:0]           m_axi_arsize,
	output wire [1:0]           m_axi_arburst,
	output wire                 m_axi_arlock,
	output wire [3:0]           m_axi_arcache,
	output wire [2:0]           m_axi_arprot,
	output wire [3:0]           m_axi_arqos,
	output wire                 m_axi_arvalid,
	input  wire                 m_axi_arready,
	input  wire [AXI_IDW-1:0]   m_axi_rid,
	input  wire [AXI_DW-1:0]    m_axi_rdata,
	input  wire [1:0]           m_axi_rresp,
	input  wire                 m_axi_rlast,
	input  wire                 m_axi_rvalid,
	output wire                 m_axi_rready
);
	`include "ts_func.vh"   // clog2

	localparam BW  = AXI_DW / 8;        // bytes per bus word
	localparam LBW = clog2(BW);         // BW = 2^LBW
	localparam CAP = 2 * BW;            // bytes of the read and write realignment buffers
	localparam CW  = clog2(CAP + 1);    // a byte count 0 .. CAP
	localparam [31:0] B32  = B;
	localparam [31:0] BW32 = BW;
	localparam [31:0] LBW32 = LBW;
	localparam [2:0]  SIZE = LBW32[2:0];
	localparam [AXI_AW-1:0] BWA = {{(AXI_AW-1){1'b0}}, 1'b1} << LBW;   // BW, AXI_AW bits

	generate
		if (AXI_DW != 32 && AXI_DW != 64 && AXI_DW != 128) begin : g_bad_dw
			ts_axi4_master_needs_axi_dw_of_32_64_or_128 u_refuse ();
		end
		if (B < 1 || B > BW) begin : g_bad_b
			ts_axi4_master_needs_b_from_1_to_axi_dw_over_8 u_refuse ();
		end
		if (AXI_AW < 13 || AXI_AW > 64) begin : g_bad_aw
			ts_axi4_master_needs_axi_aw_from_13_to_64 u_refuse ();
		end
	endgenerate

	// Words of a burst from bus word address addr with left words to go: at most
	// 256, and not past the 4 KiB boundary.
	function [8:0] burst_words;
		input [11:0] addr;     // the address's low 12 bits (bus word aligned)
		input [31:0] left;
		reg   [31:0] room;
		begin
			room = (32'd4096 - {20'd0, addr}) >> LBW;
			if (room > 32'd256)
				room = 32'd256;
			if (left < room)
				room = left;
			burst_words = room[8:0];
		end
	endfunction

	// ---- the transfer ----------------------------------------------------------
	reg          busy_q, we_q;
	reg  [31:0]  rem_q;       // read: bytes still to give the core; write: bytes still to take
	reg  [1:0]   err_q;

	// ---- address channel (AR or AW: one transfer at a time, so one tracker) -------
	reg  [AXI_AW-1:0] a_addr_q;   // the next burst's address (bus word aligned)
	reg  [31:0]       a_left_q;   // bus words not yet requested
	reg               ax_valid_q;
	reg  [AXI_AW-1:0] ax_addr_q;
	reg  [7:0]        ax_len_q;
	reg  [31:0]       bursts_q, bresp_q;  // write bursts issued, B responses received
	wire              ax_ready = we_q ? m_axi_awready : m_axi_arready;
	wire [8:0]        a_words  = burst_words(a_addr_q[11:0], a_left_q);
	wire              ax_load  = busy_q && (a_left_q != 32'd0) && (!ax_valid_q || ax_ready);

	// the request's first bus word, the offset of its first byte in it, its bus words
	wire [LBW-1:0]    req_skip  = mem_addr_i[LBW-1:0];
	wire [32:0]       req_span  = {1'b0, mem_len_i} + {{(33-LBW){1'b0}}, req_skip} + (BW32 - 1'b1);
	wire [31:0]       req_words = {{(LBW-1){1'b0}}, req_span[32:LBW]};
	wire [AXI_AW-1:0] req_base  = {mem_addr_i[AXI_AW-1:LBW], {LBW{1'b0}}};
	wire [8:0]        req_first = burst_words(req_base[11:0], req_words);

	always @(posedge clk_i) begin
		if (!rst_ni) begin
			a_addr_q   <= {AXI_AW{1'b0}};
			a_left_q   <= 32'd0;
			ax_valid_q <= 1'b0;
			ax_addr_q  <= {AXI_AW{1'b0}};
			ax_len_q   <= 8'd0;
			bursts_q   <= 32'd0;
		end else if (mem_req_i) begin
			// the first burst's AR / AW the cycle after the request
			ax_valid_q <= 1'b1;
			ax_addr_q  <= req_base;
			ax_len_q   <= req_first[7:0] - 8'd1;
			a_addr_q   <= req_base + ({{(AXI_AW-9){1'b0}}, req_first} << LBW);
			a_left_q   <= req_words - {23'd0, req_first};
			bursts_q   <= 32'd1;
		end else begin
			if (ax_valid_q && ax_ready)
				ax_valid_q <= 1'b0;
			if (ax_load) begin
				ax_valid_q <= 1'b1;
				ax_addr_q  <= a_addr_q;
				ax_len_q   <= a_words[7:0] - 8'd1;
				a_addr_q   <= a_addr_q + ({{(AXI_AW-9){1'b0}}, a_words} << LBW);
				a_left_q   <= a_left_q - {23'd0, a_words};
				bursts_q   <= bursts_q + 32'd1;
			end
		end
	end

	assign m_axi_awid    = {AXI_IDW{1'b0}};
	assign m_axi_awaddr  = ax_addr_q;
	assign m_axi_awlen   = ax_len_q;
	assign m_axi_awsize  = SIZE;
	assign m_axi_awburst = 2'b01;      // INCR
	assign m_axi_awlock  = 1'b0;
	assign m_axi_awcache = 4'b0011;    // normal, non-cacheable, bufferable (Xilinx's default)
	assign m_axi_awprot  = 3'b000;
	assign m_axi_awqos   = 4'd0;
	assign m_axi_awvalid = ax_valid_q && we_q;
	assign m_axi_arid    = {AXI_IDW{1'b0}};
	assign m_axi_araddr  = ax_addr_q;
	assign m_axi_arlen   = ax_len_q;
	assign m_axi_arsize  = SIZE;
	assign m_axi_arburst = 2'b01;
	assign m_axi_arlock  = 1'b0;
	assign m_axi_arcache = 4'b0011;
	assign m_axi_arprot  = 3'b000;
	assign m_axi_arqos   = 4'd0;
	assign m_axi_arvalid = ax_valid_q && !we_q;

	// ---- read: R words into the byte buffer, B-byte beats out of it -----------------
	// rbuf_q holds rcnt_q bytes (byte 0 the next beat's first); the first R word of a
	// transfer drops its rskip_q bytes below the transfer's address.
	reg  [8*CAP-1:0] rbuf_q;
	reg  [CW-1:0]    rcnt_q;
	reg  [LBW-1:0]   rskip_q;
	wire [31:0]      r_need   = (rem_q < B32) ? rem_q : B32;   // bytes of the next beat
	wire             r_beat   = busy_q && !we_q && (rem_q != 32'd0) && ({{(32-CW){1'b0}}, rcnt_q} >= r_need);
	wire [CW-1:0]    r_keep   = r_beat ? ((rcnt_q > B[CW-1:0]) ? rcnt_q - B[CW-1:0] : {CW{1'b0}}) : rcnt_q;
	assign           m_axi_rready = busy_q && !we_q && (r_keep <= BW[CW-1:0]);
	wire             r_take   = m_axi_rready && m_axi_rvalid;

	reg  [8*CAP-1:0] rbuf_d;
	integer j, k;
	always @(*) begin
		k = 0;
		rbuf_d = r_beat ? (rbuf_q >> (8 * B)) : rbuf_q;
		if (r_take) begin
			for (j = 0; j < CAP; j = j + 1) begin
				k = j - {{(32-CW){1'b0}}, r_keep} + {{(32-LBW){1'b0}}, rskip_q};   // the R word's byte on byte j
				if (j >= r_keep && k < BW)
					rbuf_d[8*j +: 8] = m_axi_rdata[8*k +: 8];
			end
		end
	end

	always @(posedge clk_i) begin
		if (!rst_ni) begin
			rcnt_q  <= {CW{1'b0}};
			rskip_q <= {LBW{1'b0}};
		end else if (mem_req_i) begin
			rcnt_q  <= {CW{1'b0}};
			rskip_q <= req_skip;
		end else begin
			rcnt_q <= r_take ? r_keep + BW[CW-1:0] - {{(CW-LBW){1'b0}}, rskip_q} : r_keep;
			if (r_take)
				rskip_q <= {LBW{1'b0}};
		end
		rbuf_q <= rbuf_d;
	end
	assign mem_rdata_o = rbuf_q[8*B-1:0];

	// ---- write: core beats into the packing buffer, bus words out of it ----------------
	// pbuf_q holds pcnt_q bytes from the current bus word's byte 0 (pstrb_q: the
	// transfer's bytes; the bytes below its address are padding, strobe 0). Only the
	// transfer's bytes enter (the last beat's bytes past its end do not).
	reg  [8*CAP-1:0] pbuf_q;
	reg  [CAP-1:0]   pstrb_q;
	reg  [CW-1:0]    pcnt_q;
	reg              w_valid_q, w_last_q;
	reg  [AXI_DW-1:0] w_data_q;
	reg  [BW-1:0]    w_strb_q;
	reg  [AXI_AW-1:0] w_addr_q;   // the next W word's address (for its burst's length)
	reg  [31:0]      w_left_q;    // W words still to send
	reg  [8:0]       wb_left_q;   // words left in the current W burst (0: a new burst)
	reg              last_held_q; // the last beat's data is in, its beat not given yet

	// A core beat enters at pcnt_q, and a bus word leaves in the same cycle when the
	// bytes then reach a full word, or the transfer's last bytes are in.
	wire [31:0]      w_nb     = (rem_q < B32) ? rem_q : B32;    // the beat's bytes in the transfer
	wire             w_take   = busy_q && we_q && (rem_q != 32'd0) && mem_wvalid_i &&
				    ({{(32-CW){1'b0}}, pcnt_q} + B32 <= 2 * BW32);
	wire             w_lastb  = (rem_q <= B32);                  // the take is the last beat's
	wire [CW-1:0]    p_fill   = w_take ? pcnt_q + w_nb[CW-1:0] : pcnt_q;
	wire             w_full   = p_fill >= BW[CW-1:0];
	wire             w_emit   = busy_q && we_q && (!w_valid_q || m_axi_wready) &&
				    (w_full || ((rem_q == 32'd0 || (w_take && w_lastb)) && p_fill != {CW{1'b0}}));
	wire [CW-1:0]    p_keep   = w_emit ? (w_full ? p_fill - BW[CW-1:0] : {CW{1'b0}}) : p_fill;
	wire             w_done   = busy_q && we_q && last_held_q && (pcnt_q == {CW{1'b0}}) && !w_valid_q &&
				    (a_left_q == 32'd0) && !ax_valid_q && (bresp_q == bursts_q) && mem_wvalid_i;
	wire [8:0]       w_bl     = (wb_left_q == 9'd0) ? burst_words(w_addr_q[11:0], w_left_q) : wb_left_q;

	reg  [8*CAP-1:0] pbuf_t;      // the buffer with this cycle's beat
	reg  [CAP-1:0]   pstrb_t;
	always @(*) begin
		k = 0;
		pbuf_t  = pbuf_q;
		pstrb_t = pstrb_q;
		if (w_take) begin
			for (j = 0; j < CAP; j = j + 1) begin
				k = j - {{(32-CW){1'b0}}, pcnt_q};   // the core beat's byte that lands on byte j
				if (j >= pcnt_q && k < w_nb) begin
					pbuf_t[8*j +: 8] = mem_wdata_i[8*k +: 8];
					pstrb_t[j]       = 1'b1;
				end
			end
		end
	end
	wire [8*CAP-1:0] pbuf_d  = w_emit ? (pbuf_t >> AXI_DW) : pbuf_t;
	wire [CAP-1:0]   pstrb_d = w_emit ? (pstrb_t >> BW) : pstrb_t;

	always @(posedge clk_i) begin
		if (!rst_ni) begin
			pcnt_q      <= {CW{1'b0}};
			pstrb_q     <= {CAP{1'b0}};
			w_valid_q   <= 1'b0;
			w_last_q    <= 1'b0;
			w_strb_q    <= {BW{1'b0}};
			w_addr_q    <= {AXI_AW{1'b0}};
			w_left_q    <= 32'd0;
			wb_left_q   <= 9'd0;
			last_held_q <= 1'b0;
		end else if (mem_req_i) begin
			pcnt_q      <= {{(CW-LBW){1'b0}}, req_skip};
			pstrb_q     <= {CAP{1'b0}};
			w_addr_q    <= req_base;
			w_left_q    <= req_words;
			wb_left_q   <= 9'd0;
			last_held_q <= 1'b0;
		end else begin
			pcnt_q  <= p_keep;
			pstrb_q <= pstrb_d;
			if (w_valid_q && m_axi_wready)
				w_valid_q <= 1'b0;
			if (w_emit) begin
				w_valid_q <= 1'b1;
				w_strb_q  <= pstrb_t[BW-1:0];
				w_last_q  <= (w_bl == 9'd1);
				wb_left_q <= w_bl - 9'd1;
				w_addr_q  <= w_addr_q + BWA;
				w_left_q  <= w_left_q - 32'd1;
			end
			if (w_take && w_lastb)
				last_held_q <= 1'b1;
		end
		pbuf_q <= pbuf_d;
		if (w_emit)
			w_data_q <= pbuf_t[AXI_DW-1:0];
	end

	assign m_axi_wdata  = w_data_q;
	assign m_axi_wstrb  = w_strb_q;
	assign m_axi_wlast  = w_last_q;
	assign m_axi_wvalid = w_valid_q;
	assign m_axi_bready = 1'b1;

	// ---- the transfer's state, B responses, errors ----------------------------------------
	always @(posedge clk_i) begin
		if (!rst_ni) begin
			busy_q  <= 1'b0;
			we_q    <= 1'b0;
			rem_q   <= 32'd0;
			bresp_q <= 32'd0;
			err_q   <= 2'b00;
		end else begin
			if (mem_req_i) begin
				busy_q  <= 1'b1;
				we_q    <= mem_we_i;
				rem_q   <= mem_len_i;
				bresp_q <= 32'd0;
			end else begin
				if (r_beat || w_take)
					rem_q <= (rem_q > B32) ? rem_q - B32 : 32'd0;
				if ((r_beat && rem_q <= B32) || w_done)
					busy_q <= 1'b0;
				if (m_axi_bvalid)
					bresp_q <= bresp_q + 32'd1;
			end
			err_q <= (err_q & ~err_clr_i) |
				 {m_axi_bvalid && m_axi_bresp[1], r_take && m_axi_rresp[1]};
		end
	end

	// The core's beat: a read beat, a write beat taken (all but the last), the last
	// write beat once the write is complete.
	assign mem_beat_o = r_beat || (w_take && !w_lastb) || w_done;
	assign busy_o     = busy_q;
	assign err_o      = err_q;

	wire unused = &{1'b0, m_axi_bid, m_axi_rid, m_axi_rlast, m_axi_rresp[0], m_axi_bresp[0],
			req_span[LBW-1:0]};
	generate
		if (AXI_AW < 64) begin : g_addr_hi
			wire unused_hi = &{1'b0, mem_addr_i[63:AXI_AW]};
		end
	endgenerate
endmodule
