// ts_requant — one requantization lane, accumulator -> output type, bit-exact
// with the golden model's ts_requant_acc (host/include/tessera/quant.h), the
// STORE formula of desc.h with all arithmetic exact:
//   s = acc + bias                       (acc sign-extended from ACC_BITS)
//   y = ((s * mult + (shift ? 2^(shift-1) : 0)) >>> shift) + zp
//   y_o = min(max(y, lo), hi);  pos_o = y >= 0 (the binary output bit).
// bias, mult (31 bits, 0..2^31-1) and shift (0..2^SHB-1) are the lane's
// column's table entry (ts_qtab), zp / lo / hi the STORE's (int16; the
// controller checks QMIN <= lo <= hi <= QMAX of the output type).
// Two register stages: the first (en1_i) adds the bias and multiplies, the
// second (en2_i) rounds, shifts, offsets and clamps (the storer enables a
// stage only when valid data moves into it); with the accumulator read in
// front they form the STORE's 3-cycle pipe (T_REQUANT_PIPE).
// RQC (hwcfg requant.cycles, docs/timing.md §1) = 1 multiplies in one cycle;
// RQC = M > 1 multiplies serially, D = 32 / M bits of the multiplier (32
// bits, the top one zero) per cycle, least significant digit first: en1_i
// takes s and the first digit, step_i (the storer's, in the M - 1 cycles
// after en1_i) the others, and the second stage may take the product after the
// last step. The state is hi (SW bits, signed) and lo (32 bits: the digits
// not yet used, shifted down as the product's low bits come in at the top):
//   ps = hi + s * digit (SW + D bits), hi' = ps >>> D, lo' = {ps[D-1:0], lo >> D}
// after k steps hi * 2^(Dk) + (lo's top Dk bits) = s * (mult mod 2^(Dk)), so
// |hi| <= |s| (SW bits) and |ps| <= |s| * 2^D (SW + D bits); after M steps
// the product is {hi, lo}, which fits PW bits.
// Widths: s has SW = max(ACC_BITS, 32) + 1 bits and the product p = s * mult
// PW = SW + 31 (|p| <= 2^(SW-1) * (2^31 - 1)): 64 bits up to 32-bit
// accumulators, a plain 64-bit multiply for a simulator. The rounding term
// (up to 2^62) is not added to p, which could overflow PW; for shift k >= 1
//   (p + 2^(k-1)) >>> k  ==  ((p >>> (k-1)) + 1) >>> 1
// (floor division; write p = q * 2^(k-1) + r with 0 <= r < 2^(k-1): both
// sides are floor((q + 1) / 2)), and neither p >>> (k-1) + 1 nor p + zp
// leaves PW bits. The multiply is signed SW x 32 with a zero top bit, not
// PW x PW (synth_ice40 -dsp: SB_MAC16 count per lane; xc7: DSP48E1 count).
// Narrow second stage: the output is clamped into int16 and zp is int16, so
// only t = p >>> j (j = k - 1, or 0 for k = 0) in its low TW = 21 bits
// matters, with one flag: "t fits TW - 2 signed bits" (|t| < 2^19). When it
// does, y below is exact in TW + 1 bits; when it does not, |r| >= 2^18 and y
// lies beyond every int16 bound, so the clamp gives hi (p >= 0) or lo
// (p < 0) and pos is the sign of p. The shift is a barrel shifter applied
// most significant stage first, each stage keeping only the bits the later
// stages can still bring into the low TW (about 180 2:1 muxes instead of
// 6 x 64); a bit a stage drops lands at t's position TW or above, so "t
// fits" is: no dropped bit and neither of t's bits TW-1, TW-2 differs from
// the sign.
`include "ts_contract.vh"
module ts_requant #(
	parameter ACC_BITS = 32,
	parameter RQC      = 1,                                      // cycles per multiply: 1, 2, 4 .. 32
	parameter SHB      = `TS_DESC_SHIFT_BITS,                    // shift bits
	parameter SW       = ((ACC_BITS > 32) ? ACC_BITS : 32) + 1,  // acc + bias
	parameter PW       = SW + 31                                 // the product
) (
	input  wire        clk_i,
	input  wire        en1_i,
	input  wire        en2_i,
	input  wire        step_i,             // RQC > 1: one more multiplier digit
	input  wire [ACC_BITS-1:0] acc_i,
	input  wire [31:0] bias_i,
	input  wire [30:0] mult_i,
	input  wire [SHB-1:0] shift_i,
	input  wire [15:0] zp_i,
	input  wire [15:0] lo_i,
	input  wire [15:0] hi_i,
	output reg  [15:0] y_o,
	output reg         pos_o
);
	localparam TW = 21;                 // bits of t kept: |t| < 2^(TW-2) is exact
	localparam JW = (SHB < 6) ? SHB : 6; // stages: j < 2^JW
	wire       [PW-1:0] prod;               // the product the second stage takes
	reg        [SHB-1:0] shift_q;

	// The shifter's window widths: before stage b (shifting by 2^b), bits
	// 0 .. TW - 1 + 2^(b+1) - 1 can still reach the low TW bits.
	function integer keep;
		input integer b;
		begin
			keep = TW + (2 << b) - 1;
			if (keep > PW)
				keep = PW;
		end
	endfunction

	// Stage temporaries (blocking, inside the clocked blocks: evaluated only
	// when the stage loads, which is what a simulator gains from it; also the
	// inputs are read once there, else Verilator computes a copy of the
	// accumulator lane's mux every cycle).
	/* verilator lint_off BLKSEQ */
	/* verilator lint_off UNUSEDSIGNAL */
	reg signed [TW+1:0] yc;             // low 16 bits used
	reg        [SHB-1:0] j;             // bits >= JW are zero (SHB = JW)
	/* verilator lint_on UNUSEDSIGNAL */
	reg        [ACC_BITS-1:0] a;
	reg signed [SW-1:0] s;
	reg        [PW-1:0] x;              // the window, low bits
	reg        drop, neg;
	reg signed [TW-1:0] t;
	reg signed [TW:0]   r;
	reg signed [TW+1:0] y, lo, hi;
	integer b, i;

	generate
		if (RQC == 1) begin : g_mul1
			reg signed [PW-1:0] prod_q;
			always @(posedge clk_i) begin
				if (en1_i) begin
					a = acc_i;
					s = $signed({{(SW-ACC_BITS){a[ACC_BITS-1]}}, a}) +
					    $signed({{(SW-32){bias_i[31]}}, bias_i});
					prod_q  <= s * $signed({1'b0, mult_i});
					shift_q <= shift_i;
				end
			end
			assign prod = prod_q;
			wire unused_step = step_i;
		end else begin : g_serial
			// One datapath for all M steps: en1_i feeds it s, the first digit and
			// hi = 0, step_i the registers. A digit of up to 4 bits is D rows of
			// AND and add (a DSP block would be wasted on it), a wider one a
			// multiplier.
			localparam D = 32 / RQC;      // multiplier bits per cycle
			reg signed [SW-1:0]   s_q;      // the multiplicand acc + bias
			reg signed [SW-1:0]   hi_q;     // the partial product's high part
			reg        [31:0]     lo_q;     // digits to come (low), product bits (high)
			reg        [31:0]     m32;
			reg signed [SW-1:0]   sm, hin;  // this step's multiplicand and high part
			reg        [D-1:0]    dig;      // and digit
			reg        [31-D:0]   rest;     // the digits after it
			reg signed [SW+D-1:0] ps;       // hin + sm * dig
			integer q;
			always @(posedge clk_i) begin
				if (en1_i || step_i) begin
					if (en1_i) begin
						a = acc_i;
						s = $signed({{(SW-ACC_BITS){a[ACC_BITS-1]}}, a}) +
						    $signed({{(SW-32){bias_i[31]}}, bias_i});
						m32  = {1'b0, mult_i};
						sm   = s;
						hin  = {SW{1'b0}};
						dig  = m32[D-1:0];
						rest = m32[31:D];
						s_q     <= s;
						shift_q <= shift_i;
					end else begin
						sm   = s_q;
						hin  = hi_q;
						dig  = lo_q[D-1:0];
						rest = lo_q[31:D];
					end
					if (D <= 4) begin
						ps = $signed({{D{hin[SW-1]}}, hin});
						for (q = 0; q < D; q = q + 1)
							if (dig[q])
								ps = ps + ($signed({{D{sm[SW-1]}}, sm}) <<< q);
					end else begin
						ps = $signed({{D{hin[SW-1]}}, hin}) + sm * $signed({1'b0, dig});
					end
					hi_q <= ps[SW+D-1:D];
					lo_q <= {ps[D-1:0], rest};
				end
			end
			// {hi, lo} has SW + 32 = PW + 1 bits; the product fits PW.
			wire [PW:0] hl = {hi_q, lo_q};
			assign prod = hl[PW-1:0];
			wire unused_hl = hl[PW];
		end
	endgenerate

	always @(posedge clk_i) begin
		if (en2_i) begin
			j    = (shift_q == {SHB{1'b0}}) ? {SHB{1'b0}} : shift_q - 1'b1;
			neg  = prod[PW-1];
			x    = prod;
			drop = 1'b0;
			for (b = JW - 1; b >= 0; b = b - 1) begin
				// bits at keep(b) and above are dropped: they land at t's TW or above
				for (i = 0; i < PW; i = i + 1)
					if (i >= keep(b) && x[i] != neg)
						drop = 1'b1;
				if (j[b])
					for (i = 0; i < PW; i = i + 1)
						x[i] = (i + (1 << b) < keep(b)) ? x[i + (1 << b)] : neg;
				for (i = 0; i < PW; i = i + 1)
					if (i >= keep(b))
						x[i] = neg;
			end
			t = x[TW-1:0];
			if (t[TW-1] != neg || t[TW-2] != neg)
				drop = 1'b1;
			if (shift_q == {SHB{1'b0}})
				r = {t[TW-1], t};
			else
				r = ($signed({t[TW-1], t}) + 1) >>> 1;
			y  = $signed({r[TW], r}) + $signed({{(TW+2-16){zp_i[15]}}, zp_i});
			lo = $signed({{(TW+2-16){lo_i[15]}}, lo_i});
			hi = $signed({{(TW+2-16){hi_i[15]}}, hi_i});
			if (drop)
				yc = neg ? lo : hi;
			else
				yc = (y < lo) ? lo : (y > hi) ? hi : y;
			y_o   <= yc[15:0];
			pos_o <= drop ? !neg : !y[TW+1];
		end
	end
	/* verilator lint_on BLKSEQ */
endmodule
