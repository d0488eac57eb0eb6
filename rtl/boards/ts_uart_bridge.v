// ts_uart_bridge — the board's UART bridge (docs/boards.md §1): frames from
// the host become AXI4-Lite accesses of ts_top's registers and byte accesses
// of the board memory (ts_board_mem's byte port); each is answered with a
// response frame.
//   request  A5, CMD (seq << 4 | op), ADDR LE32, LEN LE16, payload, CRC-8
//   response 5A, STATUS (seq << 4 | code), payload (OK only), CRC-8 seeded
//            with the request's CRC (OK) or 0 (any other code)
// Ports:
//   rx_valid_i / rx_data_i   bytes from ts_uart_rx
//   tx_valid_o / tx_data_o / tx_ready_i   bytes to ts_uart_tx (taken when
//                            valid and ready are both high)
//   m_*                      AXI4-Lite master: one access at a time, B and R
//                            always ready; responses other than OKAY are not
//                            reported (ts_top answers OKAY)
//   acc_busy_i               the accelerator runs: memory requests get status 4
//   bp_*                     byte port of ts_board_mem (hold bp_req_o until
//                            bp_ack_i; bp_rdata_i comes with the ack)
// The parser drops a frame whose bytes stop for GAP_BYTES byte times, and after
// answering a frame it could not delimit (a bad CRC; a bad op or MEM_WRITE
// length, answered at the header) ignores the line until it has been idle that
// long. A MEM_WRITE's payload is buffered (256 bytes) and copied only after its
// CRC matched. A write whose CMD and CRC equal the last executed request's is a
// retransmission: answered OK, not executed again.
`include "ts_contract.vh"
module ts_uart_bridge #(
	parameter        CLKS_PER_BIT = 104,
	parameter [31:0] MEM_BASE     = 32'h1000_0000,  // aligned to MEM_BYTES
	parameter        MEM_BYTES    = 131072,
	parameter        AW           = 17,             // log2(MEM_BYTES)
	parameter [31:0] CLK_HZ       = 32'd12000000,   // for INFO
	parameter [31:0] BAUD         = 32'd115200,     // for INFO
	parameter        GAP_BYTES    = 8
) (
	input  wire          clk_i,
	input  wire          rst_ni,
	input  wire          rx_valid_i,
	input  wire [7:0]    rx_data_i,
	output reg           tx_valid_o,
	output reg  [7:0]    tx_data_o,
	input  wire          tx_ready_i,
	// AXI4-Lite master
	output wire          m_awvalid_o,
	input  wire          m_awready_i,
	output wire [11:0]   m_awaddr_o,
	output wire          m_wvalid_o,
	input  wire          m_wready_i,
	output wire [31:0]   m_wdata_o,
	output wire [3:0]    m_wstrb_o,
	input  wire          m_bvalid_i,
	output wire          m_bready_o,
	input  wire [1:0]    m_bresp_i,
	output wire          m_arvalid_o,
	input  wire          m_arready_i,
	output wire [11:0]   m_araddr_o,
	input  wire          m_rvalid_i,
	output wire          m_rready_o,
	input  wire [31:0]   m_rdata_i,
	input  wire [1:0]    m_rresp_i,
	// the accelerator and the board memory
	input  wire          acc_busy_i,
	output wire          bp_req_o,
	output wire          bp_we_o,
	output wire [AW-1:0] bp_addr_o,
	output wire [7:0]    bp_wdata_o,
	input  wire          bp_ack_i,
	input  wire [7:0]    bp_rdata_i
);
	`include "ts_func.vh"   // clog2

	// CRC-8, polynomial 0x07, MSB first: crc after one more byte.
	function [7:0] crc8;
		input [7:0] crc;
		input [7:0] data;
		integer k;
		reg [7:0] c;
		begin
			c = crc ^ data;
			for (k = 0; k < 8; k = k + 1)
				c = c[7] ? {c[6:0], 1'b0} ^ 8'h07 : {c[6:0], 1'b0};
			crc8 = c;
		end
	endfunction

	localparam GAP_CLKS = GAP_BYTES * 10 * CLKS_PER_BIT;
	localparam GW = clog2(GAP_CLKS + 1);
	localparam [31:0]   GAP32 = GAP_CLKS;
	localparam [GW-1:0] GAP = GAP32[GW-1:0];
	localparam LW = (AW > 16) ? AW : 16;   // ADDR's offset + LEN: LW + 1 bits
	localparam [32:0] MEM_END = MEM_BYTES;
	localparam [127:0] INFO = {BAUD, CLK_HZ, MEM_END[31:0], MEM_BASE};

	// the protocol, from uart.def (ts_contract.vh)
	localparam [3:0] OP_REG_READ = `TS_UART_OP_REG_READ, OP_REG_WRITE = `TS_UART_OP_REG_WRITE,
			 OP_MEM_READ = `TS_UART_OP_MEM_READ, OP_MEM_WRITE = `TS_UART_OP_MEM_WRITE,
			 OP_INFO = `TS_UART_OP_INFO;
	localparam [3:0] C_OK = `TS_UART_CODE_OK, C_BAD_CRC = `TS_UART_CODE_BAD_CRC,
			 C_BAD_CMD = `TS_UART_CODE_BAD_CMD, C_BAD_ADDR = `TS_UART_CODE_BAD_ADDR,
			 C_BUSY = `TS_UART_CODE_BUSY;
	localparam [7:0] SYNC_REQ = `TS_UART_SYNC_REQ, SYNC_RSP = `TS_UART_SYNC_RSP;
	localparam [2:0] HDR_LAST = 3'd6;             // header bytes after the sync: 7
	localparam [15:0] MEM_MAX = `TS_UART_MEM_MAX;

	localparam [3:0] S_IDLE = 4'd0,     // waiting for A5
			 S_HDR = 4'd1,      // CMD, ADDR, LEN
			 S_PAY = 4'd2,      // payload
			 S_CRC = 4'd3,      // the CRC byte
			 S_EXEC = 4'd4,     // checks, then one of:
			 S_AXW = 4'd5,      //   AXI write
			 S_AXR = 4'd6,      //   AXI read
			 S_MEMW = 4'd7,     //   buffer -> memory
			 S_TX = 4'd8,       // the response
			 S_DISCARD = 4'd9;  // ignoring the line until it is idle

	reg  [3:0]    state_q;
	reg  [8:0]    idx_q;       // byte of the header / payload; MEM_WRITE copy index
	reg  [7:0]    cmd_q;
	reg  [31:0]   addr_q;
	reg  [15:0]   len_q;
	reg  [8:0]    pay_q;       // request payload bytes
	reg  [7:0]    crc_q;       // CRC of the bytes received since the sync
	reg  [7:0]    rcrc_q;      // the request's CRC byte
	reg  [31:0]   wdata_q;     // REG_WRITE payload
	reg  [31:0]   rdata_q;     // REG_READ result
	reg  [AW-1:0] moff_q;      // memory offset of ADDR
	reg  [GW-1:0] gap_q;       // clocks since the last received byte (saturating)
	reg           last_v_q;
	reg  [7:0]    last_cmd_q, last_crc_q;
	reg           aw_done_q, w_done_q, ar_done_q, pend_q;
	reg  [7:0]    status_q;
	reg  [8:0]    np_q;        // response payload bytes
	reg  [8:0]    ridx_q;      // response byte being produced
	reg  [7:0]    txcrc_q;
	reg           ok_q;
	reg           discard_q;   // after the response: ignore the line until it is idle

	(* no_rw_check *)
	reg  [7:0]    buf_q [0:255];
	reg  [7:0]    buf_rd_q;

	generate
		if (AW < 9 || (1 << AW) != MEM_BYTES || MEM_BASE % MEM_BYTES != 0) begin : g_bad_size
			ts_uart_bridge_needs_a_memory_of_2_to_aw_bytes_at_least_512_aligned u_refuse ();
		end
	endgenerate

	wire [3:0] op  = cmd_q[3:0];
	wire [3:0] seq = cmd_q[7:4];
	wire gap_hit = gap_q == GAP;

	// ---- checks of a request whose CRC matched ---------------------------------------
	wire is_reg = op == OP_REG_READ || op == OP_REG_WRITE;
	wire is_mem = op == OP_MEM_READ || op == OP_MEM_WRITE;
	wire is_wr  = op == OP_REG_WRITE || op == OP_MEM_WRITE;
	// MEM_BASE is aligned to MEM_BYTES: ADDR is in the memory when its bits above AW
	// are the base's, and its low AW bits are the offset.
	wire [LW:0] off_end = {{(LW+1-AW){1'b0}}, addr_q[AW-1:0]} + {{(LW+1-16){1'b0}}, len_q};
	wire bad_cmd = (is_reg && (len_q != 16'd4 || addr_q[1:0] != 2'd0 || addr_q[31:12] != 20'd0)) ||
		       (op == OP_INFO && len_q != 16'd0) ||
		       (op == OP_MEM_READ && (len_q == 16'd0 || len_q > MEM_MAX));
	wire bad_addr = is_mem && (addr_q[31:AW] != MEM_BASE[31:AW] || off_end > MEM_END[LW:0]);
	wire dup = is_wr && last_v_q && last_cmd_q == cmd_q && last_crc_q == rcrc_q;

	// The header's verdict when LEN's second byte arrives: can the frame be delimited?
	wire [15:0] len_now = {rx_data_i, len_q[7:0]};
	wire hdr_bad = op < OP_REG_READ || op > OP_INFO ||
		       (op == OP_MEM_WRITE && (len_now == 16'd0 || len_now > MEM_MAX));
	wire [8:0] hdr_pay = op == OP_REG_WRITE ? 9'd4 : op == OP_MEM_WRITE ? len_now[8:0] : 9'd0;

	// ---- the response byte at ridx_q ---------------------------------------------------
	wire [8:0] pidx = ridx_q - 9'd2;  // payload byte
	wire in_pay = ok_q && ridx_q >= 9'd2 && ridx_q < np_q + 9'd2;
	wire need_fetch = state_q == S_TX && !tx_valid_o && in_pay && op == OP_MEM_READ;
	reg [7:0] rsp_byte;
	always @(*) begin
		if (ridx_q == 9'd0)
			rsp_byte = SYNC_RSP;
		else if (ridx_q == 9'd1)
			rsp_byte = status_q;
		else if (in_pay)
			rsp_byte = op == OP_REG_READ ? rdata_q[8*pidx[1:0] +: 8] : INFO[8*pidx[3:0] +: 8];
		else
			rsp_byte = txcrc_q;
	end

	// ---- AXI4-Lite and the byte port -------------------------------------------------------
	assign m_awvalid_o = state_q == S_AXW && !aw_done_q;
	assign m_wvalid_o  = state_q == S_AXW && !w_done_q;
	assign m_awaddr_o  = addr_q[11:0];
	assign m_wdata_o   = wdata_q;
	assign m_wstrb_o   = 4'hf;
	assign m_bready_o  = 1'b1;
	assign m_arvalid_o = state_q == S_AXR && !ar_done_q;
	assign m_araddr_o  = addr_q[11:0];
	assign m_rready_o  = 1'b1;

	assign bp_req_o   = (state_q == S_MEMW && pend_q) || need_fetch;
	assign bp_we_o    = state_q == S_MEMW;
	wire [7:0] bp_idx = state_q == S_MEMW ? idx_q[7:0] : pidx[7:0];
	assign bp_addr_o  = moff_q + {{(AW-8){1'b0}}, bp_idx};
	assign bp_wdata_o = buf_rd_q;

	always @(posedge clk_i) begin
		if (state_q == S_PAY && rx_valid_i && op == OP_MEM_WRITE)
			buf_q[idx_q[7:0]] <= rx_data_i;
		buf_rd_q <= buf_q[idx_q[7:0]];
	end

	// ---- the state machine --------------------------------------------------------------------
	always @(posedge clk_i) begin
		if (!rst_ni) begin
			state_q    <= S_IDLE;
			idx_q      <= 9'd0;
			cmd_q      <= 8'd0;
			addr_q     <= 32'd0;
			len_q      <= 16'd0;
			pay_q      <= 9'd0;
			crc_q      <= 8'd0;
			rcrc_q     <= 8'd0;
			wdata_q    <= 32'd0;
			rdata_q    <= 32'd0;
			moff_q     <= {AW{1'b0}};
			gap_q      <= GAP;
			last_v_q   <= 1'b0;
			last_cmd_q <= 8'd0;
			last_crc_q <= 8'd0;
			aw_done_q  <= 1'b0;
			w_done_q   <= 1'b0;
			ar_done_q  <= 1'b0;
			pend_q     <= 1'b0;
			status_q   <= 8'd0;
			np_q       <= 9'd0;
			ridx_q     <= 9'd0;
			txcrc_q    <= 8'd0;
			ok_q       <= 1'b0;
			discard_q  <= 1'b0;
			tx_valid_o <= 1'b0;
			tx_data_o  <= 8'd0;
		end else begin
			if (rx_valid_i)
				gap_q <= {GW{1'b0}};
			else if (!gap_hit)
				gap_q <= gap_q + 1'b1;

			// Waiting for a sync: in S_IDLE, and in a frame or the discarding once the
			// line has been idle for the gap (a frame cut short gets no answer).
			if (state_q == S_IDLE || (gap_hit && (state_q == S_HDR || state_q == S_PAY ||
							      state_q == S_CRC || state_q == S_DISCARD))) begin
				state_q <= rx_valid_i && rx_data_i == SYNC_REQ ? S_HDR : S_IDLE;
				idx_q   <= 9'd0;
				crc_q   <= 8'd0;
			end else case (state_q)
			S_HDR, S_PAY, S_CRC:
				if (rx_valid_i) begin
					crc_q <= crc8(crc_q, rx_data_i);
					idx_q <= idx_q + 9'd1;
					if (state_q == S_HDR) begin
						// CMD, ADDR (little-endian), LEN's low byte shift in from
						// the top; LEN's high byte ends the header
						if (idx_q[2:0] != HDR_LAST) begin
							{len_q[7:0], addr_q, cmd_q} <= {rx_data_i, len_q[7:0], addr_q};
						end else begin
							len_q[15:8] <= rx_data_i;
							idx_q <= 9'd0;
							pay_q <= hdr_pay;
							if (hdr_bad) begin
								status_q  <= {seq, C_BAD_CMD};
								ok_q      <= 1'b0;
								discard_q <= 1'b1;
								np_q     <= 9'd0;
								txcrc_q  <= 8'd0;
								ridx_q   <= 9'd0;
								state_q  <= S_TX;
							end else begin
								state_q <= hdr_pay == 9'd0 ? S_CRC : S_PAY;
							end
						end
					end else if (state_q == S_PAY) begin
						if (op == OP_REG_WRITE)
							wdata_q[8*idx_q[1:0] +: 8] <= rx_data_i;
						if (idx_q + 9'd1 == pay_q)
							state_q <= S_CRC;
					end else begin
						rcrc_q <= rx_data_i;
						if (rx_data_i == crc_q) begin
							state_q <= S_EXEC;
						end else begin
							status_q  <= {seq, C_BAD_CRC};
							ok_q      <= 1'b0;
							discard_q <= 1'b1;
							np_q     <= 9'd0;
							txcrc_q  <= 8'd0;
							ridx_q   <= 9'd0;
							state_q  <= S_TX;
						end
					end
				end
			S_EXEC: begin
				ridx_q    <= 9'd0;
				idx_q     <= 9'd0;
				aw_done_q <= 1'b0;
				w_done_q  <= 1'b0;
				ar_done_q <= 1'b0;
				pend_q    <= 1'b0;
				moff_q    <= addr_q[AW-1:0];
				np_q      <= 9'd0;
				discard_q <= 1'b0;  // a whole frame: nothing of it is left on the line
				if (bad_cmd || bad_addr || (is_mem && acc_busy_i)) begin
					status_q <= {seq, bad_cmd ? C_BAD_CMD : bad_addr ? C_BAD_ADDR : C_BUSY};
					ok_q     <= 1'b0;
					txcrc_q  <= 8'd0;
					state_q  <= S_TX;
				end else begin
					status_q   <= {seq, C_OK};
					ok_q       <= 1'b1;
					txcrc_q    <= rcrc_q;
					last_v_q   <= 1'b1;
					last_cmd_q <= cmd_q;
					last_crc_q <= rcrc_q;
					if (dup) begin
						state_q <= S_TX;  // a retransmitted write: done already
					end else begin
						case (op)
						OP_REG_READ:  state_q <= S_AXR;
						OP_REG_WRITE: state_q <= S_AXW;
						OP_MEM_WRITE: state_q <= S_MEMW;
						OP_MEM_READ: begin
							np_q    <= len_q[8:0];
							state_q <= S_TX;
						end
						default: begin  // INFO
							np_q    <= 9'd16;
							state_q <= S_TX;
						end
						endcase
					end
				end
			end
			S_AXW: begin
				if (m_awready_i)
					aw_done_q <= 1'b1;
				if (m_wready_i)
					w_done_q <= 1'b1;
				if (m_bvalid_i)
					state_q <= S_TX;
			end
			S_AXR: begin
				if (m_arready_i)
					ar_done_q <= 1'b1;
				if (m_rvalid_i) begin
					rdata_q <= m_rdata_i;
					np_q    <= 9'd4;
					state_q <= S_TX;
				end
			end
			S_MEMW:
				if (!pend_q) begin
					pend_q <= 1'b1;  // buf_rd_q holds byte idx_q from the next cycle
				end else if (bp_ack_i) begin
					pend_q <= 1'b0;
					idx_q  <= idx_q + 9'd1;
					if (idx_q + 9'd1 == len_q[8:0])
						state_q <= S_TX;
				end
			S_TX:
				if (!tx_valid_o) begin
					if (!need_fetch) begin
						tx_data_o  <= rsp_byte;
						tx_valid_o <= 1'b1;
					end else if (bp_ack_i) begin
						tx_data_o  <= bp_rdata_i;
						tx_valid_o <= 1'b1;
					end
				end else if (tx_ready_i) begin
					tx_valid_o <= 1'b0;
					if (ridx_q != 9'd0 && ridx_q < np_q + 9'd2)
						txcrc_q <= crc8(txcrc_q, tx_data_o);
					if (ridx_q == np_q + 9'd2)
						state_q <= discard_q ? S_DISCARD : S_IDLE;
					else
						ridx_q <= ridx_q + 9'd1;
				end
			default: ;  // S_DISCARD: see above
			endcase
		end
	end

	wire unused = &{1'b0, m_bresp_i, m_rresp_i, pidx[8]};
endmodule
