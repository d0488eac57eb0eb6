/* util.c — file I/O, atomic output, names and progress (see tessera/util.h). */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/wait.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tessera/util.h"

ts_status ts_read_file(const char *path, char **buf, size_t *len, ts_diag *d)
{
	*buf = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return ts_err(d, TS_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	size_t cap = 1 << 16, n = 0;
	char *p = malloc(cap + 1);
	if (!p) {
		fclose(f);
		return ts_err(d, TS_ERR_NOMEM, "%s: out of memory", path);
	}
	for (;;) {
		size_t got = fread(p + n, 1, cap - n, f);
		n += got;
		if (n < cap) {
			if (ferror(f)) {
				int e = errno;
				free(p);
				fclose(f);
				return ts_err(d, TS_ERR_IO, "%s: read error: %s", path, strerror(e));
			}
			break;
		}
		char *q = realloc(p, cap * 2 + 1);
		if (!q) {
			free(p);
			fclose(f);
			return ts_err(d, TS_ERR_NOMEM, "%s: out of memory", path);
		}
		p = q;
		cap *= 2;
	}
	fclose(f);
	p[n] = '\0';
	*buf = p;
	*len = n;
	return TS_OK;
}

ts_status ts_out_open(ts_out *o, const char *path, ts_diag *d)
{
	memset(o, 0, sizeof *o);
	if (strcmp(path, "-") == 0) {
		o->f = stdout;
		return TS_OK;
	}
	if (strlen(path) >= sizeof o->path)
		return ts_err(d, TS_ERR_INPUT, "%s: path too long", path);
	ts_strlcpy(o->path, path, sizeof o->path);
	snprintf(o->tmp, sizeof o->tmp, "%s.tmp.%ld", path, (long)getpid());
	o->f = fopen(o->tmp, "wb");
	if (!o->f)
		return ts_err(d, TS_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
	return TS_OK;
}

ts_status ts_out_commit(ts_out *o, ts_diag *d)
{
	if (!o->f)
		return TS_OK;
	if (o->f == stdout) {
		fflush(stdout);
		o->f = NULL;
		return TS_OK;
	}
	int bad = ferror(o->f);
	bad |= fclose(o->f) != 0;
	o->f = NULL;
	if (bad || rename(o->tmp, o->path) != 0) {
		int e = errno;
		remove(o->tmp);
		return ts_err(d, TS_ERR_IO, "%s: cannot write: %s", o->path, strerror(e));
	}
	return TS_OK;
}

void ts_out_abort(ts_out *o)
{
	if (o->f && o->f != stdout) {
		fclose(o->f);
		remove(o->tmp);
	}
	o->f = NULL;
}

static int name_fold(int ch)
{
	return ch == '-' ? '_' : tolower((unsigned char)ch);
}

int ts_name_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (name_fold(*a) != name_fold(*b))
			return 0;
	return *a == *b;
}

char *ts_strlcpy(char *dst, const char *src, size_t size)
{
	if (size) {
		size_t n = strlen(src);
		if (n >= size)
			n = size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return dst;
}

double ts_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void ts_data_root(const char *opt, char *out, size_t size, int *installed)
{
	const char *e = getenv("TESSERA_ROOT");
	if (installed)
		*installed = 0;
	if (opt) {
		ts_strlcpy(out, opt, size);
		return;
	}
	if (e && *e) {
		ts_strlcpy(out, e, size);
		return;
	}
	char exe[PATH_MAX], share[PATH_MAX + 32], probe[PATH_MAX + 64], real[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = 0;
	char *slash = strrchr(exe, '/');
	if (slash) {
		*slash = 0;
		snprintf(share, sizeof share, "%s/../share/tessera", exe);
		snprintf(probe, sizeof probe, "%s/rtl/ts_top.v", share);
		if (access(probe, R_OK) == 0 && realpath(share, real)) {
			ts_strlcpy(out, real, size);
			if (installed)
				*installed = 1;
			return;
		}
	}
	ts_strlcpy(out, ".", size);
}

void ts_progress_start(ts_progress *p, const char *label, uint64_t total, int quiet)
{
	memset(p, 0, sizeof *p);
	p->label = label;
	p->total = total;
	p->enabled = !quiet && isatty(STDERR_FILENO);
	p->last_time = 0;
}

void ts_progress_update(ts_progress *p, uint64_t done)
{
	if (!p->enabled)
		return;
	double now = ts_now();
	if (done < p->total && now - p->last_time < 0.1)
		return;
	p->last_time = now;
	p->last_drawn = done;
	int width = 30;
	int fill = p->total ? (int)((double)done / (double)p->total * width) : 0;
	if (fill > width)
		fill = width;
	fprintf(stderr, "\r%s [%.*s%*s] %llu/%llu", p->label, fill,
		"##############################", width - fill, "",
		(unsigned long long)done, (unsigned long long)p->total);
	fflush(stderr);
}

void ts_progress_end(ts_progress *p)
{
	if (p->enabled) {
		fprintf(stderr, "\r%*s\r", 80, "");
		fflush(stderr);
	}
}

void ts_json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\t': fputs("\\t", f); break;
		case '\r': fputs("\\r", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

void ts_csv_str(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n\r")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int ts_run_logged(char *const argv[], const char *log)
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

void ts_rm_tree(const char *path)
{
	nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
