/* bitstream.c — the bitstream files deploy takes to a board (gen.h): is a file a
 * bitstream of the board's family and part (the iCE40 preamble; the ECP5 preamble and
 * ecppack's "Part:" comment; a Xilinx sync word and a .bit's part field), and a Zynq
 * bitstream as Linux's FPGA manager takes it (docs/deploy.md §3.2 with the sources). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tessera/gen.h"
#include "tessera/util.h"

/* zynq-fpga.c: fpga_manager_ops.initial_header_size, the bytes write_init gets to find
 * the sync word in */
#define ZYNQ_HEADER_BYTES 128

/* p occurs in data[0 .. within) (at a multiple of align): its offset, else -1 */
static long find_bytes(const uint8_t *data, size_t len, size_t within, const uint8_t *p, size_t plen, size_t align)
{
	for (size_t i = 0; i + plen <= len && i < within; i += align)
		if (!memcmp(data + i, p, plen))
			return (long)i;
	return -1;
}

static const uint8_t ICE40_PREAMBLE[] = { 0x7e, 0xaa, 0x99, 0x7e };      /* iCE40 configuration preamble */
static const uint8_t ECP5_PREAMBLE[] = { 0xff, 0xff, 0xbd, 0xb3 };       /* ECP5 sync (ecppack) */
static const uint8_t XILINX_SYNC[] = { 0xaa, 0x99, 0x55, 0x66 };         /* UG470/UG570 sync word */
static const uint8_t XILINX_SYNC_SWAPPED[] = { 0x66, 0x55, 0x99, 0xaa }; /* as zynq-fpga.c wants it */

ts_status ts_bitstream_check_open(const ts_board *b, const void *file, size_t len, const char *what, ts_diag *d)
{
	const uint8_t *data = file;
	if (!strcmp(b->family, "ice40")) {
		if (find_bytes(data, len, 256, ICE40_PREAMBLE, 4, 1) < 0)
			return ts_err(d, TS_ERR_INPUT, "%s: not an iCE40 bitstream (no preamble 0x7EAA997E in its first "
					  "256 bytes)", what);
		return TS_OK;
	}
	if (strcmp(b->family, "ecp5"))
		return ts_err(d, TS_ERR_UNSUPPORTED, "%s: %s is not an open-tool board", what, b->name);
	if (find_bytes(data, len, 1024, ECP5_PREAMBLE, 4, 1) < 0)
		return ts_err(d, TS_ERR_INPUT, "%s: not an ECP5 bitstream (no preamble 0xFFFFBDB3 in its first 1024 "
				  "bytes)", what);
	/* ecppack's comment names the part: "Part: LFE5U-85F-6CABGA381"; the board's
	 * "lfe5u-85f-6bg381c": the device (before the second '-') must agree */
	const char *part = memmem(data, len < 1024 ? len : 1024, "Part: ", 6);
	if (part) {
		char device[32];
		ts_strlcpy(device, b->part, sizeof device);
		char *dash = strchr(device, '-');
		if (dash && (dash = strchr(dash + 1, '-')))
			*dash = 0;
		const char *named = part + 6;
		size_t room = (size_t)((const char *)data + len - named), n = 0;
		while (n < room && n < 32 && named[n] > ' ' && named[n] < 0x7f)
			n++;
		if (n < strlen(device) || strncasecmp(named, device, strlen(device)))
			return ts_err(d, TS_ERR_INPUT, "%s: built for part %.*s, not %s's %s", what, (int)n, named, b->name,
				      b->part);
	}
	return TS_OK;
}

/* A Zynq bitstream as the FPGA manager takes it: from a Vivado .bit, the payload after
 * the header (fields 'a' design, 'b' part, 'c' date, 'd' time, then 'e' with a 4-byte
 * length and the configuration data), each 32-bit word byte-swapped; a .bin (the raw
 * configuration data) swapped when it is in the .bit's byte order, kept when it is
 * swapped already. The result holds the swapped sync word 66 55 99 AA at a word
 * boundary in its first 128 bytes (zynq-fpga.c zynq_fpga_has_sync) and whole words.
 * info says what was done. */
