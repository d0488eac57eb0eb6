// ts_sdram — an AXI4 slave on a 16-bit SDR SDRAM: the ULX3S's 32 MB chip behind the
// same AXI4 port the accelerator reaches DDR through on Zynq (ts_axi4_master;
// docs/sdram.md, docs/axi.md).
//
// AXI side: the subset ts_axi4_master issues. INCR bursts of full bus words (AxSIZE
// is not looked at: a beat is always AXI_DW bits; the address is taken down to its
// bus word), 1 .. 256 beats, any ID (echoed on RID / BID), WSTRB per byte; RRESP /
// BRESP always OKAY. One burst at a time: AR and AW are accepted only when the last
// burst's commands are all issued (its read data may still be in flight) and no B
// response is pending; AR and AW alternate when both wait. W beats are taken only
// after their AW. BVALID once the burst's last WRITE command is issued (the data is
// then in the chip: a later READ of it returns it).
// SDRAM side: every output registered (sdram_*_o change after the clock edge), to be
// put on the pins with sdram_clk = the inverted core clock (the chip samples them in
// the middle of the cycle); sdram_dq_i is registered at the edge CL cycles after the
// edge a READ left on (the chip drives data tAC after its edge CL - 1 and holds it
// tOH after its edge CL: with the inverted clock, valid around the core's edge CL as
// long as tAC + board delays < half a cycle: fine at the ULX3S's 20 .. 50 MHz).
// The board top makes the tristate: sdram_d = sdram_dq_oe_o ? sdram_dq_o : 'z.
// Commands (burst length 1, a column command per 16-bit half, every cycle on a row
// hit; two per 32-bit beat, DQM = the inverted WSTRB pair on writes, 0 on reads):
//   power-up    NOPs for TINIT_NS with CKE high, PRECHARGE ALL, INIT_REFS AUTO
//               REFRESHes, LOAD MODE REGISTER (BL 1, sequential, CAS latency CL,
//               programmed-burst writes); ready_o then.
//   access      open-row policy, one open row per bank: a row hit issues its READ /
//               WRITE at once; a miss PRECHARGEs the bank's row (after tRAS since its
//               ACTIVE, tWR since the last WRITE) and ACTIVATEs the new one (after tRP,
//               tRC since the bank's last ACTIVE, tRRD since any ACTIVE), then waits
//               tRCD. Address map (half-word address = byte address / 2):
//               {row, bank, column}: a 1 KiB row, consecutive KiBs in the next bank.
//   refresh     an AUTO REFRESH every tREFI at most: REF_TRIG cycles after the last,
//               the controller stops issuing column commands (between two half-words,
//               also inside a burst: a 256-beat burst outlasts tREFI below ~70 MHz),
//               PRECHARGEs ALL (tRAS, tWR, tRC met), waits tRP, refreshes, waits tRFC,
//               and goes on where it was (re-activating the row). So refresh is never
//               starved, and the worst case from the trigger to the REF command,
//               REF_SLACK cycles, keeps the interval within tREFI.
//   bus turn    a WRITE only CL + 1 cycles after the last READ (the chip's read data
//               off the bus); a READ right after a WRITE.
// Read data goes through a FIFO of FIFO_DEPTH bus words; a READ is issued only when
// its bus word has a place there (credits), so RREADY low never loses data.
// Timings: parameters in ns (the defaults: the worst of the parts found on ULX3S
// boards, IS42S16160G-7, MT48LC16M16A2-75, AS4C32M16SB-7; docs/sdram.md), turned into
// cycles of CLK_HZ rounding up. Reset synchronous, active low.
module ts_sdram #(
	parameter        AXI_DW     = 32,         // 32, 64 or 128 (AXI_DW / 16 column accesses per beat)
	parameter        AXI_AW     = 25,         // at least ROW_BITS + 2 + COL_BITS + 1; bits above are ignored
	parameter        AXI_IDW    = 1,
	parameter [31:0] CLK_HZ     = 32'd25000000,
	parameter        CL         = 2,          // CAS latency: 2 (to 100 MHz on these parts) or 3
	parameter        ROW_BITS   = 13,         // 8192 rows
	parameter        COL_BITS   = 9,          // 512 columns of 16 bits (32 MB with 4 banks)
	parameter        TRCD_NS   = 21,
	parameter        TRP_NS    = 21,
	parameter        TRC_NS    = 66,
	parameter        TRAS_NS   = 44,
	parameter        TWR_NS    = 15,         // at least 2 cycles (below)
	parameter        TRFC_NS   = 66,
	parameter        TRRD_NS   = 15,
	parameter        TMRD_CK   = 2,          // cycles
	parameter        TREFI_NS  = 7800,       // 64 ms / 8192 rows
	parameter        TINIT_NS  = 200000,     // power-up wait (100 us on Micron's parts, 200 us on ISSI / Alliance)
	parameter        INIT_REFS  = 2,
	parameter        FIFO_DEPTH = 4           // read FIFO, bus words (2 .. 16)
) (
	input  wire                 clk_i,
	input  wire                 rst_ni,
	output wire                 ready_o,      // power-up done
	// AXI4 slave
	input  wire [AXI_IDW-1:0]   s_axi_awid,
	input  wire [AXI_AW-1:0]    s_axi_awaddr,
	input  wire [7:0]           s_axi_awlen,
	input  wire                 s_axi_awvalid,
	output wire                 s_axi_awready,
	input  wire [AXI_DW-1:0]    s_axi_wdata,
	input  wire [AXI_DW/8-1:0]  s_axi_wstrb,
	input  wire                 s_axi_wvalid,
	output wire                 s_axi_wready,
	output wire [AXI_IDW-1:0]   s_axi_bid,
	output wire [1:0]           s_axi_bresp,
	output wire                 s_axi_bvalid,
	input  wire                 s_axi_bready,
	input  wire [AXI_IDW-1:0]   s_axi_arid,
	input  wire [AXI_AW-1:0]    s_axi_araddr,
	input  wire [7:0]           s_axi_arlen,
	input  wire                 s_axi_arvalid,
	output wire                 s_axi_arready,
	output wire [AXI_IDW-1:0]   s_axi_rid,
	output wire [AXI_DW-1:0]    s_axi_rdata,
	output wire [1:0]           s_axi_rresp,
	output wire                 s_axi_rlast,
	output wire                 s_axi_rvalid,
	input  wire                 s_axi_rready,
	// SDRAM (sdram_clk: the board top drives it with the inverted clk_i)
	output wire                 sdram_cke_o,
	output wire                 sdram_csn_o,
	output wire                 sdram_rasn_o,
	output wire                 sdram_casn_o,
	output wire                 sdram_wen_o,
	output wire [1:0]           sdram_ba_o,
	output wire [ROW_BITS-1:0]  sdram_a_o,
	output wire [1:0]           sdram_dqm_o,
	output wire [15:0]          sdram_dq_o,
	output wire                 sdram_dq_oe_o,
	input  wire [15:0]          sdram_dq_i
);
	`include "ts_func.vh"   // clog2

	localparam NH   = AXI_DW / 16;                 // half-words per beat
	localparam LNH  = clog2(NH);                   // NH = 2^LNH (NH >= 2)
	localparam HAW  = ROW_BITS + 2 + COL_BITS;     // half-word address bits
	localparam FW   = clog2(FIFO_DEPTH + 1);
	localparam FPW  = clog2(FIFO_DEPTH);
	localparam [31:0] CL32 = CL;
	localparam [2:0]  CL3  = CL32[2:0];

	generate
		if (AXI_DW != 32 && AXI_DW != 64 && AXI_DW != 128) begin : g_bad_dw
			ts_sdram_needs_axi_dw_of_32_64_or_128 u_refuse ();
		end
		if (AXI_AW < HAW + 1 || AXI_AW > 64) begin : g_bad_aw
			ts_sdram_needs_axi_aw_of_the_chip_bytes_at_least u_refuse ();
		end
		if (CL != 2 && CL != 3) begin : g_bad_cl
			ts_sdram_needs_cl_of_2_or_3 u_refuse ();
		end
		if (FIFO_DEPTH < 2 || FIFO_DEPTH > 16 || COL_BITS < 8 || COL_BITS > 11 || ROW_BITS < 11 || ROW_BITS > 13) begin : g_bad_geo
			ts_sdram_needs_fifo_2_to_16_col_bits_8_to_11_row_bits_11_to_13 u_refuse ();
		end
	endgenerate

	// cycles of CLK_HZ covering ns nanoseconds (rounded up), at least lo
	function integer cyc;
		input integer ns;
		input integer lo;
		reg [63:0] p;
		begin
			p = {32'd0, ns[31:0]};
			p = (p * {32'd0, CLK_HZ} + 64'd999999999) / 64'd1000000000;
			cyc = (p[31:0] < lo) ? lo : p[31:0];
		end
	endfunction

	localparam RCD_C  = cyc(TRCD_NS, 1);
	localparam RP_C   = cyc(TRP_NS, 1);
	localparam RC_C   = cyc(TRC_NS, 1);
	localparam RAS_C  = cyc(TRAS_NS, 1);
	localparam WR_C   = cyc(TWR_NS, 2);
	localparam RFC_C  = cyc(TRFC_NS, 1);
	localparam RRD_C  = cyc(TRRD_NS, 1);
	localparam MRD_C  = (TMRD_CK < 1) ? 1 : TMRD_CK;
	localparam INIT_C = cyc(TINIT_NS, 1);
	localparam [63:0] REFI_P = 64'd0 + TREFI_NS;
	localparam [63:0] REFI_64 = (REFI_P * {32'd0, CLK_HZ}) / 64'd1000000000;   // rounded down
	localparam integer REFI_C = REFI_64[31:0];
	// trigger to REF command, worst case: a column command being issued, the bus
	// turn, tRCD of an ACTIVE just issued, tRC / tRAS of it, tWR, then tRP; + margin
	localparam REF_SLACK = RCD_C + RC_C + WR_C + RP_C + CL + 8;
	localparam REF_TRIG  = REFI_C - REF_SLACK;
	localparam TW = 8;                                  // per-bank / short counters
	localparam LW = 17;                                 // init / refresh counters

	generate
		if (REFI_C <= REF_SLACK + 2 * (RP_C + RFC_C) || INIT_C >= (1 << LW) || REFI_C >= (1 << LW) ||
		    RC_C >= (1 << TW) || RFC_C >= (1 << TW) || INIT_REFS < 1 || INIT_REFS > 8) begin : g_bad_t
			ts_sdram_timings_do_not_fit_clk_hz u_refuse ();
		end
	endgenerate

	localparam [3:0] C_NOP = 4'b0111, C_ACT = 4'b0011, C_RD = 4'b0101, C_WR = 4'b0100,
			 C_PRE = 4'b0010, C_REF = 4'b0001, C_MRS = 4'b0000;

	localparam [3:0] S_INIT = 4'd0, S_IPRE = 4'd1, S_IREF = 4'd2, S_IMRS = 4'd3,
			 S_IDLE = 4'd4, S_RUN = 4'd5, S_RPRE = 4'd6, S_RREF = 4'd7;

	// ---- state -----------------------------------------------------------------------
	reg  [3:0]        st_q, st_d;
	reg  [LW-1:0]     init_q;           // power-up wait / refreshes left at init
	reg  [LW-1:0]     refc_q;           // cycles since the last AUTO REFRESH
	reg  [TW-1:0]     wait_q;           // all commands wait: tRCD, tRP (all), tRFC, tMRD
	reg  [TW-1:0]     ras_q [0:3];      // per bank: to PRECHARGE (tRAS)
	reg  [TW-1:0]     rc_q  [0:3];      // per bank: to ACTIVE (tRC)
	reg  [TW-1:0]     rp_q  [0:3];      // per bank: to ACTIVE (tRP)
	reg  [TW-1:0]     rrd_q, wr_q, rdq_q;   // tRRD, tWR (any bank), read data off the bus
	reg  [3:0]        open_q;
	reg  [ROW_BITS-1:0] row_q [0:3];

	reg               we_q;             // the burst is a write
	reg  [HAW-1:0]    ha_q;             // the next column access, half-word address
	reg  [11:0]       hleft_q;          // column accesses left in the burst (<= 256 * 8)
	reg  [8:0]        wleft_q;          // W beats still to take
	reg  [AXI_IDW-1:0] id_q;
	reg               prio_q;           // 1: AW first
	reg               bvalid_q;
	reg               wv_q;             // wbuf holds a W beat
	reg  [AXI_DW-1:0] wbuf_q;
	reg  [AXI_DW/8-1:0] wstrb_q;

	// read FIFO
	reg  [AXI_DW-1:0] fifo_q [0:FIFO_DEPTH-1];
	reg  [FIFO_DEPTH-1:0] flast_q;
	reg  [3:0]        fwp_q, frp_q;
	reg  [FW-1:0]     fcnt_q;
	reg  [FW-1:0]     credit_q;         // bus words the FIFO can still take, minus those in flight
	reg  [CL:0]       pv_q, pl_q;       // a READ's half-word: valid, the burst's last, per cycle since its command
	reg  [15:0]       dq_q;             // sdram_dq_i at each edge
	reg  [AXI_DW-1:0] asm_q;
	reg  [LNH-1:0]    aidx_q;

	// ---- the current access -------------------------------------------------------------
	wire [COL_BITS-1:0] col  = ha_q[COL_BITS-1:0];
	wire [1:0]          bank = ha_q[COL_BITS+1:COL_BITS];
	wire [ROW_BITS-1:0] row  = ha_q[HAW-1:COL_BITS+2];
	wire [LNH-1:0]      hidx = ha_q[LNH-1:0];
	wire                hit  = open_q[bank] && (row_q[bank] == row);

	reg  all_ras_ok, all_rc_ok, all_rp_ok;
	integer b;
	always @(*) begin
		all_ras_ok = 1'b1;
		all_rc_ok  = 1'b1;
		all_rp_ok  = 1'b1;
		for (b = 0; b < 4; b = b + 1) begin
			if (ras_q[b] != {TW{1'b0}}) all_ras_ok = 1'b0;
			if (rc_q[b]  != {TW{1'b0}}) all_rc_ok  = 1'b0;
			if (rp_q[b]  != {TW{1'b0}}) all_rp_ok  = 1'b0;
		end
	end

	wire ref_due = (refc_q >= REF_TRIG[LW-1:0]);
	wire idle_ok = (st_q == S_IDLE) && !ref_due && !bvalid_q;
	wire take_ar = idle_ok && s_axi_arvalid && (!prio_q || !s_axi_awvalid);
	wire take_aw = idle_ok && s_axi_awvalid && (prio_q || !s_axi_arvalid);

	// the command of this cycle (registered onto the pins at the next edge)
	reg  [3:0]          cmd_d;
	reg  [1:0]          ba_d;
	reg  [ROW_BITS-1:0] a_d;
	reg                 iss_rd, iss_wr, iss_act, iss_pre, iss_pall, iss_ref;
	always @(*) begin
		st_d     = st_q;
		cmd_d    = C_NOP;
		ba_d     = bank;
		a_d      = {ROW_BITS{1'b0}};
		iss_rd   = 1'b0;
		iss_wr   = 1'b0;
		iss_act  = 1'b0;
		iss_pre  = 1'b0;
		iss_pall = 1'b0;
		iss_ref  = 1'b0;
		case (st_q)
		S_INIT:
			if (init_q == {LW{1'b0}})
				st_d = S_IPRE;
		S_IPRE: begin
			cmd_d    = C_PRE;
			a_d[10]  = 1'b1;
			iss_pall = 1'b1;
			st_d     = S_IREF;
		end
		S_IREF:
			if (wait_q == {TW{1'b0}}) begin
				cmd_d   = C_REF;
				iss_ref = 1'b1;
				if (init_q == {{(LW-1){1'b0}}, 1'b1})
					st_d = S_IMRS;
			end
		S_IMRS:
			if (wait_q == {TW{1'b0}}) begin
				cmd_d = C_MRS;
				ba_d  = 2'b00;
				// A2..0 burst length 1, A3 sequential, A6..4 CAS latency, A9 0: programmed-burst writes
				a_d[6:4] = CL3;
				st_d  = S_IDLE;
			end
		S_IDLE: begin
			if (ref_due)
				st_d = S_RPRE;
			else if (take_ar || take_aw)
				st_d = S_RUN;
		end
		S_RUN:
			if (wait_q == {TW{1'b0}}) begin
				if (ref_due) begin
					st_d = S_RPRE;
				end else if (open_q[bank] && !hit) begin
					if (ras_q[bank] == {TW{1'b0}} && wr_q == {TW{1'b0}}) begin
						cmd_d   = C_PRE;
						iss_pre = 1'b1;
					end
				end else if (!open_q[bank]) begin
					if (rp_q[bank] == {TW{1'b0}} && rc_q[bank] == {TW{1'b0}} && rrd_q == {TW{1'b0}}) begin
						cmd_d   = C_ACT;
						a_d     = row;
						iss_act = 1'b1;
					end
				end else if (!we_q) begin
					if (hidx != {LNH{1'b0}} || credit_q != {FW{1'b0}}) begin
						cmd_d  = C_RD;
						a_d[COL_BITS-1:0] = col;
						iss_rd = 1'b1;
						if (hleft_q == 12'd1)
							st_d = S_IDLE;
					end
				end else begin
					if (wv_q && rdq_q == {TW{1'b0}}) begin
						cmd_d  = C_WR;
						a_d[COL_BITS-1:0] = col;
						iss_wr = 1'b1;
						if (hleft_q == 12'd1)
							st_d = S_IDLE;
					end
				end
			end
		S_RPRE:
			// precharge all open rows, then refresh
			if (wait_q == {TW{1'b0}}) begin
				if (open_q == 4'd0) begin
					if (all_rp_ok && all_rc_ok)
						st_d = S_RREF;
				end else if (all_ras_ok && wr_q == {TW{1'b0}} && rdq_q == {TW{1'b0}}) begin
					cmd_d    = C_PRE;
					a_d[10]  = 1'b1;
					iss_pall = 1'b1;
				end
			end
		S_RREF: begin
			cmd_d   = C_REF;
			iss_ref = 1'b1;
			st_d    = (hleft_q != 12'd0) ? S_RUN : S_IDLE;
		end
		default: st_d = S_INIT;
		endcase
	end

	wire w_take = s_axi_wready && s_axi_wvalid;
	assign s_axi_wready = (st_q == S_RUN) && we_q && (wleft_q != 9'd0) &&
			      (!wv_q || (iss_wr && hidx == {LNH{1'b1}}));

	// ---- the controller's registers ---------------------------------------------------------
	reg  [3:0]          cmd_q;
	reg  [1:0]          ba_q;
	reg  [ROW_BITS-1:0] a_q;
	reg  [1:0]          dqm_q;
	reg  [15:0]         dqo_q;
	reg                 oe_q;
	reg                 cke_q;

	integer i;
	always @(posedge clk_i) begin
		if (!rst_ni) begin
			st_q     <= S_INIT;
			init_q   <= INIT_C[LW-1:0];
			refc_q   <= {LW{1'b0}};
			wait_q   <= {TW{1'b0}};
			rrd_q    <= {TW{1'b0}};
			wr_q     <= {TW{1'b0}};
			rdq_q    <= {TW{1'b0}};
			open_q   <= 4'd0;
			we_q     <= 1'b0;
			ha_q     <= {HAW{1'b0}};
			hleft_q  <= 12'd0;
			wleft_q  <= 9'd0;
			id_q     <= {AXI_IDW{1'b0}};
			prio_q   <= 1'b0;
			bvalid_q <= 1'b0;
			wv_q     <= 1'b0;
			cmd_q    <= C_NOP;
			ba_q     <= 2'b00;
			a_q      <= {ROW_BITS{1'b0}};
			dqm_q    <= 2'b11;
			oe_q     <= 1'b0;
			cke_q    <= 1'b0;
			for (i = 0; i < 4; i = i + 1) begin
				ras_q[i] <= {TW{1'b0}};
				rc_q[i]  <= {TW{1'b0}};
				rp_q[i]  <= {TW{1'b0}};
			end
		end else begin
			st_q  <= st_d;
			cke_q <= 1'b1;
			// counters
			if (wait_q != {TW{1'b0}}) wait_q <= wait_q - 1'b1;
			if (rrd_q  != {TW{1'b0}}) rrd_q  <= rrd_q - 1'b1;
			if (wr_q   != {TW{1'b0}}) wr_q   <= wr_q - 1'b1;
			if (rdq_q  != {TW{1'b0}}) rdq_q  <= rdq_q - 1'b1;
			for (i = 0; i < 4; i = i + 1) begin
				if (ras_q[i] != {TW{1'b0}}) ras_q[i] <= ras_q[i] - 1'b1;
				if (rc_q[i]  != {TW{1'b0}}) rc_q[i]  <= rc_q[i] - 1'b1;
				if (rp_q[i]  != {TW{1'b0}}) rp_q[i]  <= rp_q[i] - 1'b1;
			end
			if (st_q == S_INIT && init_q != {LW{1'b0}})
				init_q <= init_q - 1'b1;
			if (st_q == S_INIT && init_q == {LW{1'b0}})
				init_q <= INIT_REFS[LW-1:0];
			if (refc_q != {LW{1'b1}})
				refc_q <= refc_q + 1'b1;

			// the command onto the pins
			cmd_q <= cmd_d;
			ba_q  <= ba_d;
			a_q   <= a_d;
			oe_q  <= iss_wr;
			dqm_q <= iss_wr ? ~wstrb_q[2*hidx +: 2] : 2'b00;
			if (iss_wr)
				dqo_q <= wbuf_q[16*hidx +: 16];

			// what the command does to the timers and the banks
			if (iss_pall) begin
				open_q <= 4'd0;
				wait_q <= RP_C[TW-1:0] - 1'b1;
				for (i = 0; i < 4; i = i + 1)
					rp_q[i] <= RP_C[TW-1:0] - 1'b1;
			end
			if (iss_ref) begin
				wait_q <= RFC_C[TW-1:0] - 1'b1;
				refc_q <= {LW{1'b0}};
				if (st_q == S_IREF)
					init_q <= init_q - 1'b1;
				for (i = 0; i < 4; i = i + 1)
					rc_q[i] <= RFC_C[TW-1:0] - 1'b1;
			end
			if (st_q == S_IMRS && st_d == S_IDLE)
				wait_q <= MRD_C[TW-1:0] - 1'b1;
			if (iss_pre) begin
				open_q[bank] <= 1'b0;
				rp_q[bank]   <= RP_C[TW-1:0] - 1'b1;
			end
			if (iss_act) begin
				open_q[bank] <= 1'b1;
				row_q[bank]  <= row;
				wait_q       <= RCD_C[TW-1:0] - 1'b1;
				ras_q[bank]  <= RAS_C[TW-1:0] - 1'b1;
				rc_q[bank]   <= RC_C[TW-1:0] - 1'b1;
				rrd_q        <= RRD_C[TW-1:0] - 1'b1;
			end
			if (iss_wr)
				wr_q <= WR_C[TW-1:0] - 1'b1;
			if (iss_rd)
				rdq_q <= CL[TW-1:0];

			// the burst
			if (take_ar || take_aw) begin
				we_q    <= take_aw;
				ha_q    <= take_aw ? {s_axi_awaddr[HAW:LNH+1], {LNH{1'b0}}} : {s_axi_araddr[HAW:LNH+1], {LNH{1'b0}}};
				hleft_q <= ({4'd0, take_aw ? s_axi_awlen : s_axi_arlen} + 12'd1) << LNH;
				wleft_q <= take_aw ? {1'b0, s_axi_awlen} + 9'd1 : 9'd0;
				id_q    <= take_aw ? s_axi_awid : s_axi_arid;
				prio_q  <= take_ar;
			end
			if (iss_rd || iss_wr) begin
				ha_q    <= ha_q + 1'b1;
				hleft_q <= hleft_q - 12'd1;
			end
			if (iss_wr && hleft_q == 12'd1)
				bvalid_q <= 1'b1;
			else if (s_axi_bvalid && s_axi_bready)
				bvalid_q <= 1'b0;
			if (w_take) begin
				wv_q    <= 1'b1;
				wleft_q <= wleft_q - 9'd1;
			end else if (iss_wr && hidx == {LNH{1'b1}}) begin
				wv_q <= 1'b0;
			end
		end
		if (w_take) begin
			wbuf_q  <= s_axi_wdata;
			wstrb_q <= s_axi_wstrb;
		end
	end

	// ---- read data: the capture register, half-words into bus words, the FIFO ------------------
	wire pop  = s_axi_rvalid && s_axi_rready;
	wire push = pv_q[CL] && (aidx_q == {LNH{1'b1}});
	always @(posedge clk_i) begin
		dq_q <= sdram_dq_i;
		if (pv_q[CL])
			asm_q[16*aidx_q +: 16] <= dq_q;
		if (push) begin
			fifo_q[fwp_q[FPW-1:0]] <= {dq_q, asm_q[AXI_DW-17:0]};
			flast_q[fwp_q[FPW-1:0]] <= pl_q[CL];
		end
		if (!rst_ni) begin
			pv_q     <= {(CL+1){1'b0}};
			pl_q     <= {(CL+1){1'b0}};
			aidx_q   <= {LNH{1'b0}};
			fwp_q    <= 4'd0;
			frp_q    <= 4'd0;
			fcnt_q   <= {FW{1'b0}};
			credit_q <= FIFO_DEPTH[FW-1:0];
		end else begin
			pv_q <= {pv_q[CL-1:0], iss_rd};
			pl_q <= {pl_q[CL-1:0], iss_rd && hleft_q == 12'd1};
			if (pv_q[CL])
				aidx_q <= aidx_q + 1'b1;
			if (push)
				fwp_q <= (fwp_q == FIFO_DEPTH[3:0] - 4'd1) ? 4'd0 : fwp_q + 4'd1;
			if (pop)
				frp_q <= (frp_q == FIFO_DEPTH[3:0] - 4'd1) ? 4'd0 : frp_q + 4'd1;
			fcnt_q   <= fcnt_q + {{(FW-1){1'b0}}, push} - {{(FW-1){1'b0}}, pop};
			credit_q <= credit_q + {{(FW-1){1'b0}}, pop} -
				    {{(FW-1){1'b0}}, iss_rd && hidx == {LNH{1'b0}}};
		end
	end

	assign s_axi_awready = take_aw;
	assign s_axi_arready = take_ar;
	assign s_axi_bid     = id_q;
	assign s_axi_bresp   = 2'b00;
	assign s_axi_bvalid  = bvalid_q;
	assign s_axi_rid     = id_q;
	assign s_axi_rdata   = fifo_q[frp_q[FPW-1:0]];
	assign s_axi_rresp   = 2'b00;
	assign s_axi_rlast   = flast_q[frp_q[FPW-1:0]];
	assign s_axi_rvalid  = (fcnt_q != {FW{1'b0}});
	assign ready_o       = (st_q >= S_IDLE);

	assign sdram_cke_o   = cke_q;
	assign sdram_csn_o   = cmd_q[3];
	assign sdram_rasn_o  = cmd_q[2];
	assign sdram_casn_o  = cmd_q[1];
	assign sdram_wen_o   = cmd_q[0];
	assign sdram_ba_o    = ba_q;
	assign sdram_a_o     = a_q;
	assign sdram_dqm_o   = dqm_q;
	assign sdram_dq_o    = dqo_q;
	assign sdram_dq_oe_o = oe_q;

	wire unused = &{1'b0, s_axi_awaddr[LNH:0], s_axi_araddr[LNH:0], asm_q[AXI_DW-1:AXI_DW-16]};
	generate
		if (AXI_AW > HAW + 1) begin : g_addr_hi
			wire unused_hi = &{1'b0, s_axi_awaddr[AXI_AW-1:HAW+1], s_axi_araddr[AXI_AW-1:HAW+1]};
		end
	endgenerate
endmodule
