/* regmap.h — register offsets and bit fields from regmap.def, for C code
 * (driver, simulator, runtime). The RTL include is generated from the same
 * table, so hardware and software never disagree on an offset. */
#ifndef TESSERA_REGMAP_H
#define TESSERA_REGMAP_H

#define TS_REGMAP_VERSION 1u
#define TS_REG_ID_MAGIC 0x54535231u

enum ts_reg {
#define TS_REG(name, offset, access, description) TS_REG_##name = (offset),
#include "tessera/regmap.def"
#undef TS_REG
};

enum {
	TS_CTRL_START = 1u << 0,
	TS_CTRL_SOFT_RESET = 1u << 1,
	TS_CTRL_IRQ_ENABLE = 1u << 2,
	TS_STATUS_BUSY = 1u << 0,
	TS_STATUS_DONE = 1u << 1,
	TS_STATUS_ERROR = 1u << 2,
};

/* ERR_CODE values: why the controller stopped a run. */
typedef enum ts_hw_err {
	TS_HWERR_NONE = 0,
	TS_HWERR_BAD_OPCODE,     /* unknown opcode or reserved bits set */
	TS_HWERR_ZERO_LENGTH,    /* LOAD/STORE of zero rows or bytes, COMPUTE of an empty tile */
	TS_HWERR_ADDR_RANGE,     /* memory access outside [MEM, MEM + MEM_SIZE) or misaligned list */
	TS_HWERR_SPAD_RANGE,     /* scratchpad words outside the scratchpad */
	TS_HWERR_TILE_RANGE,     /* COMPUTE tile larger than the array (kt > rows, nt > cols, ...) */
	TS_HWERR_BYTES_MISMATCH, /* LOAD/STORE byte count inconsistent with its rows and elements */
	TS_HWERR_NO_FENCE,       /* DESC_MAX descriptors executed without a FENCE */
	TS_HWERR_COUNT
} ts_hw_err;

const char *ts_hw_err_name(ts_hw_err e);

#endif
