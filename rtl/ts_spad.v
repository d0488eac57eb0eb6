// ts_spad — a scratchpad: DEPTH elements of EW bits with NW write lanes and
// NR read lanes (unpacked arrays, one address per lane). RD_REG = 1 gives
// block-RAM-like reads (data one cycle after the address), 0 asynchronous.
//
// The input and weight scratchpads are byte arrays (EW = 8) written by the
// DMA up to DRAM_BPC bytes per cycle and read one array edge (one word) per
// cycle; the accumulator scratchpad holds one accumulator per element.
// Several write lanes per cycle are what lets a LOAD keep up with the memory
// port when a beat carries more than one word (docs/timing.md: LOAD takes
// ceil(bytes / B) beats whatever the word size); with NW = 1 the memory is a
// plain single-port RAM that synthesis maps to block RAM.
module ts_spad #(
	parameter EW     = 8,
	parameter DEPTH  = 64,
	parameter NW     = 1,
	parameter NR     = 1,
	parameter ADDR_W = 16,
	parameter RD_REG = 1
) (
	input  wire              clk_i,
	input  wire              we_i    [0:NW-1],
	input  wire [ADDR_W-1:0] waddr_i [0:NW-1],
	input  wire [EW-1:0]     wdata_i [0:NW-1],
	input  wire [ADDR_W-1:0] raddr_i [0:NR-1],
	output wire [EW-1:0]     rdata_o [0:NR-1]
);
	reg [EW-1:0] mem [0:DEPTH-1];

	integer l;
	always @(posedge clk_i) begin
		for (l = 0; l < NW; l = l + 1)
			if (we_i[l])
				mem[waddr_i[l]] <= wdata_i[l];
	end

	genvar r;
	generate
		for (r = 0; r < NR; r = r + 1) begin : g_rd
			if (RD_REG != 0) begin : g_sync
				reg [EW-1:0] rdata_q;
				always @(posedge clk_i)
					rdata_q <= mem[raddr_i[r]];
				assign rdata_o[r] = rdata_q;
			end else begin : g_async
				assign rdata_o[r] = mem[raddr_i[r]];
			end
		end
	endgenerate
endmodule
