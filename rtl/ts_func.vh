// ts_func.vh — constant functions the RTL modules share, included inside a
// module's body (`include "ts_func.vh"), so each module has its own copy of
// the definitions; no include guard for that reason. Found with -Irtl.

// clog2(v): bits for 0 .. v - 1 (at least 1): clog2(1) = clog2(2) = 1, clog2(3) = 2.
function integer clog2;
	input integer v;
	integer x;
	begin
		clog2 = 1;
		for (x = 2; x < v; x = x * 2)
			clog2 = clog2 + 1;
	end
endfunction
