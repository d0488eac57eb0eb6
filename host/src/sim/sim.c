/* sim.c — build-on-demand and dlopen of the Verilated model (sim.h).
 * Build: generate the includes (gen.h), hash them with every rtl/<name>.v
 * and the shim, and if build/simcache/<hash>/libtsv.so is missing run
 * verilator --cc, the generated Makefile (OPT_FAST=-O2) and g++ -shared into a
 * private directory that is renamed into place (concurrent builders are safe:
 * the loser discards its copy). */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tessera/gen.h"
#include "tessera/sim.h"
#include "tessera/util.h"

#define SIM_API_VERSION 1
#define DEFAULT_MEM_BASE 0x10000000ull
#define DEFAULT_MEM_SIZE (64ull << 20)
/* Compiler flags of the model beyond the defaults, hashed with the sources so
 * a change rebuilds the cache. The model and the shim are one shared library:
 * -fno-semantic-interposition and -Bsymbolic bind its internal calls (eval ->
 * the generated eval functions) directly instead of through the PLT. */
#define MODEL_CXXFLAGS "-fPIC -fno-semantic-interposition"
#define BUILD_RECIPE "O2 " MODEL_CXXFLAGS " -Wl,-Bsymbolic"

typedef struct tsv tsv;

struct ts_sim {
	void *lib;
	tsv *model;
	uint64_t base, size;
	int (*api_version)(void);
	tsv *(*create)(uint64_t, uint64_t);
	void (*free_model)(tsv *);
	void (*reset)(tsv *);
	void (*step)(tsv *, uint64_t);
	int (*run)(tsv *, uint64_t, uint64_t *);
	uint32_t (*reg_read)(tsv *, uint32_t);
	void (*reg_write)(tsv *, uint32_t, uint32_t);
	int (*mem_write)(tsv *, uint64_t, const void *, size_t);
	int (*mem_read)(tsv *, uint64_t, void *, size_t);
	uint64_t (*mem_oob)(tsv *);
	uint64_t (*cycle)(tsv *);
	int (*trace)(tsv *, const char *);
};

/* ---- content hash (FNV-1a 64) ---------------------------------------------- */
static void fnv(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= 0x100000001b3ull;
	}
}

static ts_status hash_file(uint64_t *h, const char *path, ts_diag *d)
{
	char *buf;
	size_t len;
	ts_status st = ts_read_file(path, &buf, &len, d);
	if (st)
		return st;
	fnv(h, buf, len);
	free(buf);
	return TS_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted names of the rtl/ Verilog files (malloc'd array of malloc'd strings). */
static ts_status list_rtl(const char *root, char ***names, size_t *count, ts_diag *d)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/rtl", root);
	DIR *dp = opendir(dir);
	if (!dp)
		return ts_err(d, TS_ERR_IO, "%s: cannot open the RTL directory: %s (run from the "
				 "repository root or set TESSERA_ROOT)", dir, strerror(errno));
	char **v = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dp))) {
		size_t len = strlen(e->d_name);
		if (len < 3 || strcmp(e->d_name + len - 2, ".v"))
			continue;
		char **nv = realloc(v, (n + 1) * sizeof *v);
		char *s = strdup(e->d_name);
		if (!nv || !s) {
			free(s);
			free(nv ? nv : v);
			closedir(dp);
			return ts_err(d, TS_ERR_NOMEM, "sim: out of memory");
		}
		v = nv;
		v[n++] = s;
	}
	closedir(dp);
	qsort(v, n, sizeof *v, cmp_str);
	*names = v;
	*count = n;
	return TS_OK;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* ---- running tools ------------------------------------------------------------ */
