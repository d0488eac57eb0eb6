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
// Widths: s has SW = max(ACC_BITS, 32) + 1 bits and the product p = s * mult
// PW = SW + 31 (|p| <= 2^(SW-1) * (2^31 - 1)): 64 bits up to 32-bit
// accumulators, a plain 64-bit multiply for a simulator. The rounding term
// (up to 2^62) is not added to p, which could overflow PW; for shift k >= 1
//   (p + 2^(k-1)) >>> k  ==  ((p >>> (k-1)) + 1) >>> 1
// (floor division; write p = q * 2^(k-1) + r with 0 <= r < 2^(k-1): both
// sides are floor((q + 1) / 2)), and neither p >>> (k-1) + 1 nor p + zp
// leaves PW bits. The multiply is signed SW x 32 with a zero top bit, not
// PW x PW (synth_ice40 -dsp: SB_MAC16 count per lane; xc7: DSP48E1 count).
`include "ts_contract.vh"
module ts_requant #(
	parameter ACC_BITS = 32,
	parameter SHB      = `TS_DESC_SHIFT_BITS,                    // shift bits
	parameter SW       = ((ACC_BITS > 32) ? ACC_BITS : 32) + 1,  // acc + bias
	parameter PW       = SW + 31                                 // the product
) (
	input  wire        clk_i,
	input  wire        en1_i,
	input  wire        en2_i,
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
	reg signed [PW-1:0] prod_q;
	reg        [SHB-1:0] shift_q;

	localparam [PW-1:0] ONE = 1;

	// Stage temporaries (blocking, inside the clocked blocks: evaluated only
	// when the stage loads, which is what a simulator gains from it; also the
	// inputs are read once there, else Verilator computes a copy of the
	// accumulator lane's mux every cycle).
	/* verilator lint_off BLKSEQ */
	/* verilator lint_off UNUSEDSIGNAL */
	reg signed [PW-1:0] y_full, y_clamp;  // y_clamp: low 16 bits used
	/* verilator lint_on UNUSEDSIGNAL */
	reg        [ACC_BITS-1:0] a;
	reg        [15:0]   zp, lo, hi;
	reg signed [SW-1:0] s;
	reg signed [PW-1:0] r, zp_s, lo_s, hi_s;

	always @(posedge clk_i) begin
		if (en1_i) begin
			a = acc_i;
			s = $signed({{(SW-ACC_BITS){a[ACC_BITS-1]}}, a}) +
			    $signed({{(SW-32){bias_i[31]}}, bias_i});
			prod_q  <= s * $signed({1'b0, mult_i});
			shift_q <= shift_i;
		end
	end

	always @(posedge clk_i) begin
		if (en2_i) begin
			zp = zp_i;
			lo = lo_i;
			hi = hi_i;
			zp_s = {{(PW-16){zp[15]}}, zp};
			lo_s = {{(PW-16){lo[15]}}, lo};
			hi_s = {{(PW-16){hi[15]}}, hi};
			if (shift_q == {SHB{1'b0}})
				r = prod_q;
			else
				r = ((prod_q >>> (shift_q - 1'b1)) + $signed(ONE)) >>> 1;
			y_full  = r + zp_s;
			y_clamp = (y_full < lo_s) ? lo_s : (y_full > hi_s) ? hi_s : y_full;
			y_o   <= y_clamp[15:0];
			pos_o <= !y_full[PW-1];
		end
	end
	/* verilator lint_on BLKSEQ */
endmodule
