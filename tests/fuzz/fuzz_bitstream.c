/* fuzz_bitstream.c — libFuzzer target for the bitstream files `tessera deploy` reads
 * (gen.h): ts_bitstream_zynq_bin on the PYNQ-Z2 and ts_bitstream_check_open on the
 * iCEBreaker and the ULX3S. Besides not crashing: an accepted Zynq file gives whole
 * 32-bit words, no more than the file, with the swapped sync word 66 55 99 AA at a word
 * boundary in the first 128 bytes (what zynq-fpga.c checks); a rejected one gives no
 * output and one message naming the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/gen.h"

static void refused(ts_status st, const ts_diag *d)
{
	if ((st != TS_ERR_INPUT && st != TS_ERR_NOMEM) || strncmp(d->msg, "fuzz.bit: ", 10))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t sync[] = { 0x66, 0x55, 0x99, 0xaa };
	const ts_board *z7 = ts_board_find("pynq-z2");
	void *out = (void *)1;
	size_t len = 99;
	ts_bitstream_info info;
	ts_diag d = { { 0 } };
	ts_status st = ts_bitstream_zynq_bin(z7, data, size, "fuzz.bit", &out, &len, &info, &d);
	if (st != TS_OK) {
		if (out || len)
			abort();
		refused(st, &d);
	} else {
		const uint8_t *bin = out;
		int found = 0;
		if (d.msg[0] || len % 4 || len > size || (info.is_bit && len + info.header_bytes > size))
			abort();
		for (size_t i = 0; i + 4 <= len && i < 128 && !found; i += 4)
			found = !memcmp(bin + i, sync, 4);
		if (!found || memchr(info.part, 0, sizeof info.part) == NULL)
			abort();
		free(out);
	}
	const char *open_boards[] = { "icebreaker", "ulx3s" };
	for (int k = 0; k < 2; k++) {
		ts_diag e = { { 0 } };
		st = ts_bitstream_check_open(ts_board_find(open_boards[k]), data, size, "fuzz.bit", &e);
		if (st != TS_OK)
			refused(st, &e);
		else if (e.msg[0])
			abort();
	}
	return 0;
}
