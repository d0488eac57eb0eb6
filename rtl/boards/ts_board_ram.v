// ts_board_ram — one bank of the board memory (ts_board_mem): DEPTH words of
// WBYTES bytes, one port, registered read (data the cycle after the address),
// byte enables on writes. A cycle with en_i and we_i writes the enabled bytes;
// one with en_i alone reads; rdata_o is undefined after a write cycle and held
// while en_i is low.
//
// SPRAM = 1 on the iCE40 UP5K: under `SYNTHESIS the bank is a grid of
// SB_SPRAM256KA (16K x 16 bits each, nibble write masks): WBYTES / 2 side by
// side, DEPTH / 16384 deep (so WBYTES even, DEPTH a multiple of 16384). Else,
// and in simulation, the behavioural form, which synthesis maps to block RAM.
module ts_board_ram #(
	parameter WBYTES = 2,
	parameter DEPTH  = 1024,
	parameter AW     = 10,   // word address bits, 2^AW >= DEPTH
	/* verilator lint_off UNUSEDPARAM */
	parameter SPRAM  = 0     // read only under `SYNTHESIS
	/* verilator lint_on UNUSEDPARAM */
) (
	input  wire                  clk_i,
	input  wire                  en_i,
	input  wire                  we_i,
	input  wire [WBYTES-1:0]     be_i,
	input  wire [AW-1:0]         addr_i,
	input  wire [8*WBYTES-1:0]   wdata_i,
	output wire [8*WBYTES-1:0]   rdata_o
);
`ifdef SYNTHESIS
	localparam USE_SB = SPRAM != 0;
`else
	localparam USE_SB = 0;
`endif

	generate
		if (USE_SB) begin : g_spram
`ifdef SYNTHESIS
			localparam NCOL = WBYTES / 2;
			localparam NROW = DEPTH / 16384;
			if (WBYTES % 2 != 0 || DEPTH % 16384 != 0 || AW < 14) begin : g_bad_shape
				ts_board_ram_spram_needs_even_bytes_and_16k_rows u_refuse ();
			end
			reg  [AW-1:0]            row_q;   // the address of the last read
			wire [16*NCOL*NROW-1:0]  dout;
			genvar r, c;
			for (r = 0; r < NROW; r = r + 1) begin : g_row
				wire sel = NROW == 1 || addr_i[AW-1:14] == r;
				for (c = 0; c < NCOL; c = c + 1) begin : g_col
					SB_SPRAM256KA u_spram (
						.ADDRESS(addr_i[13:0]), .DATAIN(wdata_i[16*c +: 16]),
						.MASKWREN({be_i[2*c+1], be_i[2*c+1], be_i[2*c], be_i[2*c]}),
						.WREN(we_i), .CHIPSELECT(en_i && sel), .CLOCK(clk_i),
						.STANDBY(1'b0), .SLEEP(1'b0), .POWEROFF(1'b1),
						.DATAOUT(dout[16*(NCOL*r+c) +: 16])
					);
				end
			end
			always @(posedge clk_i)
				if (en_i && !we_i)
					row_q <= addr_i;
			if (NROW == 1) begin : g_one
				assign rdata_o = dout;
			end else begin : g_mux
				assign rdata_o = dout[16*NCOL*row_q[AW-1:14] +: 16*NCOL];
			end
`endif
		end else begin : g_bram
			reg [8*WBYTES-1:0] mem [0:DEPTH-1];
			reg [8*WBYTES-1:0] rdata_q;
			integer k;
			always @(posedge clk_i) begin
				if (en_i) begin
					if (we_i) begin
						for (k = 0; k < WBYTES; k = k + 1)
							if (be_i[k])
								mem[addr_i][8*k +: 8] <= wdata_i[8*k +: 8];
					end else begin
						rdata_q <= mem[addr_i];
					end
				end
			end
			assign rdata_o = rdata_q;
		end
	endgenerate
endmodule
