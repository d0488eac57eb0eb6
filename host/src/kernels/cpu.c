/* cpu.c — runtime ISA detection and selection for the kernels (TESSERA_ISA forces one).
 * AMX is detected and reported but tessera has no AMX kernel; AVX512_VPOPCNTDQ is detected
 * for the binary GEMM (within the avx512vnni tier, which does not imply it). */
#include <cpuid.h>
#include <stdlib.h>

#include "kernels/kernels_internal.h"
#include "tessera/util.h"

static const char *const isa_names[TS_ISA_COUNT] = { "auto", "scalar", "avx2", "avx512vnni", "amx" };

const char *ts_isa_name(ts_isa isa)
{
	return (unsigned)isa < TS_ISA_COUNT ? isa_names[isa] : "?";
}

int ts_isa_from_name(const char *s, ts_isa *out)
{
	for (int i = 0; i < TS_ISA_COUNT; i++)
		if (ts_name_eq(s, isa_names[i])) {
			*out = (ts_isa)i;
			return 0;
		}
	return -1;
}

/* AMX-INT8 and AMX-TILE (CPUID.(EAX=7,ECX=0):EDX bits 25, 24). The OS must also grant
 * the tile state (arch_prctl), which a kernel would request; detection stops here. */
static int cpu_has_amx(void)
{
	unsigned a, b, c, dx;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &dx))
		return 0;
	return (dx >> 24 & 1) && (dx >> 25 & 1);
}

int ts_isa_supported(ts_isa isa)
{
	__builtin_cpu_init();
	switch (isa) {
	case TS_ISA_AUTO:
	case TS_ISA_SCALAR: return 1;
	case TS_ISA_AVX2: return !!__builtin_cpu_supports("avx2");
	case TS_ISA_AVX512VNNI:
		return !!__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
	case TS_ISA_AMX: return cpu_has_amx();
	default: return 0;
	}
}

int ts_cpu_has_vpopcntdq(void)
{
	__builtin_cpu_init();
	return !!__builtin_cpu_supports("avx512vpopcntdq");
}

int ts_isa_implemented(ts_isa isa)
{
	return isa == TS_ISA_SCALAR || isa == TS_ISA_AVX2 || isa == TS_ISA_AVX512VNNI;
}

ts_status ts_isa_select(ts_isa *out, ts_diag *d)
{
	const char *env = getenv("TESSERA_ISA");
	if (env && *env && !ts_name_eq(env, "auto")) {
		ts_isa isa = TS_ISA_AUTO;
		if (ts_isa_from_name(env, &isa))
			return ts_err(d, TS_ERR_INPUT,
				      "TESSERA_ISA '%s': must be auto, scalar, avx2, avx512vnni or amx", env);
		if (!ts_isa_supported(isa))
			return ts_err(d, TS_ERR_INPUT, "TESSERA_ISA=%s: this CPU does not support %s",
				      env, ts_isa_name(isa));
		if (!ts_isa_implemented(isa))
			return ts_err(d, TS_ERR_UNSUPPORTED,
				      "TESSERA_ISA=%s: the CPU has it but tessera has no %s kernel",
				      env, ts_isa_name(isa));
		*out = isa;
		return TS_OK;
	}
	if (ts_isa_supported(TS_ISA_AVX512VNNI))
		*out = TS_ISA_AVX512VNNI;
	else if (ts_isa_supported(TS_ISA_AVX2))
		*out = TS_ISA_AVX2;
	else
		*out = TS_ISA_SCALAR;
	return TS_OK;
}

ts_status ts_kernel_threads_env(unsigned *threads, ts_diag *d)
{
	const char *env = getenv("TESSERA_THREADS");
	*threads = 1;
	if (!env || !*env)
		return TS_OK;
	char *end;
	long v = strtol(env, &end, 10);
	if (*end || v < 1 || v > 256)
		return ts_err(d, TS_ERR_INPUT, "TESSERA_THREADS '%s': must be an integer in 1..256", env);
	*threads = (unsigned)v;
	return TS_OK;
}