static int run_logged(char *const argv[], const char *log)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0666);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static ts_status mkdir_p(const char *path, ts_diag *d)
{
	char tmp[1024];
	ts_strlcpy(tmp, path, sizeof tmp);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
			return ts_err(d, TS_ERR_IO, "%s: cannot create directory: %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0777) != 0 && errno != EEXIST)
		return ts_err(d, TS_ERR_IO, "%s: cannot create directory: %s", tmp, strerror(errno));
	return TS_OK;
}

static void verilator_root(char *out, size_t size)
{
	ts_strlcpy(out, "/usr/share/verilator", size);
	FILE *p = popen("verilator --getenv VERILATOR_ROOT 2>/dev/null", "r");
	if (!p)
		return;
	char line[512];
	if (fgets(line, sizeof line, p)) {
		line[strcspn(line, "\r\n")] = 0;
		if (line[0])
			ts_strlcpy(out, line, size);
	}
	pclose(p);
}

static const char *opt_root(const ts_sim_opts *o)
{
	if (o && o->root)
		return o->root;
	const char *e = getenv("TESSERA_ROOT");
	return e && *e ? e : ".";
}

static void opt_cache(const ts_sim_opts *o, const char *root, char *out, size_t size)
{
	const char *e = getenv("TESSERA_SIMCACHE");
	if (o && o->cache)
		ts_strlcpy(out, o->cache, size);
	else if (e && *e)
		ts_strlcpy(out, e, size);
	else
		snprintf(out, size, "%s/build/simcache", root);
}

#define ARGV_MAX 96

ts_status ts_sim_build(const ts_hwcfg *c, const ts_sim_opts *o, char *so_path, size_t so_size,
		       int *built, ts_diag *d)
{
	const char *root = opt_root(o);
	const char *source = o && o->source ? o->source : c->name;
	int trace = o && o->trace;
	char cache[1024], dir[1100], tmp[1200], path[1400], log[1300];
	opt_cache(o, root, cache, sizeof cache);
	if (built)
		*built = 0;

	ts_status st = ts_hwcfg_validate(c, d);
	if (st)
		return st;
	/* The banner names the config; hash the content without it so one config
	 * loaded from two places shares a model. */
	ts_gen_file gen[TS_GEN_FILES];
	if ((st = ts_gen_texts(c, "-", gen, d)))
		return st;
	uint64_t hash = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < TS_GEN_FILES; i++)
		fnv(&hash, gen[i].text, strlen(gen[i].text));
	ts_gen_texts_free(gen);
	int api = SIM_API_VERSION;
	fnv(&hash, &api, sizeof api);
	fnv(&hash, BUILD_RECIPE, strlen(BUILD_RECIPE));
	fnv(&hash, &trace, sizeof trace);
	char **names = NULL;
	size_t n_names = 0;
	if ((st = list_rtl(root, &names, &n_names, d)))
		return st;
	for (size_t i = 0; i < n_names && !st; i++) {
		snprintf(path, sizeof path, "%s/rtl/%s", root, names[i]);
		fnv(&hash, names[i], strlen(names[i]) + 1);
		st = hash_file(&hash, path, d);
	}
	const char *shim_files[] = { "sim/ts_sim_shim.cpp", "sim/ts_sim_api.h" };
	for (size_t i = 0; i < 2 && !st; i++) {
		snprintf(path, sizeof path, "%s/%s", root, shim_files[i]);
		st = hash_file(&hash, path, d);
	}
	if (st) {
		free_names(names, n_names);
		return st;
	}
	snprintf(dir, sizeof dir, "%s/%016llx%s", cache, (unsigned long long)hash, trace ? "-fst" : "");
	snprintf(so_path, so_size, "%s/libtsv.so", dir);
	if (access(so_path, R_OK) == 0) {
		free_names(names, n_names);
		return TS_OK;
	}

	/* Build privately, then rename into place. */
	if ((st = mkdir_p(cache, d))) {
		free_names(names, n_names);
		return st;
	}
	snprintf(tmp, sizeof tmp, "%s/tmp-%016llx-%ld", cache, (unsigned long long)hash, (long)getpid());
	rm_tree(tmp);
	char gen_dir[1300], obj_dir[1300];
	snprintf(gen_dir, sizeof gen_dir, "%s/gen", tmp);
	snprintf(obj_dir, sizeof obj_dir, "%s/obj", tmp);
	if ((st = mkdir_p(gen_dir, d)) || (st = ts_gen_write_sim_files(c, source, gen_dir, d))) {
		free_names(names, n_names);
		rm_tree(tmp);
		return st;
	}
	snprintf(log, sizeof log, "%s/build.log", tmp);
	if (!(o && o->quiet))
		fprintf(stderr, "tessera sim: building the Verilator model of '%s' (once per config, "
				"cached in %s)...\n", c->name, cache);
	double t0 = ts_now();

	char incl_gen[1400], incl_rtl[1400], vroot[512];
	snprintf(incl_gen, sizeof incl_gen, "-I%s", gen_dir);
	snprintf(incl_rtl, sizeof incl_rtl, "-I%s/rtl", root);
	char *argv[ARGV_MAX + 64];
	char *owned[64];
	size_t n_owned = 0;
	size_t a = 0;
	argv[a++] = "verilator";
	argv[a++] = "--cc";
	argv[a++] = "-O3";
	argv[a++] = "--x-assign";
	argv[a++] = "fast";
	argv[a++] = "--x-initial";
	argv[a++] = "fast";
	argv[a++] = "--noassert";
	/* loops that write memories per lane (B bytes, COLS columns) must unroll */
	argv[a++] = "--unroll-count";
	argv[a++] = "1024";
	argv[a++] = "-Wno-fatal";
	argv[a++] = "-Wno-lint";
	argv[a++] = "-Wno-style";
	argv[a++] = "+define+TS_GENERATED_PARAMS";
	argv[a++] = incl_gen;
	argv[a++] = incl_rtl;
	argv[a++] = "--top-module";
	argv[a++] = "ts_top";
	argv[a++] = "--Mdir";
	argv[a++] = obj_dir;
	if (trace)
		argv[a++] = "--trace-fst";
	for (size_t i = 0; i < n_names && n_owned < 64; i++) {
		char *p = malloc(strlen(root) + strlen(names[i]) + 8);
		if (!p)
			break;
		sprintf(p, "%s/rtl/%s", root, names[i]);
		owned[n_owned++] = p;
		argv[a++] = p;
	}
	argv[a] = NULL;
	int rc = run_logged(argv, log);
	for (size_t i = 0; i < n_owned; i++)
		free(owned[i]);
	free_names(names, n_names);
	if (rc != 0) {
		st = ts_err(d, TS_ERR_IO, "sim: verilator failed (exit %d); see %s", rc, log);
		return st;
	}

	char *make_argv[] = { "make", "-s", "-j2", "-C", obj_dir, "-f", "Vts_top.mk", "OPT_FAST=-O2",
			      "OPT_GLOBAL=-O2", "OPT_SLOW=-O1", "CXXFLAGS=" MODEL_CXXFLAGS, "Vts_top__ALL.a",
			      "verilated.o", "verilated_threads.o",
			      trace ? "verilated_fst_c.o" : NULL, NULL };
	if ((rc = run_logged(make_argv, log)) != 0)
		return ts_err(d, TS_ERR_IO, "sim: compiling the Verilated model failed (exit %d); see %s",
			      rc, log);

	verilator_root(vroot, sizeof vroot);
	char inc_v[600], inc_vstd[640], inc_obj[1400], inc_sim[1100], shim[1100], lib_a[1400],
		o_verilated[1400], o_threads[1400], o_fst[1400], out_so[1300];
	snprintf(inc_v, sizeof inc_v, "-I%s/include", vroot);
	snprintf(inc_vstd, sizeof inc_vstd, "-I%s/include/vltstd", vroot);
	snprintf(inc_obj, sizeof inc_obj, "-I%s", obj_dir);
	snprintf(inc_sim, sizeof inc_sim, "-I%s/sim", root);
	snprintf(shim, sizeof shim, "%s/sim/ts_sim_shim.cpp", root);
	snprintf(lib_a, sizeof lib_a, "%s/Vts_top__ALL.a", obj_dir);
	snprintf(o_verilated, sizeof o_verilated, "%s/verilated.o", obj_dir);
	snprintf(o_threads, sizeof o_threads, "%s/verilated_threads.o", obj_dir);
	snprintf(o_fst, sizeof o_fst, "%s/verilated_fst_c.o", obj_dir);
	snprintf(out_so, sizeof out_so, "%s/libtsv.so", tmp);
	char *gxx[40];
	a = 0;
	gxx[a++] = "g++";
	gxx[a++] = "-O2";
	gxx[a++] = "-shared";
	gxx[a++] = "-fPIC";
	gxx[a++] = "-fno-semantic-interposition";
	gxx[a++] = "-Wl,-Bsymbolic";
	gxx[a++] = trace ? "-DVM_TRACE=1" : "-DVM_TRACE=0";
	gxx[a++] = trace ? "-DVM_TRACE_FST=1" : "-DVM_TRACE_FST=0";
	gxx[a++] = inc_v;
	gxx[a++] = inc_vstd;
	gxx[a++] = inc_obj;
	gxx[a++] = incl_gen;
	gxx[a++] = inc_sim;
	gxx[a++] = shim;
	gxx[a++] = lib_a;
	gxx[a++] = o_verilated;
	gxx[a++] = o_threads;
	if (trace)
		gxx[a++] = o_fst;
	gxx[a++] = "-o";
	gxx[a++] = out_so;
	gxx[a++] = "-lpthread";
	if (trace)
		gxx[a++] = "-lz";
	gxx[a] = NULL;
	if ((rc = run_logged(gxx, log)) != 0)
		return ts_err(d, TS_ERR_IO, "sim: linking the model library failed (exit %d); see %s", rc,
			      log);
	if (rename(tmp, dir) != 0) {
		if (access(so_path, R_OK) != 0)
			return ts_err(d, TS_ERR_IO, "sim: cannot move %s to %s: %s", tmp, dir,
				      strerror(errno));
		rm_tree(tmp); /* another process finished the same model first */
	}
	if (!(o && o->quiet))
		fprintf(stderr, "tessera sim: model built in %.1f s\n", ts_now() - t0);
	if (built)
		*built = 1;
	return TS_OK;
}

