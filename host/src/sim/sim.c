/* sim.c — build-on-demand and dlopen of the Verilated model (sim.h).
 * Build: generate the includes (gen.h); the cache key hashes them with
 * every rtl/<name>.v, the shim and the whole recipe (the verilator, make and g++
 * command lines below, extra flags included), and if <cache>/<key>/libtsv.so is
 * missing the recipe runs in a private directory that is renamed into place
 * (concurrent builders are safe: the loser discards its copy). rtl/ and sim/ come
 * from the repository or, for an installed tessera, <prefix>/share/tessera. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tessera/gen.h"
#include "tessera/sim.h"
#include "tessera/util.h"

#define SIM_API_VERSION 2
#define DEFAULT_MEM_BASE 0x10000000ull
#define DEFAULT_MEM_SIZE (64ull << 20)

/* The recipe. Arguments are templates: @GEN@ (the generated includes), @OBJ@
 * (verilator's output), @ROOT@ (holds rtl/ and sim/), @VROOT@ (VERILATOR_ROOT)
 * and @OUT@ (the library) are filled in per build; "T:" marks an argument of
 * traced builds only, "N:" of untraced ones. The cache key hashes the templates
 * (the filled paths differ per build), so changing any flag rebuilds.
 * The model and the shim are one shared library: -fno-semantic-interposition and
 * -Bsymbolic bind its internal calls (eval -> the generated eval functions)
 * directly instead of through the PLT. */
static const char *const recipe_verilator[] = {
	"verilator", "--cc", "-O3", "--x-assign", "fast", "--x-initial", "fast", "--noassert",
	/* loops that write memories per lane (B bytes, COLS columns) must unroll */
	"--unroll-count", "1024", "-Wno-fatal", "-Wno-lint", "-Wno-style",
	"+define+TS_GENERATED_PARAMS", "-I@GEN@", "-I@ROOT@/rtl", "--top-module", "ts_top",
	"--Mdir", "@OBJ@", "T:--trace-fst",
	NULL /* then the extra flags ($TESSERA_VERILATOR_FLAGS) and the RTL files */
};
static const char *const recipe_make[] = {
	"make", "-s", "-j2", "-C", "@OBJ@", "-f", "Vts_top.mk", "OPT_FAST=-O2", "OPT_GLOBAL=-O2",
	"OPT_SLOW=-O1", "CXXFLAGS=-fPIC -fno-semantic-interposition", "Vts_top__ALL.a",
	"verilated.o", "verilated_threads.o", "T:verilated_fst_c.o", NULL
};
static const char *const recipe_link[] = {
	"g++", "-O2", "-shared", "-fPIC", "-fno-semantic-interposition", "-Wl,-Bsymbolic",
	"T:-DVM_TRACE=1", "N:-DVM_TRACE=0", "T:-DVM_TRACE_FST=1", "N:-DVM_TRACE_FST=0",
	"-I@VROOT@/include", "-I@VROOT@/include/vltstd", "-I@OBJ@", "-I@GEN@", "-I@ROOT@/sim",
	"@ROOT@/sim/ts_sim_shim.cpp", "@OBJ@/Vts_top__ALL.a", "@OBJ@/verilated.o",
	"@OBJ@/verilated_threads.o", "T:@OBJ@/verilated_fst_c.o", "-o", "@OUT@", "-lpthread",
	"T:-lz", NULL
};
static const char *const recipe_shim[] = { "sim/ts_sim_shim.cpp", "sim/ts_sim_api.h" };

typedef struct tsv tsv;

