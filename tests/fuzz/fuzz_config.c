/* fuzz_config.c — libFuzzer target for the hwcfg.json parser. Besides not
 * crashing, every accepted config must validate, and serialize to JSON that
 * parses back to the same config. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tessera/hwcfg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	ts_hwcfg c, back;
	ts_diag d;
	ts_diag_clear(&d);
	if (ts_hwcfg_parse(buf, size, "fuzz.json", &c, &d) == TS_OK) {
		if (ts_hwcfg_validate(&c, &d) != TS_OK)
			abort();
		char *text = ts_hwcfg_to_json(&c);
		if (!text)
			abort();
		if (ts_hwcfg_parse(text, strlen(text), "fuzz-rt.json", &back, &d) != TS_OK ||
		    !ts_hwcfg_equal(&c, &back))
			abort();
		free(text);
	} else if (d.msg[0] == '\0') {
		abort(); /* every rejection must say why */
	}
	free(buf);
	return 0;
}