#define SYM(field, name)                                                               \
	do {                                                                             \
		*(void **)(&s->field) = dlsym(s->lib, name);                              \
		if (!s->field) {                                                          \
			st = ts_err(d, TS_ERR_IO, "sim: %s lacks symbol %s", so, name);    \
			goto fail;                                                        \
		}                                                                         \
	} while (0)

ts_status ts_sim_open(const ts_hwcfg *c, const ts_sim_opts *o, ts_sim **out, ts_diag *d)
{
	char so[1400];
	ts_status st = ts_sim_build(c, o, so, sizeof so, NULL, d);
	if (st)
		return st;
	ts_sim *s = calloc(1, sizeof *s);
	if (!s)
		return ts_err(d, TS_ERR_NOMEM, "sim: out of memory");
	s->lib = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	if (!s->lib) {
		st = ts_err(d, TS_ERR_IO, "sim: cannot load %s: %s", so, dlerror());
		goto fail;
	}
	SYM(api_version, "tsv_api_version");
	SYM(create, "tsv_create");
	SYM(free_model, "tsv_free");
	SYM(reset, "tsv_reset");
	SYM(step, "tsv_step");
	SYM(run, "tsv_run");
	SYM(reg_read, "tsv_reg_read");
	SYM(reg_write, "tsv_reg_write");
	SYM(mem_write, "tsv_mem_write");
	SYM(mem_read, "tsv_mem_read");
	SYM(mem_oob, "tsv_mem_oob");
	SYM(cycle, "tsv_cycle");
	SYM(trace, "tsv_trace");
	if (s->api_version() != SIM_API_VERSION) {
		st = ts_err(d, TS_ERR_IO, "sim: %s has API version %d, expected %d", so, s->api_version(),
			    SIM_API_VERSION);
		goto fail;
	}
	s->base = o && o->mem_size ? o->mem_base : DEFAULT_MEM_BASE;
	s->size = o && o->mem_size ? o->mem_size : DEFAULT_MEM_SIZE;
	s->model = s->create(s->base, s->size);
	if (!s->model) {
		st = ts_err(d, TS_ERR_NOMEM, "sim: cannot create the model");
		goto fail;
	}
	*out = s;
	return TS_OK;
fail:
	if (s->lib)
		dlclose(s->lib);
	free(s);
	return st;
}