ts_status ts_bitstream_zynq_bin(const ts_board *b, const void *file, size_t len, const char *what, void **out,
				size_t *out_len, ts_bitstream_info *info, ts_diag *d)
{
	const uint8_t *p = file;
	size_t off = 0, body = 0, body_len = len;
	char part[64] = "";
	int is_bit = len >= 13 && p[0] == 0x00 && p[1] == 0x09;
	memset(info, 0, sizeof *info);
	*out = NULL;
	*out_len = 0;
	if (is_bit) {
		/* a length-prefixed 9-byte field, then 00 01, then the lettered fields */
		off = 2 + 9;
		if (len < off + 2 || p[off] != 0x00 || p[off + 1] != 0x01)
			return ts_err(d, TS_ERR_INPUT, "%s: not a Xilinx .bit (no 00 01 after its first field)", what);
		off += 2;
		for (;;) {
			if (off >= len)
				return ts_err(d, TS_ERR_INPUT, "%s: a Xilinx .bit without its data field 'e'", what);
			uint8_t key = p[off++];
			if (key == 'e') {
				if (off + 4 > len)
					return ts_err(d, TS_ERR_INPUT, "%s: the .bit ends in its 'e' length", what);
				uint32_t n = (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 | (uint32_t)p[off + 2] << 8 | p[off + 3];
				off += 4;
				if (n > len - off)
					return ts_err(d, TS_ERR_INPUT, "%s: the .bit's data field says %u bytes, the file has %zu",
						      what, n, len - off);
				body = off;
				body_len = n;
				break;
			}
			if (key < 'a' || key > 'd')
				return ts_err(d, TS_ERR_INPUT, "%s: not a Xilinx .bit (unknown field 0x%02x at byte %zu)", what,
					      key, off - 1);
			if (off + 2 > len)
				return ts_err(d, TS_ERR_INPUT, "%s: the .bit ends in field '%c'", what, key);
			size_t n = (size_t)p[off] << 8 | p[off + 1];
			off += 2;
			if (n > len - off)
				return ts_err(d, TS_ERR_INPUT, "%s: the .bit's field '%c' runs past its end", what, key);
			if (key == 'b')
				snprintf(part, sizeof part, "%.*s", (int)(n && !p[off + n - 1] ? n - 1 : n), (const char *)p + off);
			off += n;
		}
		/* the part ("7z020clg400" in a Zynq-7000 .bit) against the board's
		 * ("xc7z020clg400-1"): without "xc", the board's up to its first '-' begins the
		 * .bit's, and no digit follows there (7z020 is not 7z0200) */
		if (part[0]) {
			const char *want = b->part, *got = part;
			want += strncasecmp(want, "xc", 2) ? 0 : 2;
			got += strncasecmp(got, "xc", 2) ? 0 : 2;
			size_t wn = strcspn(want, "-");
			if (strncasecmp(want, got, wn) || (got[wn] >= '0' && got[wn] <= '9'))
				return ts_err(d, TS_ERR_INPUT, "%s: built for part %s, not %s's %s", what, part, b->name,
					      b->part);
		}
	}
	if (body_len % 4)
		return ts_err(d, TS_ERR_INPUT, "%s: %zu bytes of configuration data, not whole 32-bit words", what,
			      body_len);
	const uint8_t *src = p + body;
	int swap;
	if (find_bytes(src, body_len, ZYNQ_HEADER_BYTES, XILINX_SYNC, 4, 4) >= 0)
		swap = 1;
	else if (!is_bit && find_bytes(src, body_len, ZYNQ_HEADER_BYTES, XILINX_SYNC_SWAPPED, 4, 4) >= 0)
		swap = 0;
	else
		return ts_err(d, TS_ERR_INPUT, "%s: no Xilinx sync word (0xAA995566) at a word boundary in the first %d "
				  "bytes of its configuration data: not a Zynq bitstream", what, ZYNQ_HEADER_BYTES);
	uint8_t *bin = malloc(body_len ? body_len : 1);
	if (!bin)
		return ts_err(d, TS_ERR_NOMEM, "out of memory for %s", what);
	for (size_t i = 0; i < body_len; i += 4)
		for (int k = 0; k < 4; k++)
			bin[i + (size_t)k] = swap ? src[i + 3 - (size_t)k] : src[i + (size_t)k];
	info->is_bit = is_bit;
	info->swapped = swap;
	info->header_bytes = body;
	ts_strlcpy(info->part, part, sizeof info->part);
	*out = bin;
	*out_len = body_len;
	return TS_OK;
}
