// ts_array — the ROWS x COLS grid of ts_pe with its input skew, in the
// weight-stationary (DATAFLOW 0) or output-stationary (DATAFLOW 1) form.
// Ports are packed vectors (element i at bits i*width, Verilog-2005); inside,
// PE-to-PE links are per-link nets in unpacked arrays (no wide vectors).
//
// WS: w_load_i writes w_i (one weight per column) into array row
//   w_row_i; w_clear_i invalidates every stationary weight. a_i is one
//   scratchpad word (element i -> array row i), skewed here by i cycles; out_o
//   is the bottom row's partial sums (column j lags row 0's input by ROWS + j).
// OS: a_i (element i -> row i) and w_i (element j -> column j) of one
//   reduction step with av_i, skewed here by i + 1 and j + 1 cycles; clear_i
//   zeroes the accumulators, drain_i shifts them down a row; out_o is the
//   bottom row's accumulators.
// en_i: the skew and PE data registers advance only while it is high (during
//   a COMPUTE; see ts_pe).
`include "ts_contract.vh"
module ts_array #(
	parameter ROWS     = 2,
	parameter COLS     = 2,
	parameter DATAFLOW = 0,
	parameter PE       = `TS_PE_INT8,
	parameter ACC_BITS = 32,
	parameter AW       = `TS_PE_ABITS(PE),
	parameter WW       = `TS_PE_WBITS(PE),
	parameter ROW_W    = 8
) (
	input  wire                     clk_i,
	input  wire                     en_i,
	input  wire [ROWS*AW-1:0]       a_i,
	input  wire                     av_i,
	input  wire [COLS*WW-1:0]       w_i,
	input  wire                     w_load_i,
	input  wire [ROW_W-1:0]         w_row_i,
	input  wire                     w_clear_i,
	input  wire                     clear_i,
	input  wire                     drain_i,
	output wire [COLS*ACC_BITS-1:0] out_o
);
	localparam OS = (DATAFLOW != 0) ? 1 : 0;

	wire [AW-1:0]       a_link  [0:ROWS*(COLS+1)-1];
	wire                av_link [0:ROWS*(COLS+1)-1];
	wire [WW-1:0]       w_link  [0:(ROWS+1)*COLS-1];
	wire [ACC_BITS-1:0] ps_link [0:(ROWS+1)*COLS-1];

	genvar i, j;
	generate
		// Row inputs, delayed by i (+1 in OS) cycles.
		for (i = 0; i < ROWS; i = i + 1) begin : g_row_in
			localparam DLY = i + OS;
			if (DLY == 0) begin : g_direct
				assign a_link[i*(COLS+1)]  = a_i[i*AW +: AW];
				assign av_link[i*(COLS+1)] = av_i;
			end else begin : g_skew
				// Stage d (0..DLY-1) at field d; field DLY is a spare stage so
				// the shift is one packed vector (no per-stage array shadows).
				reg [AW*(DLY+1)-1:0] a_sk;
				reg [DLY:0]          av_sk;
				always @(posedge clk_i) begin
					if (en_i) begin
						a_sk  <= {a_sk[AW*DLY-1:0], a_i[i*AW +: AW]};
						av_sk <= {av_sk[DLY-1:0], av_i};
					end
				end
				assign a_link[i*(COLS+1)]  = a_sk[AW*(DLY-1) +: AW];
				assign av_link[i*(COLS+1)] = av_sk[DLY-1];
				wire unused_sk = &{1'b0, a_sk[AW*(DLY+1)-1:AW*DLY], av_sk[DLY]};
			end
		end

		for (j = 0; j < COLS; j = j + 1) begin : g_col_in
			assign ps_link[j] = {ACC_BITS{1'b0}};
			if (OS != 0) begin : g_os_w
				// j + 1 stages, stage d at field d, field j + 1 spare (as g_skew).
				reg [WW*(j+2)-1:0] w_sk;
				always @(posedge clk_i)
					if (en_i)
						w_sk <= {w_sk[WW*(j+1)-1:0], w_i[j*WW +: WW]};
				assign w_link[j] = w_sk[WW*j +: WW];
				wire unused_wsk = &{1'b0, w_sk[WW*(j+2)-1:WW*(j+1)]};
			end else begin : g_ws_w
				assign w_link[j] = w_i[j*WW +: WW];
			end
		end

		for (i = 0; i < ROWS; i = i + 1) begin : g_r
			// WS: this row takes the weight word being loaded.
			wire row_load = w_load_i && (w_row_i == i);
			for (j = 0; j < COLS; j = j + 1) begin : g_c
				// WS broadcasts the weight row to every PE of a column.
				wire [WW-1:0] pe_w = OS ? w_link[i*COLS+j] : w_link[j];
				wire [WW-1:0] pe_w_o;
				ts_pe #(
					.PE(PE), .DATAFLOW(DATAFLOW), .ACC_BITS(ACC_BITS), .AW(AW), .WW(WW)
				) u_pe (
					.clk_i     (clk_i),
					.en_i      (en_i),
					.a_i       (a_link[i*(COLS+1)+j]),
					.av_i      (av_link[i*(COLS+1)+j]),
					.w_i       (pe_w),
					.w_load_i  (row_load),
					.w_clear_i (w_clear_i),
					.clear_i   (clear_i),
					.drain_i   (drain_i),
					.ps_i      (ps_link[i*COLS+j]),
					.a_o       (a_link[i*(COLS+1)+j+1]),
					.av_o      (av_link[i*(COLS+1)+j+1]),
					.w_o       (pe_w_o),
					.ps_o      (ps_link[(i+1)*COLS+j])
				);
				if (OS != 0) begin : g_wfwd
					assign w_link[(i+1)*COLS+j] = pe_w_o;
				end else begin : g_wnone
					assign w_link[(i+1)*COLS+j] = w_link[j];
					wire unused_w = &{1'b0, pe_w_o};
				end
			end
		end

		for (j = 0; j < COLS; j = j + 1) begin : g_out
			assign out_o[j*ACC_BITS +: ACC_BITS] = ps_link[ROWS*COLS+j];
		end
		for (i = 0; i < ROWS; i = i + 1) begin : g_aout
			wire unused_a = &{1'b0, a_link[i*(COLS+1)+COLS], av_link[i*(COLS+1)+COLS]};
		end
		if (OS == 0) begin : g_ws_unused
			wire unused_os = &{1'b0, clear_i, drain_i};
		end else begin : g_os_unused
			wire unused_ws = &{1'b0, w_load_i, w_row_i, w_clear_i};
		end
	endgenerate
endmodule