void ts_sim_close(ts_sim *s)
{
	if (!s)
		return;
	if (s->model)
		s->free_model(s->model);
	/* The Verilator runtime keeps thread-local state; unloading it while the
	 * process lives is not safe, so the library stays mapped. */
	free(s);
}

void ts_sim_reset(ts_sim *s)
{
	s->reset(s->model);
}

uint32_t ts_sim_reg_read(ts_sim *s, uint32_t offset)
{
	return s->reg_read(s->model, offset);
}

void ts_sim_reg_write(ts_sim *s, uint32_t offset, uint32_t value)
{
	s->reg_write(s->model, offset, value);
}

ts_status ts_sim_mem_write(ts_sim *s, uint64_t addr, const void *src, size_t n, ts_diag *d)
{
	if (s->mem_write(s->model, addr, src, n))
		return ts_err(d, TS_ERR_INPUT, "sim: memory write of %zu bytes at 0x%llx is outside the "
				  "window 0x%llx..0x%llx", n, (unsigned long long)addr,
			      (unsigned long long)s->base, (unsigned long long)(s->base + s->size));
	return TS_OK;
}

ts_status ts_sim_mem_read(ts_sim *s, uint64_t addr, void *dst, size_t n, ts_diag *d)
{
	if (s->mem_read(s->model, addr, dst, n))
		return ts_err(d, TS_ERR_INPUT, "sim: memory read of %zu bytes at 0x%llx is outside the "
				  "window 0x%llx..0x%llx", n, (unsigned long long)addr,
			      (unsigned long long)s->base, (unsigned long long)(s->base + s->size));
	return TS_OK;
}

