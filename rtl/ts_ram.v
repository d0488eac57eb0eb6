// ts_ram — one block-RAM bank of the input / weight scratchpads (ts_spad;
// ts_acc writes the same form inline, see there): DEPTH words of WIDTH bits,
// written the way synthesis tools infer block RAM:
// - one write port: on a clock with we_i, lane k of word waddr_i (bits
//   k*LANE +: LANE) takes wdata_i's lane k where wbe_i[k] is set (LANE = 8:
//   byte enables; LANE = WIDTH: whole words);
// - one read port with a registered output: on a clock with re_i, rdata_o <=
//   word raddr_i (data one cycle after the address, held while re_i is low).
//   A read of the word being written in the same cycle is undefined: no_rw_check
//   tells yosys so, else it emulates read-before-write with a comparator, a
//   bypass register and a mux per bit around every block RAM (synth_ice40:
//   ~80 cells per 256x32 bank). No scratchpad reads a word in the cycle it
//   is written (ts_spad, ts_acc say why). The simulation models return the
//   old word.
// en_i gates both ports (a bank group's common "any access" signal: a
// simulator tests it once for all banks of the group on idle cycles).
// Under Verilator the write is one blocking masked store (the non-blocking
// per-lane form for other tools and synthesis): the read comes first in the
// same block, so both forms read the old word, and Verilator saves one
// shadowed write site per lane on every simulated cycle.
module ts_ram #(
	parameter WIDTH = 16,
	parameter LANE  = 8,    // bits per write enable; WIDTH must be a multiple
	parameter DEPTH = 32,   // words
	parameter AW    = 5     // address bits
) (
	input  wire                    clk_i,
	input  wire                    en_i,    // re_i / we_i count only with en_i
	input  wire                    we_i,
	input  wire [AW-1:0]           waddr_i,
	input  wire [WIDTH/LANE-1:0]   wbe_i,
	input  wire [WIDTH-1:0]        wdata_i,
	input  wire                    re_i,
	input  wire [AW-1:0]           raddr_i,
	output reg  [WIDTH-1:0]        rdata_o
);
	localparam NL = WIDTH / LANE;

	(* no_rw_check *)
	reg [WIDTH-1:0] mem [0:DEPTH-1];

	integer k;
`ifdef VERILATOR
	reg [WIDTH-1:0] bits;  // the enabled lanes as a bit mask
	/* verilator lint_off BLKSEQ */
	always @(posedge clk_i) begin
		if (en_i) begin
			if (re_i)
				rdata_o <= mem[raddr_i];
			if (we_i) begin
				for (k = 0; k < NL; k = k + 1)
					bits[k*LANE +: LANE] = {LANE{wbe_i[k]}};
				mem[waddr_i] = (mem[waddr_i] & ~bits) | (wdata_i & bits);
			end
		end
	end
	/* verilator lint_on BLKSEQ */
`else
	always @(posedge clk_i) begin
		if (en_i) begin
			if (re_i)
				rdata_o <= mem[raddr_i];
			if (we_i)
				for (k = 0; k < NL; k = k + 1)
					if (wbe_i[k])
						mem[waddr_i][k*LANE +: LANE] <= wdata_i[k*LANE +: LANE];
		end
	end
`endif
endmodule
