// ts_requant — one requantization lane, accumulator -> output type, bit-exact
// with the golden model's ts_requant_one (host/include/tessera/quant.h) for
// accumulators up to 32 bits, and the same formula at full width beyond:
//   y = ((acc * mult + 2^(shift-1)) >>> shift) + zp, clamped to [QMIN, QMAX];
//   pos_o = (y before clamping) >= 0 (the binary output bit).
// Two register stages (multiply, then shift/offset/clamp): the first loads on
// en1_i, the second on en2_i (the storer enables a stage only when valid data
// moves into it); with the accumulator read in front they form the STORE's
// 3-cycle pipe.
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
	reg signed [PW-1:0] acc_s, mult_s, y_full, y_clamp;  // y_clamp: low 16 bits used
	/* verilator lint_on UNUSEDSIGNAL */
	reg        [PW-1:0] round;

	always @(posedge clk_i) begin
		if (en1_i) begin
			acc_s  = {{(PW-ACC_BITS){acc_i[ACC_BITS-1]}}, acc_i};
			mult_s = {{(PW-32){1'b0}}, mult_i};
			round  = (shift_i == 8'd0) ? {PW{1'b0}} : (one << (shift_i - 8'd1));
			prod_q  <= acc_s * mult_s + round;
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

endmodule
