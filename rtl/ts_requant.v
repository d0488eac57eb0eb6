// ts_requant — one requantization lane, accumulator -> output type, bit-exact
// with the golden model's ts_requant_one (host/include/tessera/quant.h) for
// accumulators up to 32 bits, and the same formula at full width beyond:
//   y = ((acc * mult + 2^(shift-1)) >>> shift) + zp, clamped to [QMIN, QMAX];
//   pos_o = (y before clamping) >= 0 (the binary output bit).
// Two register stages (multiply, then shift/offset/clamp), advancing on en_i;
// with the accumulator read in front they form the STORE's 3-cycle pipe.
module ts_requant #(
	parameter QMIN     = -128,
	parameter QMAX     = 127,
	parameter ACC_BITS = 32,
	// product width: acc * mult + 2^61 fits 64 bits up to 32-bit accumulators
	parameter PW       = (ACC_BITS <= 32) ? 64 : ACC_BITS + 33
) (
	input  wire        clk_i,
	input  wire        en_i,
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

	wire signed [PW-1:0] acc_s  = {{(PW-ACC_BITS){acc_i[ACC_BITS-1]}}, acc_i};
	wire signed [PW-1:0] mult_s = {{(PW-32){1'b0}}, mult_i};
	wire        [PW-1:0] one    = {{(PW-1){1'b0}}, 1'b1};
	wire        [PW-1:0] round  = (shift_i == 8'd0) ? {PW{1'b0}} : (one << (shift_i - 8'd1));

	always @(posedge clk_i) begin
		if (en_i) begin
			prod_q  <= acc_s * mult_s + round;
			shift_q <= shift_i;
			zp_q    <= {{(PW-8){zp_i[7]}}, zp_i};
		end
	end

	wire signed [PW-1:0] shifted = prod_q >>> shift_q;
	wire signed [PW-1:0] y_full  = shifted + zp_q;
	wire signed [31:0]   qmin32  = QMIN;
	wire signed [31:0]   qmax32  = QMAX;
	wire signed [PW-1:0] qmin_s  = {{(PW-32){qmin32[31]}}, qmin32};
	wire signed [PW-1:0] qmax_s  = {{(PW-32){qmax32[31]}}, qmax32};
	wire signed [PW-1:0] y_clamp = (y_full < qmin_s) ? qmin_s : (y_full > qmax_s) ? qmax_s : y_full;

	always @(posedge clk_i) begin
		if (en_i) begin
			y_o   <= y_clamp[15:0];
			pos_o <= !y_full[PW-1];
		end
	end

	wire unused_hi = &{1'b0, y_clamp[PW-1:16]};
endmodule
