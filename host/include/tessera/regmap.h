/* regmap.h — register offsets, bit fields and error codes from regmap.def and
 * hwerr.def, for C code (driver, simulator, runtime). The RTL include is
 * generated from the same tables, so hardware and software never disagree. */
#ifndef TESSERA_REGMAP_H
#define TESSERA_REGMAP_H

/* TS_REGMAP_VERSION, TS_REG_ID_MAGIC */
enum {
#define TS_REG_CONST(name, value, description) TS_##name = (value),
#include "tessera/regmap.def"
};

enum ts_reg {
#define TS_REG(name, offset, access, description) TS_REG_##name = (offset),
#include "tessera/regmap.def"
};

/* Register fields: TS_<reg>_<name> is the mask in place (TS_CTRL_START,
 * TS_STATUS_DONE, ...), TS_<reg>_<name>_LSB its lowest bit, _WIDTH its bits. */
enum {
#define TS_REG_FIELD(reg, name, lsb, width, description)                                              \
	TS_##reg##_##name = (0xffffffffu >> (32 - (width))) << (lsb),                               \
	TS_##reg##_##name##_LSB = (lsb),                                                            \
	TS_##reg##_##name##_WIDTH = (width),
#include "tessera/regmap.def"
};

/* ERR_CODE values: why the controller stopped a run. */
typedef enum ts_hw_err {
#define TS_HWERR(name, code, what) TS_HWERR_##name = (code),
#include "tessera/hwerr.def"
#undef TS_HWERR
	TS_HWERR_COUNT
} ts_hw_err;

const char *ts_hw_err_name(ts_hw_err e);

#endif
