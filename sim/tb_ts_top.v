// tb_ts_top — the Icarus Verilog peer of sim/ts_sim_shim.cpp: the same clock,
// reset, AXI4-Lite register accesses and DRAM model (a request during cycle t
// is answered by ceil(len / B) beats in cycles t + L, t + L + 1, ..., a write
// beat only in a cycle with mem_wvalid; each beat
// carries B consecutive bytes from any byte address), cycle for cycle, so a run
// takes exactly the cycles it takes under Verilator (tests/bench/bench_sim.c
// checks it). Verilog-2005; parameters from the generated tessera_params.vh,
// register offsets and bits from the generated ts_regmap.vh.
//
// Compile: iverilog -g2005 -DTS_GENERATED_PARAMS -DTB_MEM_BYTES=<n> -I<gen> -Irtl
//          -s tb_ts_top rtl/*.v sim/tb_ts_top.v
// Run:     vvp tb.vvp +image=<hex> +base=<hex addr> +desc=<hex addr> +count=<n>
//          [+out=<hex> +out_off=<hex> +out_len=<hex>]
// image: one byte per line ($readmemh) loaded at base; the memory window is
// [base, base + TB_MEM_BYTES). Prints one line:
//   tb: cycles <CYCLES reg> ticks <cycles stepped> err <ERR_CODE> desc <DESC_DONE>
// and writes bytes [base + out_off, + out_len) to `out` ($writememh).
`timescale 1ns / 1ps
// (rtl/ts_top.v and rtl/ts_axil_regs.v, compiled first, have included both;
// ts_regmap.vh has an include guard, tessera_params.vh none)
`ifndef TS_DRAM_LATENCY
`include "tessera_params.vh"
`endif
`include "ts_regmap.vh"
`ifndef TB_MEM_BYTES
`define TB_MEM_BYTES 65536
`endif
module tb_ts_top;
	localparam B = `TS_DRAM_BPC;
	localparam L = `TS_DRAM_LATENCY;
	localparam MEM_BYTES = `TB_MEM_BYTES;

	reg         clk = 1'b0;
	reg         rst_n = 1'b0;
	reg         awvalid = 1'b0, wvalid = 1'b0, arvalid = 1'b0;
	reg  [11:0] awaddr = 12'd0, araddr = 12'd0;
	reg  [31:0] wdata = 32'd0;
	wire        awready, wready, bvalid, arready, rvalid;
	wire [1:0]  bresp, rresp;
	wire [31:0] rdata;
	wire        mem_req, mem_we, mem_wvalid;
	wire [63:0] mem_addr;
	wire [31:0] mem_len;
	reg         mem_beat = 1'b0;
	reg  [8*B-1:0] mem_rdata = {8*B{1'b0}};
	wire [8*B-1:0] mem_wdata;
	wire        busy, irq;

	ts_top dut (
		.clk_i(clk), .rst_ni(rst_n),
		.s_awvalid_i(awvalid), .s_awready_o(awready), .s_awaddr_i(awaddr),
		.s_wvalid_i(wvalid), .s_wready_o(wready), .s_wdata_i(wdata), .s_wstrb_i(4'hf),
		.s_bvalid_o(bvalid), .s_bready_i(1'b1), .s_bresp_o(bresp),
		.s_arvalid_i(arvalid), .s_arready_o(arready), .s_araddr_i(araddr),
		.s_rvalid_o(rvalid), .s_rready_i(1'b1), .s_rdata_o(rdata), .s_rresp_o(rresp),
		.mem_req_o(mem_req), .mem_we_o(mem_we), .mem_addr_o(mem_addr), .mem_len_o(mem_len),
		.mem_beat_i(mem_beat), .mem_rdata_i(mem_rdata), .mem_wdata_o(mem_wdata),
		.mem_wvalid_o(mem_wvalid), .busy_o(busy), .irq_o(irq)
	);

	reg [7:0]  mem [0:MEM_BYTES-1];
	reg [63:0] base;
	reg [63:0] cycle = 64'd0;
	reg [63:0] oob = 64'd0;
	// the transfer in flight (ts_sim_shim.cpp: struct xfer)
	reg        x_active = 1'b0, x_we = 1'b0;
	reg [63:0] x_addr, x_len, x_start, x_beat, x_beats;

	// Byte at a memory address; 0 (and counted) outside the window.
	function [7:0] peek;
		input [63:0] a;
		begin
			if (a < base || a - base >= MEM_BYTES) begin
				peek = 8'd0;
				oob = oob + 64'd1;
			end else begin
				peek = mem[a - base];
			end
		end
	endfunction

	// One clock cycle: memory beat in, negedge, write data out, posedge.
	reg        beat;
	reg [63:0] off;
	integer    i;
	task tick;
		begin
			beat = x_active && cycle >= x_start && (!x_we || mem_wvalid);
			mem_beat = beat;
			off = x_addr + x_beat * B;
			if (beat && !x_we)
				for (i = 0; i < B; i = i + 1)
					mem_rdata[8*i +: 8] = (x_beat * B + i < x_len) ? peek(off + i) : 8'd0;
			clk = 1'b0;
			#5;
			if (beat && x_we)
				for (i = 0; i < B; i = i + 1)
					if (x_beat * B + i < x_len) begin
						if (off + i < base || off + i - base >= MEM_BYTES)
							oob = oob + 64'd1;
						else
							mem[off + i - base] = mem_wdata[8*i +: 8];
					end
			clk = 1'b1;
			#5;
			cycle = cycle + 64'd1;
			if (beat) begin
				x_beat = x_beat + 64'd1;
				if (x_beat == x_beats)
					x_active = 1'b0;
			end
			if (mem_req) begin
				// the request is high during the cycle that starts now
				x_active = 1'b1;
				x_we = mem_we;
				x_addr = mem_addr;
				x_len = {32'd0, mem_len};
				x_beat = 64'd0;
				x_beats = (x_len + B - 1) / B;
				x_start = cycle + L;
				if (x_beats == 64'd0)
					x_active = 1'b0;
			end
		end
	endtask

	task reg_write;
		input [11:0] a;
		input [31:0] v;
		begin
			awaddr = a;
			wdata = v;
			awvalid = 1'b1;
			wvalid = 1'b1;
			tick;  // AW and W taken
			awvalid = 1'b0;
			wvalid = 1'b0;
			tick;  // B taken
		end
	endtask

	task reg_read;
		input  [11:0] a;
		output [31:0] v;
		begin
			araddr = a;
			arvalid = 1'b1;
			tick;  // AR taken; R valid from now on
			arvalid = 1'b0;
			v = rdata;
			tick;  // R taken
		end
	endtask

	reg [1023:0] image, out;
	reg [63:0]   desc, out_off, out_len, t0, n;
	reg [31:0]   count, status, cyc_lo, cyc_hi, err, ndesc;
	initial begin
		if (!$value$plusargs("image=%s", image) || !$value$plusargs("base=%h", base) ||
		    !$value$plusargs("desc=%h", desc) || !$value$plusargs("count=%d", count)) begin
			$display("tb: usage: vvp tb.vvp +image=FILE +base=HEX +desc=HEX +count=N [+out=FILE +out_off=HEX +out_len=HEX]");
			$finish;
		end
		for (n = 0; n < MEM_BYTES; n = n + 1)
			mem[n] = 8'd0;
		$readmemh(image, mem);
		// tsv_reset: four cycles in reset, one out
		for (i = 0; i < 4; i = i + 1)
			tick;
		rst_n = 1'b1;
		x_active = 1'b0;
		tick;
		// ts_sim_exec's register sequence
		reg_write(`TS_REG_STATUS, `TS_STATUS_DONE | `TS_STATUS_ERROR);
		reg_write(`TS_REG_MEM_LO, base[31:0]);
		reg_write(`TS_REG_MEM_HI, base[63:32]);
		reg_write(`TS_REG_MEM_SIZE, MEM_BYTES);
		reg_write(`TS_REG_DESC_LO, desc[31:0]);
		reg_write(`TS_REG_DESC_HI, desc[63:32]);
		reg_write(`TS_REG_DESC_MAX, count);
		reg_write(`TS_REG_CTRL, `TS_CTRL_START);
		t0 = cycle;
		while (busy)
			tick;
		n = cycle - t0;
		reg_read(`TS_REG_STATUS, status);
		reg_read(`TS_REG_CYCLES_LO, cyc_lo);
		reg_read(`TS_REG_CYCLES_HI, cyc_hi);
		reg_read(`TS_REG_ERR_CODE, err);
		reg_read(`TS_REG_DESC_DONE, ndesc);
		$display("tb: cycles %0d ticks %0d err %0d desc %0d status %0d oob %0d",
			 {cyc_hi, cyc_lo}, n, err, ndesc, status, oob);
		if ($value$plusargs("out=%s", out) && $value$plusargs("out_off=%h", out_off) &&
		    $value$plusargs("out_len=%h", out_len))
			$writememh(out, mem, out_off, out_off + out_len - 1);
		$finish;
	end
endmodule