struct ts_sim {
	void *lib;
	tsv *model;
	uint64_t base, size;
	int (*api_version)(void);
	tsv *(*create)(uint64_t, uint64_t, uint8_t *);
	void (*free_model)(tsv *);
	void (*reset)(tsv *);
	void (*step)(tsv *, uint64_t);
	int (*run)(tsv *, uint64_t, uint64_t *);
	uint32_t (*reg_read)(tsv *, uint32_t);
	void (*reg_write)(tsv *, uint32_t, uint32_t);
	int (*mem_write)(tsv *, uint64_t, const void *, size_t);
	int (*mem_read)(tsv *, uint64_t, void *, size_t);
	uint64_t (*mem_oob)(tsv *);
	void (*mem_stall)(tsv *, int);
	void (*mem_abort)(tsv *);
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

static int is_vh(const char *name)
{
	size_t len = strlen(name);
	return len >= 3 && !strcmp(name + len - 3, ".vh");
}

/* Sorted names of the rtl/ Verilog files and includes (.v, .vh: a malloc'd array of
 * malloc'd strings). */
static ts_status list_rtl(const char *root, char ***names, size_t *count, ts_diag *d)
{
	char dir[1100];
	snprintf(dir, sizeof dir, "%s/rtl", root);
	DIR *dp = opendir(dir);
	if (!dp)
		return ts_err(d, TS_ERR_IO, "%s: cannot open the RTL directory: %s (run from the "
				 "repository root, install tessera, or set TESSERA_ROOT)", dir, strerror(errno));
	char **v = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dp))) {
		size_t len = strlen(e->d_name);
		if ((len < 3 || strcmp(e->d_name + len - 2, ".v")) && !is_vh(e->d_name))
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

/* ---- where the sources and the cache are ---------------------------------------- */
/* The directory holding rtl/ and sim/ (util.h). */
static void find_root(const ts_sim_opts *o, char *out, size_t size, int *installed)
{
	ts_data_root(o ? o->root : NULL, out, size, installed);
}

/* The model cache: the option, $TESSERA_SIMCACHE, build/simcache under a
 * writable repository root, else the user's ($XDG_CACHE_HOME or ~/.cache)
 * tessera/simcache. */
static ts_status find_cache(const ts_sim_opts *o, const char *root, int installed, char *out,
			    size_t size, ts_diag *d)
{
	const char *e = getenv("TESSERA_SIMCACHE");
	if (o && o->cache)
		ts_strlcpy(out, o->cache, size);
	else if (e && *e)
		ts_strlcpy(out, e, size);
	else if (!installed && access(root, W_OK) == 0)
		snprintf(out, size, "%s/build/simcache", root);
	else if ((e = getenv("XDG_CACHE_HOME")) && *e == '/')
		snprintf(out, size, "%s/tessera/simcache", e);
	else if ((e = getenv("HOME")) && *e)
		snprintf(out, size, "%s/.cache/tessera/simcache", e);
	else
		return ts_err(d, TS_ERR_IO, "sim: no place for the model cache (%s is not a writable "
				  "repository and HOME is unset); set TESSERA_SIMCACHE", root);
	return TS_OK;
}

/* ---- the recipe's command lines ------------------------------------------------ */
typedef struct recipe_dirs {
	const char *gen, *obj, *root, *vroot, *out;
} recipe_dirs;

/* A NULL-terminated argv of malloc'd strings. */
typedef struct arglist {
	char **v;
	size_t n, cap;
} arglist;

static int args_add(arglist *a, char *s)
{
	if (!s)
		return 0;
	if (a->n + 2 > a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 64;
		char **v = realloc(a->v, cap * sizeof *v);
		if (!v) {
			free(s);
			return 0;
		}
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
	return 1;
}

static void args_free(arglist *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	memset(a, 0, sizeof *a);
}

/* Template t with its placeholders replaced, written to out (when not NULL);
 * returns the length. */
static size_t fill_into(char *out, const char *t, const recipe_dirs *v)
{
	static const char *const keys[] = { "@GEN@", "@OBJ@", "@ROOT@", "@VROOT@", "@OUT@" };
	const char *vals[] = { v->gen, v->obj, v->root, v->vroot, v->out };
	size_t n = 0;
	while (*t) {
		size_t k = 0;
		while (k < 5 && strncmp(t, keys[k], strlen(keys[k])) != 0)
			k++;
		const char *src = k < 5 ? vals[k] : t;
		size_t len = k < 5 ? strlen(vals[k]) : 1;
		if (out)
			memcpy(out + n, src, len);
		n += len;
		t += k < 5 ? strlen(keys[k]) : 1;
	}
	if (out)
		out[n] = 0;
	return n;
}

/* Appends the arguments of a recipe for this build; 0 when out of memory. */
static int args_fill(arglist *a, const char *const *tmpl, int trace, const recipe_dirs *v)
{
	for (; *tmpl; tmpl++) {
		const char *t = *tmpl;
		if (t[0] && t[1] == ':' && (t[0] == 'T' || t[0] == 'N')) {
			if ((t[0] == 'T') != (trace != 0))
				continue;
			t += 2;
		}
		char *s = malloc(fill_into(NULL, t, v) + 1);
		if (s)
			fill_into(s, t, v);
		if (!args_add(a, s))
			return 0;
	}
	return 1;
}

static void hash_recipe(uint64_t *h, const char *const *tmpl)
{
	for (; *tmpl; tmpl++)
		fnv(h, *tmpl, strlen(*tmpl) + 1);
	fnv(h, "", 1); /* end of the command line */
}

/* The extra verilator flags of $TESSERA_VERILATOR_FLAGS (words separated by
 * blanks), e.g. --threads 2. */
static int extra_flags(arglist *a)
{
	const char *s = getenv("TESSERA_VERILATOR_FLAGS");
	while (s && *s) {
		s += strspn(s, " \t\n");
		size_t len = strcspn(s, " \t\n");
		if (len && !args_add(a, strndup(s, len)))
			return 0;
		s += len;
	}
	return 1;
}

/* Runs one step of the recipe; non-zero exit code (or -1) on failure. */
static int run_recipe(const char *const *tmpl, int trace, const recipe_dirs *v, const char *log)
{
	arglist a = { 0 };
	int rc = args_fill(&a, tmpl, trace, v) ? ts_run_logged(a.v, log) : -1;
	args_free(&a);
	return rc;
}

ts_status ts_sim_build(const ts_hwcfg *c, const ts_sim_opts *o, char *so_path, size_t so_size,
		       int *built, ts_diag *d)
{
	const char *source = o && o->source ? o->source : c->name;
	int trace = o && o->trace, installed;
	char root[1024], cache[1100], dir[1200], tmp[1300], log[1400], path[1400];
	if (built)
		*built = 0;
	find_root(o, root, sizeof root, &installed);
	ts_status st = ts_hwcfg_validate(c, d);
	if (st || (st = find_cache(o, root, installed, cache, sizeof cache, d)))
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
	fnv(&hash, &trace, sizeof trace);
	hash_recipe(&hash, recipe_verilator);
	hash_recipe(&hash, recipe_make);
	hash_recipe(&hash, recipe_link);
	arglist extra = { 0 };
	if (!extra_flags(&extra)) {
		args_free(&extra);
		return ts_err(d, TS_ERR_NOMEM, "sim: out of memory");
	}
	for (size_t i = 0; i < extra.n; i++)
		fnv(&hash, extra.v[i], strlen(extra.v[i]) + 1);
	char **names = NULL;
	size_t n_names = 0;
	if ((st = list_rtl(root, &names, &n_names, d))) {
		args_free(&extra);
		return st;
	}
	for (size_t i = 0; i < n_names && !st; i++) {
		snprintf(path, sizeof path, "%s/rtl/%s", root, names[i]);
		fnv(&hash, names[i], strlen(names[i]) + 1);
		st = hash_file(&hash, path, d);
	}
	for (size_t i = 0; i < sizeof recipe_shim / sizeof *recipe_shim && !st; i++) {
		snprintf(path, sizeof path, "%s/%s", root, recipe_shim[i]);
		st = hash_file(&hash, path, d);
	}
	snprintf(dir, sizeof dir, "%s/%016llx%s", cache, (unsigned long long)hash, trace ? "-fst" : "");
	snprintf(so_path, so_size, "%s/libtsv.so", dir);
	if (st || access(so_path, R_OK) == 0)
		goto done;

	/* Build privately, then rename into place. */
	if ((st = mkdir_p(cache, d)))
		goto done;
	snprintf(tmp, sizeof tmp, "%s/tmp-%016llx-%ld", cache, (unsigned long long)hash, (long)getpid());
	ts_rm_tree(tmp);
	char gen_dir[1400], obj_dir[1400], out_so[1400], vroot[512];
	snprintf(gen_dir, sizeof gen_dir, "%s/gen", tmp);
	snprintf(obj_dir, sizeof obj_dir, "%s/obj", tmp);
	snprintf(out_so, sizeof out_so, "%s/libtsv.so", tmp);
	if ((st = mkdir_p(gen_dir, d)) || (st = ts_gen_write_sim_files(c, source, gen_dir, d))) {
		ts_rm_tree(tmp);
		goto done;
	}
	snprintf(log, sizeof log, "%s/build.log", tmp);
	if (!(o && o->quiet))
		fprintf(stderr, "tessera sim: building the Verilator model of '%s' (once per config, "
				"cached in %s)...\n", c->name, cache);
	double t0 = ts_now();
	verilator_root(vroot, sizeof vroot);
	recipe_dirs v = { gen_dir, obj_dir, root, vroot, out_so };

	arglist argv = { 0 };
	int ok = args_fill(&argv, recipe_verilator, trace, &v);
	for (size_t i = 0; ok && i < extra.n; i++)
		ok = args_add(&argv, strdup(extra.v[i]));
	for (size_t i = 0; ok && i < n_names; i++) {
		if (is_vh(names[i]))
			continue; /* included from the sources (-I rtl) */
		snprintf(path, sizeof path, "%s/rtl/%s", root, names[i]);
		ok = args_add(&argv, strdup(path));
	}
	int rc = ok ? ts_run_logged(argv.v, log) : -1;
	args_free(&argv);
	if (!ok)
		st = ts_err(d, TS_ERR_NOMEM, "sim: out of memory");
	else if (rc != 0)
		st = ts_err(d, TS_ERR_IO, "sim: verilator failed (exit %d); see %s", rc, log);
	else if ((rc = run_recipe(recipe_make, trace, &v, log)) != 0)
		st = ts_err(d, TS_ERR_IO, "sim: compiling the Verilated model failed (exit %d); see %s",
			    rc, log);
	else if ((rc = run_recipe(recipe_link, trace, &v, log)) != 0)
		st = ts_err(d, TS_ERR_IO, "sim: linking the model library failed (exit %d); see %s", rc,
			    log);
	if (st)
		goto done;
	if (rename(tmp, dir) != 0) {
		if (access(so_path, R_OK) != 0) {
			st = ts_err(d, TS_ERR_IO, "sim: cannot move %s to %s: %s", tmp, dir,
				    strerror(errno));
			goto done;
		}
		ts_rm_tree(tmp); /* another process finished the same model first */
	}
	if (!(o && o->quiet))
		fprintf(stderr, "tessera sim: model built in %.1f s\n", ts_now() - t0);
	if (built)
		*built = 1;
done:
	free_names(names, n_names);
	args_free(&extra);
	return st;
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
	SYM(mem_stall, "tsv_mem_stall");
	SYM(mem_abort, "tsv_mem_abort");
	SYM(cycle, "tsv_cycle");
	SYM(trace, "tsv_trace");
	if (s->api_version() != SIM_API_VERSION) {
		st = ts_err(d, TS_ERR_IO, "sim: %s has API version %d, expected %d", so, s->api_version(),
			    SIM_API_VERSION);
		goto fail;
	}
	s->base = o && o->mem_size ? o->mem_base : DEFAULT_MEM_BASE;
	s->size = o && o->mem_size ? o->mem_size : DEFAULT_MEM_SIZE;
	s->model = s->create(s->base, s->size, o ? o->mem : NULL);
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
	/* A soft reset returns the controller to idle mid-transfer; the memory port's
	 * model forgets the request in flight, so no stale beat reaches the next run. */
	if (offset == TS_REG_CTRL && (value & TS_CTRL_SOFT_RESET))
		s->mem_abort(s->model);
	s->reg_write(s->model, offset, value);
}

void ts_sim_mem_stall(ts_sim *s, int on)
{
	s->mem_stall(s->model, on);
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

int ts_sim_run(ts_sim *s, uint64_t limit, uint64_t *stepped)
{
	uint64_t n = 0;
	int idle = s->run(s->model, limit ? limit : UINT64_MAX, &n);
	*stepped += n;
	return idle;
}

uint64_t ts_sim_mem_oob(ts_sim *s)
{
	return s->mem_oob(s->model);
}