void ts_sim_step(ts_sim *s, uint64_t cycles)
{
	s->step(s->model, cycles);
}

uint64_t ts_sim_cycle(ts_sim *s)
{
	return s->cycle(s->model);
}

uint64_t ts_sim_mem_base(const ts_sim *s)
{
	return s->base;
}

uint64_t ts_sim_mem_size(const ts_sim *s)
{
	return s->size;
}

ts_status ts_sim_trace(ts_sim *s, const char *path, ts_diag *d)
{
	if (s->trace(s->model, path))
		return ts_err(d, path ? TS_ERR_IO : TS_ERR_UNSUPPORTED,
			      "sim: cannot trace to %s (the model must be built with tracing)",
			      path ? path : "-");
	return TS_OK;
}

ts_status ts_sim_exec(ts_sim *s, uint64_t desc_addr, uint32_t desc_max, uint64_t limit,
		      ts_sim_run_result *r, ts_diag *d)
{
	memset(r, 0, sizeof *r);
	uint64_t oob0 = s->mem_oob(s->model);
	ts_sim_reg_write(s, TS_REG_STATUS, TS_STATUS_DONE | TS_STATUS_ERROR);
	ts_sim_reg_write(s, TS_REG_MEM_LO, (uint32_t)s->base);
	ts_sim_reg_write(s, TS_REG_MEM_HI, (uint32_t)(s->base >> 32));
	ts_sim_reg_write(s, TS_REG_MEM_SIZE, s->size > 0xffffffffull ? 0xffffffffu : (uint32_t)s->size);
	ts_sim_reg_write(s, TS_REG_DESC_LO, (uint32_t)desc_addr);
	ts_sim_reg_write(s, TS_REG_DESC_HI, (uint32_t)(desc_addr >> 32));
	ts_sim_reg_write(s, TS_REG_DESC_MAX, desc_max);
	ts_sim_reg_write(s, TS_REG_CTRL, TS_CTRL_START);
	uint64_t n = 0;
	int idle = s->run(s->model, limit, &n);
	r->sim_cycles = n;
	if (!idle)
		return ts_err(d, TS_ERR_INTERNAL, "sim: the accelerator did not finish within %llu cycles",
			      (unsigned long long)limit);
	uint32_t status = ts_sim_reg_read(s, TS_REG_STATUS);
	r->cycles = ts_sim_reg_read(s, TS_REG_CYCLES_LO) |
		    (uint64_t)ts_sim_reg_read(s, TS_REG_CYCLES_HI) << 32;
	r->descriptors = ts_sim_reg_read(s, TS_REG_DESC_DONE);
	r->err = (ts_hw_err)ts_sim_reg_read(s, TS_REG_ERR_CODE);
	r->err_desc = ts_sim_reg_read(s, TS_REG_ERR_DESC);
	r->mem_oob = s->mem_oob(s->model) - oob0;
	if (!(status & (TS_STATUS_DONE | TS_STATUS_ERROR)))
		return ts_err(d, TS_ERR_INTERNAL, "sim: the accelerator went idle without DONE or ERROR "
				  "(STATUS 0x%x)", status);
	if ((status & TS_STATUS_ERROR) && r->err == TS_HWERR_NONE)
		return ts_err(d, TS_ERR_INTERNAL, "sim: STATUS.ERROR with ERR_CODE 0");
	return TS_OK;
}

int ts_sim_run(ts_sim *s, uint64_t limit, uint64_t *stepped)
{
	uint64_t n = 0;
	int idle = s->run(s->model, limit, &n);
	*stepped += n;
	return idle;
}

uint64_t ts_sim_mem_oob(ts_sim *s)
{
	return s->mem_oob(s->model);
}
