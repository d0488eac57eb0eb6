// ts_pe — one processing element of the tessera array: a multiply (or
// shift-add, or XNOR) and accumulate, for every PE type, in the
// weight-stationary (WS) or output-stationary (OS) form (docs/timing.md §4, §5).
//
// PE types (PE, codes from ts_contract.vh / pe.def): int16, int8, int4 (signed
// multiply), lightpe1 and lightpe2 (weight = one / two power-of-two terms,
// nibble = sign | exponent code, code 0 = term 0; acc += +-(a << e)), binary
// (bit 1 = +1, xnor: +1 when equal, -1 otherwise).
//
// WS ports: w_load_i latches w_i as the stationary weight, w_clear_i
//   invalidates it (rows beyond the tile contribute nothing: zeroed, or for
//   binary, where a zero bit means -1, flagged invalid); both only with en_i
//   (a COMPUTE writes the weights); ps_i comes from the PE
//   above, ps_o = ps_i + a * w goes down; a_o forwards the activation right.
// OS ports: a_i / w_i enter from the left / top with av_i (a valid step) and
//   are forwarded right / down; acc_q accumulates; clear_i zeroes it;
//   drain_i shifts the accumulators down one row (ps_i = acc of the PE above).
// en_i: the data registers (a_o, av_o, w_o, ps_o) advance only while a COMPUTE
//   runs. Every value that reaches the accumulators enters and leaves the array
//   within one COMPUTE, so freezing it in between changes no result and saves
//   the simulator the whole array's work on LOAD / STORE / fetch cycles.
`include "ts_contract.vh"
module ts_pe #(
	parameter PE       = `TS_PE_INT8,
	parameter DATAFLOW = 0,
	parameter ACC_BITS = 32,
	parameter AW       = `TS_PE_ABITS(PE),
	parameter WW       = `TS_PE_WBITS(PE)
) (
	input  wire                clk_i,
	input  wire                en_i,
	input  wire [AW-1:0]       a_i,
	input  wire                av_i,
	input  wire [WW-1:0]       w_i,
	input  wire                w_load_i,
	input  wire                w_clear_i,
	input  wire                clear_i,
	input  wire                drain_i,
	input  wire [ACC_BITS-1:0] ps_i,
	output reg  [AW-1:0]       a_o,
	output reg                 av_o,
	output reg  [WW-1:0]       w_o,
	output reg  [ACC_BITS-1:0] ps_o
);
	localparam PE_LP1 = `TS_PE_LIGHTPE1, PE_LP2 = `TS_PE_LIGHTPE2, PE_BIN = `TS_PE_BINARY;  // others multiply

	// One power-of-two term of a LightPE weight code nibble.
	function [31:0] lp_term;
		input [31:0] a_sext;
		input [3:0]  nib;
		reg   [31:0] v;
		begin
			if (nib[2:0] == 3'd0)
				v = 32'd0;
			else
				v = a_sext << (nib[2:0] - 3'd1);
			lp_term = nib[3] ? (~v + 32'd1) : v;
		end
	endfunction

	wire [31:0] prod_w;
	wire [ACC_BITS-1:0] prod_ext;
	wire [AW-1:0] op_a = a_i;
	wire [WW-1:0] op_w;
	wire [31:0] a_sext = {{(32-AW){op_a[AW-1]}}, op_a};

	// The product of one activation and one weight, two's complement, 32 bits.
	generate
		if (PE == PE_LP1) begin : g_lp1
			assign prod_w = lp_term(a_sext, op_w[3:0]);
		end else if (PE == PE_LP2) begin : g_lp2
			assign prod_w = lp_term(a_sext, op_w[3:0]) + lp_term(a_sext, op_w[WW-1:WW-4]);
		end else if (PE == PE_BIN) begin : g_bin
			assign prod_w = (op_a[0] ~^ op_w[0]) ? 32'd1 : 32'hffffffff;
			wire unused_bin = &{1'b0, a_sext};
		end else begin : g_mul
			wire signed [31:0] as = a_sext;
			wire signed [31:0] ws = {{(32-WW){op_w[WW-1]}}, op_w};
			assign prod_w = as * ws;
		end
	endgenerate

	generate
		if (DATAFLOW == 0) begin : g_ws
			// The stationary weight. w_clear_i zeroes it: a zero weight adds
			// nothing for every PE type but binary, where a zero bit means -1, so
			// only binary keeps a valid flag. The weight is written during a
			// COMPUTE only (ts_ctrl raises w_load_i / w_clear_i with en_i), so one
			// en_i test covers every register of the PE: a simulator skips the
			// whole PE on the cycles between COMPUTEs.
			reg [WW-1:0] w_q;
			wire         w_on;
			if (PE == PE_BIN) begin : g_valid
				reg w_valid_q;
				always @(posedge clk_i)
					if (en_i && (w_clear_i || w_load_i))
						w_valid_q <= !w_clear_i;
				assign w_on = w_valid_q;
			end else begin : g_novalid
				assign w_on = 1'b1;
			end
			assign op_w = w_q;
			always @(posedge clk_i) begin
				if (en_i) begin
					if (w_clear_i)
						w_q <= {WW{1'b0}};
					else if (w_load_i)
						w_q <= w_i;
					a_o  <= a_i;
					av_o <= av_i;
					w_o  <= w_q;
					ps_o <= ps_i + (w_on ? prod_ext : {ACC_BITS{1'b0}});
				end
			end
			// clear_i and drain_i belong to the OS form.
			wire unused_ws = &{1'b0, clear_i, drain_i};
		end else begin : g_os
			assign op_w = w_i;
			always @(posedge clk_i) begin
				if (en_i) begin
					a_o  <= a_i;
					av_o <= av_i;
					w_o  <= w_i;
					if (clear_i)
						ps_o <= {ACC_BITS{1'b0}};
					else if (drain_i)
						ps_o <= ps_i;
					else if (av_i)
						ps_o <= ps_o + prod_ext;
				end
			end
			wire unused_os = &{1'b0, w_load_i, w_clear_i};
		end
	endgenerate

	generate
		if (ACC_BITS > 32) begin : g_wide
			assign prod_ext = {{(ACC_BITS-32){prod_w[31]}}, prod_w};
		end else begin : g_narrow
			assign prod_ext = prod_w[ACC_BITS-1:0];
			if (ACC_BITS < 32) begin : g_unused
				wire unused_hi = &{1'b0, prod_w[31:ACC_BITS]};
			end
		end
	endgenerate
endmodule
