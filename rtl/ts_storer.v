// ts_storer — the data side of a STORE: reads accumulators, requantizes
// them (ts_requant lanes) and packs the output bytes, B bytes per beat, in
// the order desc.h defines (mt rows of bytes(nt, OB) bytes; int4 two per
// byte low nibble first, binary eight per byte LSB first, int16 little-endian).
// Pipeline: accumulator read -> multiply -> shift/clamp (3 stages, the
// T_REQUANT_PIPE of docs/timing.md); it advances whenever its output beat
// is empty or taken by the memory (beat_i), so it never drops data whatever
// the memory's latency.
module ts_storer #(
	parameter B        = 4,
	parameter COLS     = 2,
	parameter OB       = 8,
	parameter ACC_BITS = 32,
	parameter ACC_AW   = 16,
	// Elements per output byte (an int16 byte lane holds half an element).
	parameter EPB      = (OB >= 8) ? 1 : 8 / OB
) (
	input  wire                clk_i,
	input  wire                start_i,    // latch the fields, empty the pipe
	input  wire                go_i,       // start issuing beats (level)
	input  wire [31:0]         acc0_i,
	input  wire [31:0]         nt_i,
	input  wire [31:0]         rb_i,       // bytes per output row
	input  wire [31:0]         beats_i,
	input  wire [31:0]         mult_i,
	input  wire [7:0]          shift_i,
	input  wire [7:0]          zp_i,
	input  wire                beat_i,     // the memory takes wdata_o this cycle
	output wire [ACC_AW-1:0]   acc_raddr_o [0:B*EPB-1],
	input  wire [ACC_BITS-1:0] acc_rdata_i [0:B*EPB-1],
	output wire [7:0]          wdata_o [0:B-1]
);
	localparam NQ   = B * EPB;
	localparam QMIN = (OB == 16) ? -32768 : (OB == 8) ? -128 : (OB == 4) ? -8 : -1;
	localparam QMAX = (OB == 16) ? 32767 : (OB == 8) ? 127 : (OB == 4) ? 7 : 0;

	reg [31:0] row_q, off_q, issued_q;
	reg [31:0] acc0_q, nt_q, rb_q, beats_q, mult_q;
	reg [7:0]  shift_q, zp_q;
	reg        v1_q, v2_q, v3_q;   // a beat in stage 1 (acc), 2 (product), 3 (output)

	wire en    = !v3_q || beat_i;
	wire issue = en && go_i && (issued_q < beats_q);

	// Stage 0: which accumulator each element lane of this beat reads.
	reg [31:0] row_d, off_d, col;
	/* verilator lint_off UNUSEDSIGNAL */
	reg [31:0] addr;  // only the low ACC_AW bits address the scratchpad
	/* verilator lint_on UNUSEDSIGNAL */
	reg        ev_d   [0:NQ-1];
	reg        half_d [0:B-1];
	reg [ACC_AW-1:0] raddr_d [0:NQ-1];
	integer l, e;
	always @(*) begin
		row_d = row_q;
		off_d = off_q;
		for (l = 0; l < B; l = l + 1) begin
			half_d[l] = off_d[0];
			for (e = 0; e < EPB; e = e + 1) begin
				if (OB == 16)
					col = off_d >> 1;
				else
					col = off_d * EPB + e;
				addr = (acc0_q + row_d) * COLS + col;
				ev_d[l*EPB+e]    = col < nt_q;
				raddr_d[l*EPB+e] = ev_d[l*EPB+e] ? addr[ACC_AW-1:0] : {ACC_AW{1'b0}};
			end
			if (off_d + 1 == rb_q) begin
				off_d = 32'd0;
				row_d = row_d + 32'd1;
			end else begin
				off_d = off_d + 32'd1;
			end
		end
	end

	genvar g, k2;
	generate
		for (g = 0; g < NQ; g = g + 1) begin : g_addr
			assign acc_raddr_o[g] = raddr_d[g];
		end
	endgenerate

	always @(posedge clk_i) begin
		if (start_i) begin
			row_q    <= 32'd0;
			off_q    <= 32'd0;
			issued_q <= 32'd0;
			acc0_q   <= acc0_i;
			nt_q     <= nt_i;
			rb_q     <= rb_i;
			beats_q  <= beats_i;
			mult_q   <= mult_i;
			shift_q  <= shift_i;
			zp_q     <= zp_i;
			v1_q     <= 1'b0;
			v2_q     <= 1'b0;
			v3_q     <= 1'b0;
		end else if (en) begin
			v1_q <= issue;
			v2_q <= v1_q;
			v3_q <= v2_q;
			if (issue) begin
				row_q    <= row_d;
				off_q    <= off_d;
				issued_q <= issued_q + 32'd1;
			end
		end
	end

	// Stage 1: accumulators with their lane flags.
	reg [ACC_BITS-1:0] acc_q [0:NQ-1];
	reg        ev1_q  [0:NQ-1];
	reg        ev2_q  [0:NQ-1];
	reg        ev3_q  [0:NQ-1];
	reg        half1_q[0:B-1];
	reg        half2_q[0:B-1];
	reg        half3_q[0:B-1];
	wire [15:0] y   [0:NQ-1];
	wire        pos [0:NQ-1];

	generate
		for (g = 0; g < NQ; g = g + 1) begin : g_lane
			always @(posedge clk_i) begin
				if (en && !start_i) begin
					acc_q[g] <= acc_rdata_i[g];
					ev1_q[g] <= ev_d[g];
					ev2_q[g] <= ev1_q[g];
					ev3_q[g] <= ev2_q[g];
				end
			end
			ts_requant #(.QMIN(QMIN), .QMAX(QMAX), .ACC_BITS(ACC_BITS)) u_rq (
				.clk_i   (clk_i),
				.en_i    (en && !start_i),
				.acc_i   (acc_q[g]),
				.mult_i  (mult_q),
				.shift_i (shift_q),
				.zp_i    (zp_q),
				.y_o     (y[g]),
				.pos_o   (pos[g])
			);
		end
		for (g = 0; g < B; g = g + 1) begin : g_byte
			always @(posedge clk_i) begin
				if (en && !start_i) begin
					half1_q[g] <= half_d[g];
					half2_q[g] <= half1_q[g];
					half3_q[g] <= half2_q[g];
				end
			end
			// Stage 3 output: pack the lane's element(s) into its byte.
			if (OB == 16) begin : g_p16
				assign wdata_o[g] = half3_q[g] ? y[g][15:8] : y[g][7:0];
				wire unused_y = &{1'b0, pos[g], ev3_q[g]};
			end else if (OB == 8) begin : g_p8
				assign wdata_o[g] = y[g][7:0];
				wire unused_y = &{1'b0, y[g][15:8], pos[g], ev3_q[g], half3_q[g]};
			end else if (OB == 4) begin : g_p4
				assign wdata_o[g] = {ev3_q[2*g+1] ? y[2*g+1][3:0] : 4'd0,
						     ev3_q[2*g] ? y[2*g][3:0] : 4'd0};
				wire unused_y = &{1'b0, y[2*g][15:4], y[2*g+1][15:4], pos[2*g], pos[2*g+1], half3_q[g]};
			end else begin : g_p1
				reg [7:0] bits;
				integer k;
				always @(*)
					for (k = 0; k < 8; k = k + 1)
						bits[k] = ev3_q[8*g+k] && pos[8*g+k];
				assign wdata_o[g] = bits;
				for (k2 = 0; k2 < 8; k2 = k2 + 1) begin : g_unused
					wire unused_y = &{1'b0, y[8*g+k2]};
				end
				wire unused_half = &{1'b0, half3_q[g]};
			end
		end
	endgenerate
endmodule
