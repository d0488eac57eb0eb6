// ts_loader — scatters the bytes of a LOAD into scratchpad words: `rows`
// rows of rb0 bytes then `rows2` rows of rb2 bytes, each row into its own
// word of word_bytes_i bytes from word `word0` on (desc.h LOAD). Up to B bytes
// per beat, so a beat may fill several words; the unused tail of a word is
// left as it was (the array masks elements beyond a tile, docs/timing.md).
module ts_loader #(
	parameter B          = 4,
	parameter ADDR_W     = 16
) (
	input  wire              clk_i,
	input  wire [31:0]       word_bytes_i, // the target scratchpad's word size
	input  wire              start_i,     // a LOAD begins: latch the fields
	input  wire [31:0]       word0_i,
	input  wire [31:0]       rows_i,
	input  wire [31:0]       rb0_i,
	input  wire [31:0]       rb2_i,
	input  wire [31:0]       bytes_i,
	input  wire              beat_i,      // a beat of the LOAD's transfer
	input  wire [7:0]        rdata_i [0:B-1],
	output reg               we_o    [0:B-1],
	output reg  [ADDR_W-1:0] waddr_o [0:B-1],
	output reg  [7:0]        wdata_o [0:B-1]
);
	reg [31:0] row_q, off_q, rb_q, left_q, rows_q, rb2_q, word0_q;
	reg [31:0] row_d, off_d, rb_d, addr;

	integer l;
	always @(*) begin
		row_d = row_q;
		off_d = off_q;
		rb_d  = rb_q;
		for (l = 0; l < B; l = l + 1) begin
			we_o[l]    = beat_i && (l < left_q);
			addr       = (word0_q + row_d) * word_bytes_i + off_d;
			waddr_o[l] = addr[ADDR_W-1:0];
			wdata_o[l] = rdata_i[l];
			if (off_d + 1 == rb_d) begin
				off_d = 32'd0;
				row_d = row_d + 32'd1;
				if (row_d == rows_q)
					rb_d = rb2_q;
			end else begin
				off_d = off_d + 32'd1;
			end
		end
	end

	always @(posedge clk_i) begin
		if (start_i) begin
			row_q   <= 32'd0;
			off_q   <= 32'd0;
			rb_q    <= rb0_i;
			rb2_q   <= rb2_i;
			rows_q  <= rows_i;
			word0_q <= word0_i;
			left_q  <= bytes_i;
		end else if (beat_i) begin
			row_q  <= row_d;
			off_q  <= off_d;
			rb_q   <= rb_d;
			left_q <= (left_q > B) ? left_q - B : 32'd0;
		end
	end
endmodule
