// ts_storer — the data side of a STORE: reads accumulators (ts_acc),
// requantizes them (ts_requant lanes) and packs the output bytes, B bytes per
// beat, in the order desc.h defines (mt rows of bytes(nt, OB) bytes; int4 two
// per byte low nibble first, binary eight per byte LSB first, int16
// little-endian).
// Pipeline: accumulator read -> bias/multiply -> round/shift/clamp (3 stages,
// the T_REQUANT_PIPE of docs/timing.md); it advances whenever its output beat
// is empty or taken by the memory (beat_i), so it never drops data whatever
// the memory's latency. The accumulator reads of the next beat to issue are
// kept in registers, computed when the STORE starts and after each issue, so
// nothing is evaluated on the cycles in between. They are addressed to
// ts_acc's banks (NR per column, element (word, col) in bank col * NR +
// word mod NR at row word / NR): bre_o, the banks that read; brow_o, their
// rows; lsel_o, the bank each lane's element comes from. The elements of a
// beat are at most NQ consecutive ones of the tile's row-major order, so no
// bank is asked for two different rows (ts_acc.v says why).
// Serial requantizer (RQC = M > 1, hwcfg requant.cycles): a product takes M
// cycles (ts_requant), so the pipeline advances only when stage 2's lanes
// (all in lockstep, one step counter) have finished, and the output beat is
// offered to the memory (wvalid_o) no sooner than M cycles after the last
// beat it took: with the controller's command M - 1 cycles later than for
// M = 1, the beats are exactly M cycles apart (docs/timing.md §1). For M = 1
// wvalid_o is constant 1: the memory takes a beat whenever it can.
// Requantization parameters: tile column j uses entry j of the table
// (ts_qtab; desc.h STORE), the STORE's zero point and clamp range are common.
// Stage 0 also registers each lane's column (qsel); on issue each lane's
// (bias, mult, shift) is read from the table into stage 1 with the
// accumulator read, and the requantizer takes them from there.
`include "ts_contract.vh"
module ts_storer #(
	parameter B        = 4,
	parameter COLS     = 2,
	parameter OB       = 8,
	parameter ACC_BITS = 32,
	parameter NRW      = 2,    // log2 of ts_acc's banks per column
	parameter RAW      = 4,    // bits of an accumulator bank row
	parameter BSW      = 4,    // bits of an accumulator bank number (COLS << NRW banks)
	parameter SHB      = `TS_DESC_SHIFT_BITS, // bits of a table entry's shift
	parameter CW       = 1,    // bits of a column number (< COLS)
	parameter RQC      = 1,    // requantizer cycles per element (1, 2, 4 .. 32)
	// Elements per output byte (an int16 byte lane holds half an element).
	parameter EPB      = (OB >= 8) ? 1 : 8 / OB
) (
	input  wire                    clk_i,
	input  wire                    start_i,    // latch the fields, empty the pipe
	input  wire                    go_i,       // start issuing beats (level)
	input  wire [31:0]             acc0_i,
	input  wire [31:0]             nt_i,
	input  wire [31:0]             rb_i,       // bytes per output row
	input  wire [31:0]             beats_i,
	input  wire [15:0]             zp_i,       // int16 zero point and clamp range
	input  wire [15:0]             lo_i,
	input  wire [15:0]             hi_i,
	input  wire [COLS*32-1:0]      tab_bias_i, // requantization table (ts_qtab: entry e
	input  wire [COLS*32-1:0]      tab_mult_i, // at bits 32e, 32e, 8e)
	input  wire [COLS*8-1:0]       tab_shift_i,
	input  wire                    beat_i,     // the memory takes wdata_o this cycle
	output wire                    wvalid_o,   // wdata_o may be taken (constant 1 for RQC = 1)
	output wire                    re_o,       // read the banks below into acc_i (ts_acc)
	output reg  [(COLS<<NRW)-1:0]  bre_o,
	output reg  [(COLS<<NRW)*RAW-1:0] brow_o,
	output reg  [B*EPB*BSW-1:0]    lsel_o,
	input  wire [B*EPB*ACC_BITS-1:0] acc_i,
	output wire [8*B-1:0]          wdata_o
);
	localparam NQ   = B * EPB;
	localparam [3:0]  EPB4   = EPB;
	localparam NBK = COLS << NRW;
	`include "ts_func.vh"   // clog2
	// Narrow counters: the controller's checks bound every field (ts_ctrl):
	// a row is at most RBM bytes, a tile at most COLS columns, the accumulator
	// word below 2^(NRW + RAW), a STORE at most 2^BTW beats.
	localparam RBM = (COLS * OB + 7) / 8;        // bytes of a full output row
	localparam OFW = clog2(RBM + 1);             // a byte offset in a row
	localparam NTW = clog2(COLS + 1);            // a column count
	localparam CLW = (OFW + 4 > BSW) ? OFW + 4 : BSW; // a column number (offset * EPB + e)
	localparam ABW = NRW + RAW + 1;
	localparam NRW0 = (NRW > 0) ? NRW : 1;       // NRW, at least one bit for the slices              // an accumulator word (one past the last)
	localparam BTW = clog2((((1 << (NRW + RAW)) * RBM + B - 1) / B) + 1); // beats of a STORE

	reg [OFW-1:0] off_q, rb_q;
	reg [ABW-1:0] base_q;
	reg [NTW-1:0] nt_q;
	reg [BTW-1:0] issued_q, beats_q;
	reg [15:0] zp_q, lo_q, hi_q;
	reg [NQ*CW-1:0]  qsel0_q;                     // stage 0: each lane's column
	reg [NQ*32-1:0]  bias1_q;                     // stage 1: each lane's entry
	reg [NQ*31-1:0]  mult1_q;
	reg [NQ*SHB-1:0] shift1_q;
	reg        v1_q, v2_q, v3_q;   // a beat in stage 1 (acc), 2 (product), 3 (output)
	reg [NQ-1:0] ev0_q, ev1_q, ev2_q, ev3_q;      // element lanes inside the tile
	reg [B-1:0]  half0_q, half1_q, half2_q, half3_q; // int16: the lane's high byte

	wire mul_done;   // stage 2's product is complete (always, for RQC = 1)
	wire step;       // RQC > 1: the lanes take one more multiplier digit
	wire adv   = (!v3_q || beat_i) && mul_done;
	wire issue = adv && go_i && (issued_q < beats_q);
	assign re_o = issue;

	generate
		if (RQC == 1) begin : g_mul1
			assign mul_done = 1'b1;
			assign step     = 1'b0;
			assign wvalid_o = 1'b1;
		end else begin : g_serial
			// steps_q: multiplier digits still to take (en1 takes the first);
			// gap_q: cycles until the memory may take the next beat.
			localparam SCW = clog2(RQC);
			localparam [31:0]    STEPS32 = RQC - 1;
			localparam [SCW-1:0] STEPS = STEPS32[SCW-1:0];
			reg [SCW-1:0] steps_q, gap_q;
			always @(posedge clk_i) begin
				if (start_i) begin
					steps_q <= {SCW{1'b0}};
					gap_q   <= {SCW{1'b0}};
				end else begin
					if (adv && v1_q)
						steps_q <= STEPS;
					else if (step)
						steps_q <= steps_q - 1'b1;
					if (beat_i)
						gap_q <= STEPS;
					else if (gap_q != {SCW{1'b0}})
						gap_q <= gap_q - 1'b1;
				end
			end
			assign mul_done = (steps_q == {SCW{1'b0}});
			assign step     = !mul_done;
			assign wvalid_o = v3_q && (gap_q == {SCW{1'b0}});
		end
	endgenerate

	// Stage 0: the bank reads of the next beat, walked from (off, base): byte
	// offset in the output row and the row's accumulator word.
	/* verilator lint_off BLKSEQ */
	reg [OFW-1:0] off, rb;
	reg [ABW-1:0] base;
	reg [NTW-1:0] nt;
	/* verilator lint_off UNUSEDSIGNAL */
	reg [CLW-1:0] col;   // < nt <= COLS where used: the low CW bits
	/* verilator lint_on UNUSEDSIGNAL */
	reg [BSW-1:0] bank;
	reg [NBK-1:0]     bre;
	reg [NBK*RAW-1:0] brow;
	reg [NQ*BSW-1:0]  lsel;
	reg [NQ*CW-1:0]   qsel;
	integer l, e;
	always @(posedge clk_i) begin
		if (start_i || issue) begin
			off  = start_i ? {OFW{1'b0}} : off_q;
			base = start_i ? acc0_i[ABW-1:0] : base_q;
			nt   = start_i ? nt_i[NTW-1:0] : nt_q;
			rb   = start_i ? rb_i[OFW-1:0] : rb_q;
			bre  = {NBK{1'b0}};
			brow = brow_o;
			lsel = {(NQ*BSW){1'b0}};
			qsel = {(NQ*CW){1'b0}};
			for (l = 0; l < B; l = l + 1) begin
				half0_q[l] <= off[0];
				for (e = 0; e < EPB; e = e + 1) begin
					if (OB == 16)
						col = {{(CLW-OFW){1'b0}}, off} >> 1;
					else
						col = {{(CLW-OFW){1'b0}}, off} * EPB4 + {{(CLW-4){1'b0}}, e[3:0]};
					ev0_q[l*EPB+e] <= col < {{(CLW-NTW){1'b0}}, nt};
					if (col < {{(CLW-NTW){1'b0}}, nt}) begin
						// bank col * 2^NRW + base mod 2^NRW, row base / 2^NRW
						bank = (NRW == 0) ? col[BSW-1:0] : ((col[BSW-1:0] << NRW) |
							{{(BSW-NRW0){1'b0}}, base[NRW0-1:0]});
						bre[bank] = 1'b1;
						brow[bank*RAW +: RAW] = base[NRW +: RAW];
						lsel[(l*EPB+e)*BSW +: BSW] = bank;
						qsel[(l*EPB+e)*CW +: CW] = col[CW-1:0];
					end
				end
				if (off + 1'b1 == rb) begin
					off = {OFW{1'b0}};
					base = base + 1'b1;
				end else begin
					off = off + 1'b1;
				end
			end
			off_q  <= off;
			base_q <= base;
			bre_o  <= bre;
			brow_o <= brow;
			lsel_o <= lsel;
			qsel0_q <= qsel;
		end
	end
	/* verilator lint_on BLKSEQ */

	always @(posedge clk_i) begin
		if (start_i) begin
			issued_q <= {BTW{1'b0}};
			nt_q     <= nt_i[NTW-1:0];
			rb_q     <= rb_i[OFW-1:0];
			beats_q  <= beats_i[BTW-1:0];
			zp_q     <= zp_i;
			lo_q     <= lo_i;
			hi_q     <= hi_i;
			v1_q     <= 1'b0;
			v2_q     <= 1'b0;
			v3_q     <= 1'b0;
		end else if (adv) begin
			v1_q <= issue;
			v2_q <= v1_q;
			v3_q <= v2_q;
			if (issue)
				issued_q <= issued_q + 1'b1;
		end else if (beat_i && !mul_done) begin
			// RQC > 1: the memory took the output beat while the multiply runs
			v3_q <= 1'b0;
		end
	end

	// Lane flags travel with their beat; on issue each lane reads its
	// column's table entry (lanes outside the tile read column 0).
	integer q;
	/* verilator lint_off BLKSEQ */
	reg [CW-1:0]     qc;
	reg [NQ*32-1:0]  pb;
	reg [NQ*31-1:0]  pm;
	reg [NQ*SHB-1:0] ps;
	always @(posedge clk_i) begin
		if (!start_i && adv) begin
			if (issue) begin
				ev1_q   <= ev0_q;
				half1_q <= half0_q;
				for (q = 0; q < NQ; q = q + 1) begin
					qc = qsel0_q[q*CW +: CW];
					pb[q*32 +: 32]   = tab_bias_i[{qc, 5'b00000} +: 32];
					pm[q*31 +: 31]   = tab_mult_i[{qc, 5'b00000} +: 31];
					ps[q*SHB +: SHB] = tab_shift_i[{qc, 3'b000} +: SHB];
				end
				bias1_q  <= pb;
				mult1_q  <= pm;
				shift1_q <= ps;
			end
			if (v1_q) begin
				ev2_q   <= ev1_q;
				half2_q <= half1_q;
			end
			if (v2_q) begin
				ev3_q   <= ev2_q;
				half3_q <= half2_q;
			end
		end
	end
	/* verilator lint_on BLKSEQ */

	wire [15:0] y   [0:NQ-1];
	wire        pos [0:NQ-1];
	genvar g, k2;
	generate
		for (g = 0; g < NQ; g = g + 1) begin : g_lane
			ts_requant #(.ACC_BITS(ACC_BITS), .SHB(SHB), .RQC(RQC)) u_rq (
				.clk_i   (clk_i),
				.en1_i   (!start_i && adv && v1_q),
				.en2_i   (!start_i && adv && v2_q),
				.step_i  (step),
				.acc_i   (acc_i[g*ACC_BITS +: ACC_BITS]),
				.bias_i  (bias1_q[g*32 +: 32]),
				.mult_i  (mult1_q[g*31 +: 31]),
				.shift_i (shift1_q[g*SHB +: SHB]),
				.zp_i    (zp_q),
				.lo_i    (lo_q),
				.hi_i    (hi_q),
				.y_o     (y[g]),
				.pos_o   (pos[g])
			);
		end
		for (g = 0; g < B; g = g + 1) begin : g_byte
			// Stage 3 output: pack the lane's element(s) into its byte.
			if (OB == 16) begin : g_p16
				assign wdata_o[8*g +: 8] = half3_q[g] ? y[g][15:8] : y[g][7:0];
				wire unused_y = &{1'b0, pos[g], ev3_q[g]};
			end else if (OB == 8) begin : g_p8
				assign wdata_o[8*g +: 8] = y[g][7:0];
				wire unused_y = &{1'b0, y[g][15:8], pos[g], ev3_q[g], half3_q[g]};
			end else if (OB == 4) begin : g_p4
				assign wdata_o[8*g +: 8] = {ev3_q[2*g+1] ? y[2*g+1][3:0] : 4'd0,
							   ev3_q[2*g] ? y[2*g][3:0] : 4'd0};
				wire unused_y = &{1'b0, y[2*g][15:4], y[2*g+1][15:4], pos[2*g], pos[2*g+1], half3_q[g]};
			end else begin : g_p1
				for (k2 = 0; k2 < 8; k2 = k2 + 1) begin : g_bit
					assign wdata_o[8*g+k2] = ev3_q[8*g+k2] && pos[8*g+k2];
					wire unused_y = &{1'b0, y[8*g+k2]};
				end
				wire unused_half = &{1'b0, half3_q[g]};
			end
		end
	endgenerate
	wire unused_in = &{1'b0, acc0_i, nt_i, rb_i, beats_i};
endmodule
