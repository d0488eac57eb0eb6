/* version.h — tessera's version, one definition for the library and the CLI. */
#ifndef TESSERA_VERSION_H
#define TESSERA_VERSION_H

#define TS_VERSION_MAJOR 0
#define TS_VERSION_MINOR 1
#define TS_VERSION_PATCH 0
#define TS_VERSION_STRING "0.1.0"

const char *ts_version(void);

#endif
