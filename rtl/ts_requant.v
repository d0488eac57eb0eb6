// ts_requant — one requantization lane, accumulator -> output type, bit-exact
// with the golden model's ts_requant_one (host/include/tessera/quant.h) for
// accumulators up to 32 bits, and the same formula at full width beyond:
//   y = ((acc * mult + 2^(shift-1)) >>> shift) + zp, clamped to [QMIN, QMAX];
//   pos_o = (y before clamping) >= 0 (the binary output bit).
// Two register stages (multiply, then shift/offset/clamp): the first loads on
// en1_i, the second on en2_i (the storer enables a stage only when valid data
// moves into it); with the accumulator read in front they form the STORE's
// 3-cycle pipe.
// The multiplier is as wide as the values: the controller accepts multipliers
// 1..2^31-1 only (ts_ctrl's STORE checks), so mult_i[31] is 0 and the product
// is a signed ACC_BITS x 32 multiply (ACC_BITS + 31 bits of result), not the
// PW x PW one the rounding sum needs (synth_ice40 -dsp: SB_MAC16 count per
// lane; xc7: DSP48E1 count).
module ts_requant #(
	parameter QMIN     = -128,
	parameter QMAX     = 127,
	parameter ACC_BITS = 32,
	// product width: acc * mult + 2^61 fits 64 bits up to 32-bit accumulators
	parameter PW       = (ACC_BITS <= 32) ? 64 : ACC_BITS + 33
) (
	input  wire        clk_i,
	input  wire        en1_i,
	input  wire        en2_i,
	input  wire [ACC_BITS-1:0] acc_i,
	input  wire [31:0] mult_i,
	input  wire [7:0]  shift_i,
	input  wire [7:0]  zp_i,
	output reg  [15:0] y_o,
	output reg         pos_o
);
	reg signed [PW-1:0] prod_q;
	reg        [7:0]    shift_q;
	reg signed [PW-1:0] zp_q;

	wire signed [31:0]   qmin32 = QMIN;
	wire signed [31:0]   qmax32 = QMAX;
	wire signed [PW-1:0] qmin_s = {{(PW-32){qmin32[31]}}, qmin32};
	wire signed [PW-1:0] qmax_s = {{(PW-32){qmax32[31]}}, qmax32};
	wire        [PW-1:0] one    = {{(PW-1){1'b0}}, 1'b1};

	// Stage temporaries (blocking, inside the clocked blocks: evaluated only
	// when the stage loads, which is what a simulator gains from it).
	/* verilator lint_off BLKSEQ */
	/* verilator lint_off UNUSEDSIGNAL */
	reg signed [PW-1:0] y_full, y_clamp;  // y_clamp: low 16 bits used
	/* verilator lint_on UNUSEDSIGNAL */
	reg signed [ACC_BITS+31:0] mul;
	reg signed [PW-1:0] mul_s;
	reg        [PW-1:0] round;

	always @(posedge clk_i) begin
		if (en1_i) begin
			mul    = $signed(acc_i) * $signed({1'b0, mult_i[30:0]});
			// sign-extend (PW >= ACC_BITS + 32; the count is >= 1 either way)
			mul_s  = {{(PW-ACC_BITS-31){mul[ACC_BITS+31]}}, mul[ACC_BITS+30:0]};
			round  = (shift_i == 8'd0) ? {PW{1'b0}} : (one << (shift_i - 8'd1));
			prod_q  <= mul_s + round;
			shift_q <= shift_i;
			zp_q    <= {{(PW-8){zp_i[7]}}, zp_i};
		end
	end

	always @(posedge clk_i) begin
		if (en2_i) begin
			y_full  = (prod_q >>> shift_q) + zp_q;
			y_clamp = (y_full < qmin_s) ? qmin_s : (y_full > qmax_s) ? qmax_s : y_full;
			y_o   <= y_clamp[15:0];
			pos_o <= !y_full[PW-1];
		end
	end
	/* verilator lint_on BLKSEQ */

	wire unused_mult = &{1'b0, mult_i[31]};
endmodule
