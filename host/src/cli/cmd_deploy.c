/* cmd_deploy.c — `tessera deploy`: put a config's bitstream on a board, after checking
 * that the bitstream was built from that config. iCE40 boards: iceprog (Debian
 * fpga-icestorm); ECP5: openFPGALoader -b <board> (Debian openfpgaloader); Zynq-7000 and
 * ZynqMP boards running Linux: the bitstream (a Vivado .bit converted for the FPGA
 * manager) and the device-tree overlay of gen.h installed into <sysroot>/lib/firmware and
 * applied through the kernel's overlay configfs, then the accelerator found as `tessera
 * devices` finds it. docs/deploy.md says what happens on a board and why.
 *
 * --json output (one object):
 *   { "board": str, "family": str, "config": str | null, "config_file": str,
 *     "config_checked": bool, "bitstream": str, "bitstream_bytes": int,
 *     "bitstream_sha256": str, "dry_run": bool, "command": [str] | null,
 *     "converted": bool, "files": [str], "overlay": str | null,
 *     "overlay_status": str | null,
 *     "device": { "node": str, "path": str, "reg_addr": int,
 *                 "config_match": bool | null } | null,
 *     "warning": str }
 * Exit status: 0 deployed (or --dry-run); 1 the programmer failed, the kernel did not
 * apply the overlay, or the device found is another config; 2 bad input: an unknown
 * board or one without a deploy flow, a bitstream of another config or board, a file
 * that is not a bitstream of the board's family, a missing programmer, no overlay
 * configfs under the sysroot. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tessera/device.h"
#include "tessera/gen.h"
#include "tessera/hwcfg.h"
#include "tessera/util.h"

#define CMD "deploy"
#define PATH_LEN 1200
#define CONFIGFS_MAGIC 0x62656570 /* linux/magic.h: what statfs says of configfs */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tessera deploy --board B [--config CFG] [--package DIR | --bitstream FILE]\n"
		"                      [--sysroot DIR] [--timeout S] [--dry-run] [--json]\n"
		"\n"
		"Put a bitstream on board B, after checking it was built from CFG (its config.json:\n"
		"the committed bitstreams/<board>/, a package's, or one beside FILE; a mismatch is\n"
		"refused). iCE40 boards (icebreaker, hx8k): iceprog FILE (Debian fpga-icestorm);\n"
		"ECP5 (ulx3s): openFPGALoader -b ulx3s FILE (Debian openfpgaloader). Zynq boards\n"
		"running Linux (pynq-z2, ultra96, zcu102, zcu104): the bitstream (a Vivado .bit is\n"
		"converted: header stripped, 32-bit words byte-swapped) and the overlay of `tessera\n"
		"gen --board` installed as lib/firmware/" TS_GEN_FIRMWARE " and " TS_GEN_OVERLAY_NAME
		".dtbo, applied\n"
		"through the configfs sys/kernel/config/device-tree/overlays/" TS_GEN_OVERLAY_NAME
		" (its\n"
		"fpga-region fragment makes the FPGA manager load the bitstream), then the UIO\n"
		"device looked for (docs/deploy.md).\n"
		"\n"
		"  -b, --board B       the board\n"
		"  -c, --config CFG    hwcfg.json or preset the bitstream must be (default: the\n"
		"                      bitstream's own config; required on Zynq without --package)\n"
		"  -p, --package DIR   a package of `tessera gen --board` built with its build.sh:\n"
		"                      DIR/out/tessera.bin or .bit, and DIR/config.json\n"
		"      --bitstream F   this file (config.json beside it, or in the package above\n"
		"                      its out/, is its config); default on the open-tool boards:\n"
		"                      bitstreams/<board>/tessera.bin (.bit on ECP5)\n"
		"      --sysroot DIR   Zynq: install and apply under DIR instead of / (a test tree\n"
		"                      or a vboard's)\n"
		"      --timeout S     Zynq: seconds to wait for the UIO device, 0..600 (default 3)\n"
		"      --dry-run       print what would run or be written, and do nothing\n"
		"      --json          machine output (keys in cmd_deploy.c, docs/cli.md)\n"
		"  -h, --help          this text\n"
		"\n"
		"Exit status: 0 deployed, 1 the programmer or the kernel failed, 2 bad input (a\n"
		"bitstream of another config or board, a missing programmer, an unknown board).\n");
}

/* ---- boards and their flows -------------------------------------------------------- */
typedef struct flow {
	const char *family; /* ts_board family */
	const char *tool;   /* the programmer; NULL: Linux and its FPGA manager */
	const char *debian; /* the Debian package that has it */
	const char *ext;    /* the bitstream the open flow writes: "bin", "bit" */
} flow;

static const flow flows[] = {
	{ "ice40", "iceprog", "fpga-icestorm", "bin" },
	{ "ecp5", "openFPGALoader", "openfpgaloader", "bit" },
	{ "zynq7", NULL, NULL, NULL },
	{ "zynqmp", NULL, NULL, NULL },
};

static const flow *flow_of(const ts_board *b)
{
	for (size_t i = 0; b && i < sizeof flows / sizeof flows[0]; i++)
		if (!strcmp(b->family, flows[i].family))
			return &flows[i];
	return NULL;
}

/* "icebreaker, hx8k, ..." : the boards deploy knows */
static void flow_boards(char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = 0;
	for (size_t i = 0; i < ts_board_count() && n < size; i++) {
		const ts_board *b = ts_board_get(i);
		if (flow_of(b))
			n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "", b->name);
	}
}

/* ---- files ------------------------------------------------------------------------- */
static int is_file(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int is_dir(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* The directory part of path ("." for a bare name). */
static void dir_of(const char *path, char *out, size_t size)
{
	ts_strlcpy(out, path, size);
	char *slash = strrchr(out, '/');
	if (!slash)
		ts_strlcpy(out, ".", size);
	else if (slash == out)
		out[1] = 0;
	else
		*slash = 0;
}

/* name found in a PATH directory: 1 and its path */
static int find_tool(const char *name, char *out, size_t size)
{
	const char *path = getenv("PATH");
	if (!path || !*path)
		return 0;
	char *list = strdup(path), *save = NULL;
	int found = 0;
	for (char *dir = list ? strtok_r(list, ":", &save) : NULL; dir && !found; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, size, "%s/%s", *dir ? dir : ".", name);
		found = is_file(out) && access(out, X_OK) == 0;
	}
	free(list);
	return found;
}

/* The first line of a small sysfs/configfs attribute, trimmed; 0 when unreadable. */
static int read_attr(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, (int)size, f))
		buf[0] = 0;
	fclose(f);
	buf[strcspn(buf, "\r\n")] = 0;
	return 1;
}

/* Write text into an existing attribute (or a new file in a test tree): 0 on success. */
static int write_attr(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	size_t len = strlen(text);
	ssize_t w = write(fd, text, len);
	int e = errno;
	if (close(fd) || w != (ssize_t)len) {
		errno = w < 0 ? e : EIO;
		return -1;
	}
	return 0;
}

/* ---- the bitstream ----------------------------------------------------------------- */
typedef struct bitstream {
	char path[PATH_LEN];        /* the file as found */
	char config_path[PATH_LEN]; /* its config.json; "" when none was found */
	ts_hwcfg cfg;               /* valid when config_path[0] */
	char *data;                 /* the file */
	size_t len;
} bitstream;

/* config.json beside the bitstream, or, for a package's out/FILE, the package's. */
static ts_status find_config(bitstream *bs, ts_diag *d)
{
	char dir[PATH_LEN], path[PATH_LEN + 16];
	dir_of(bs->path, dir, sizeof dir);
	snprintf(path, sizeof path, "%s/config.json", dir);
	if (!is_file(path)) {
		const char *base = strrchr(dir, '/');
		base = base ? base + 1 : dir;
		if (strcmp(base, "out"))
			return TS_OK;
		char parent[PATH_LEN];
		dir_of(dir, parent, sizeof parent);
		snprintf(path, sizeof path, "%s/config.json", parent);
		if (!is_file(path))
			return TS_OK;
	}
	ts_strlcpy(bs->config_path, path, sizeof bs->config_path);
	ts_diag local = { { 0 } };
	ts_status st = ts_hwcfg_load(path, &bs->cfg, &local);
	return st ? ts_err(d, st, "the config of %s: %s", bs->path, local.msg) : TS_OK;
}

/* ---- running the programmer ---------------------------------------------------------- */
/* argv[0] run with its stdout on our stderr and its stderr kept: its exit status (-1 when
 * it could not run or died of a signal) and the last bytes of its stderr in tail. */
static int run_tool(char *const argv[], char *tail, size_t tail_size)
{
	tail[0] = 0;
	const char *t = getenv("TMPDIR");
	char log[PATH_LEN];
	snprintf(log, sizeof log, "%s/tessera-deploy-XXXXXX", t && *t ? t : "/tmp");
	int fd = mkstemp(log);
	if (fd < 0) {
		snprintf(tail, tail_size, "cannot create %s: %s", log, strerror(errno));
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(2, 1);
		dup2(fd, 2);
		close(fd);
		execv(argv[0], argv);
		fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int status = -1;
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	off_t size = lseek(fd, 0, SEEK_END);
	size_t keep = tail_size - 1;
	off_t from = size > (off_t)keep ? size - (off_t)keep : 0;
	ssize_t r = pread(fd, tail, keep, from);
	tail[r > 0 ? r : 0] = 0;
	close(fd);
	unlink(log);
	if (pid < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* ---- installing on a Linux board ------------------------------------------------------ */
/* A file put in place: written to path.tmp.PID and renamed over path, the file it
 * replaced kept as path.old.PID until the whole deploy is done (undo puts it back). */
typedef struct placed {
	char path[PATH_LEN];
	char old[PATH_LEN + 32];
	int had_old, done;
} placed;

static ts_status place_file(placed *pf, const char *path, const void *data, size_t len, ts_diag *d)
{
	char tmp[PATH_LEN + 32];
	memset(pf, 0, sizeof *pf);
	ts_strlcpy(pf->path, path, sizeof pf->path);
	snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
	snprintf(pf->old, sizeof pf->old, "%s.old.%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "wb");
	if (!f)
		return ts_err(d, TS_ERR_IO, "%s: cannot create: %s", tmp, strerror(errno));
	size_t w = fwrite(data, 1, len, f);
	if (fflush(f) || fsync(fileno(f)) || fclose(f) || w != len) {
		unlink(tmp);
		return ts_err(d, TS_ERR_IO, "%s: write failed", tmp);
	}
	if (is_file(path)) {
		if (rename(path, pf->old)) {
			unlink(tmp);
			return ts_err(d, TS_ERR_IO, "%s: cannot move it aside: %s", path, strerror(errno));
		}
		pf->had_old = 1;
	}
	if (rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		if (pf->had_old)
			rename(pf->old, path);
		return ts_err(d, TS_ERR_IO, "%s: cannot rename %s to it: %s", path, tmp, strerror(e));
	}
	pf->done = 1;
	return TS_OK;
}

static void place_undo(placed *pf)
{
	if (!pf->done)
		return;
	unlink(pf->path);
	if (pf->had_old)
		rename(pf->old, pf->path);
	pf->done = 0;
}

static void place_commit(placed *pf)
{
	if (pf->done && pf->had_old)
		unlink(pf->old);
}

/* Remove an overlay directory: rmdir unapplies it on configfs; in a plain test tree the
 * files written into it go first. */
static int remove_overlay(const char *dir)
{
	if (rmdir(dir) == 0)
		return 0;
	struct statfs fs;
	if ((errno != ENOTEMPTY && errno != EEXIST) || statfs(dir, &fs) || (unsigned long)fs.f_type == CONFIGFS_MAGIC)
		return -1;
	char path[PATH_LEN + 48];
	snprintf(path, sizeof path, "%s/path", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/status", dir);
	unlink(path);
	return rmdir(dir);
}

/* mkdir -p of root/rel; the directories made are appended to made[*n] (at most max). */
static ts_status make_dirs(const char *root, const char *rel, char made[][PATH_LEN], int *n, int max, ts_diag *d)
{
	char path[PATH_LEN];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (char *s = path + strlen(root) + 1;; s++) {
		char *slash = strchr(s, '/');
		if (slash)
			*slash = 0;
		if (!is_dir(path)) {
			if (mkdir(path, 0755) && errno != EEXIST)
				return ts_err(d, TS_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
			if (*n < max)
				ts_strlcpy(made[(*n)++], path, PATH_LEN);
		}
		if (!slash)
			break;
		*slash = '/';
		s = slash;
	}
	return TS_OK;
}

/* ---- output ------------------------------------------------------------------------- */
typedef struct report {
	const ts_board *board;
	const char *config;         /* the config's name; NULL when unknown */
	const char *config_file;
	int config_checked, dry_run, converted;
	const bitstream *bs;
	char sha256[65];
	char *const *command;       /* open-tool boards */
	char files[2][PATH_LEN];
	int nfiles;
	char overlay[PATH_LEN];
	char overlay_status[64];
	int has_device;
	tsd_found device;
	int config_match;           /* -1 not known */
	char warning[PATH_LEN + 1400];
} report;

static void print_json(const report *r)
{
	printf("{\"board\": ");
	ts_json_str(stdout, r->board->name);
	printf(", \"family\": ");
	ts_json_str(stdout, r->board->family);
	printf(", \"config\": ");
	if (r->config)
		ts_json_str(stdout, r->config);
	else
		printf("null");
	printf(", \"config_file\": ");
	ts_json_str(stdout, r->config_file);
	printf(", \"config_checked\": %s, \"bitstream\": ", r->config_checked ? "true" : "false");
	ts_json_str(stdout, r->bs->path);
	printf(", \"bitstream_bytes\": %zu, \"bitstream_sha256\": \"%s\", \"dry_run\": %s, \"command\": ", r->bs->len,
	       r->sha256, r->dry_run ? "true" : "false");
	if (r->command) {
		printf("[");
		for (int i = 0; r->command[i]; i++) {
			printf("%s", i ? ", " : "");
			ts_json_str(stdout, r->command[i]);
		}
		printf("]");
	} else {
		printf("null");
	}
	printf(", \"converted\": %s, \"files\": [", r->converted ? "true" : "false");
	for (int i = 0; i < r->nfiles; i++) {
		printf("%s", i ? ", " : "");
		ts_json_str(stdout, r->files[i]);
	}
	printf("], \"overlay\": ");
	if (r->overlay[0])
		ts_json_str(stdout, r->overlay);
	else
		printf("null");
	printf(", \"overlay_status\": ");
	if (r->overlay_status[0])
		ts_json_str(stdout, r->overlay_status);
	else
		printf("null");
	printf(", \"device\": ");
	if (r->has_device) {
		printf("{\"node\": ");
		ts_json_str(stdout, r->device.node);
		printf(", \"path\": ");
		ts_json_str(stdout, r->device.dev_path);
		printf(", \"reg_addr\": %llu, \"config_match\": %s}", (unsigned long long)r->device.reg_addr,
		       r->config_match < 0 ? "null" : r->config_match ? "true" : "false");
	} else {
		printf("null");
	}
	printf(", \"warning\": ");
	ts_json_str(stdout, r->warning);
	printf("}\n");
}

/* ---- the Linux boards ------------------------------------------------------------------ */
static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* Install and apply on a Zynq board under root; r gets what was done. Returns the exit
 * code after printing any error. */
static int deploy_linux(const ts_hwcfg *cfg, const ts_board *b, const bitstream *bs, const char *root_opt,
			double timeout_s, int json, report *r)
{
	ts_diag d = { { 0 } };
	ts_status st;
	const ts_gen_board *g = ts_gen_board_find(b->name);
	if (!g || !g->gic)
		return cli_fail(CMD, ts_err(&d, TS_ERR_UNSUPPORTED, "--board %s: tessera has no overlay for it", b->name),
				&d);
	const char *root = root_opt && *root_opt ? root_opt : "/";
	char rootp[PATH_LEN]; /* root without a trailing '/', "" for "/" */
	ts_strlcpy(rootp, root, sizeof rootp);
	for (size_t n = strlen(rootp); n > 0 && rootp[n - 1] == '/'; n--)
		rootp[n - 1] = 0;

	void *bin = NULL;
	size_t bin_len = 0;
	ts_bitstream_info info;
	if ((st = ts_bitstream_zynq_bin(b, bs->data, bs->len, bs->path, &bin, &bin_len, &info, &d)))
		return cli_fail(CMD, st, &d);
	r->converted = info.is_bit || info.swapped;
	char how[256];
	if (info.is_bit)
		snprintf(how, sizeof how, "a Vivado .bit (part %s): its %zu-byte header stripped, its 32-bit words "
			 "byte-swapped", info.part[0] ? info.part : "not named", info.header_bytes);
	else if (info.swapped)
		snprintf(how, sizeof how, "a .bin in the .bit's byte order: its 32-bit words byte-swapped");
	else
		snprintf(how, sizeof how, "a .bin byte-swapped for the FPGA manager already: copied");
	void *dtbo = NULL;
	size_t dtbo_len = 0;
	if ((st = ts_gen_overlay_dtbo(cfg, g, &dtbo, &dtbo_len, &d))) {
		free(bin);
		return cli_fail(CMD, st, &d);
	}
	char fw_dir[PATH_LEN - 64], ov_parent[PATH_LEN], ov_dir[PATH_LEN + 16], flags[PATH_LEN], state[PATH_LEN];
	snprintf(fw_dir, sizeof fw_dir, "%s/lib/firmware", rootp);
	snprintf(r->files[0], PATH_LEN, "%s/%s", fw_dir, TS_GEN_FIRMWARE);
	snprintf(r->files[1], PATH_LEN, "%s/%s.dtbo", fw_dir, TS_GEN_OVERLAY_NAME);
	r->nfiles = 2;
	snprintf(ov_parent, sizeof ov_parent, "%s/sys/kernel/config/device-tree/overlays", rootp);
	snprintf(ov_dir, sizeof ov_dir, "%s/%s", ov_parent, TS_GEN_OVERLAY_NAME);
	ts_strlcpy(r->overlay, ov_dir, sizeof r->overlay);
	snprintf(flags, sizeof flags, "%s/sys/class/fpga_manager/fpga0/flags", rootp);
	snprintf(state, sizeof state, "%s/sys/class/fpga_manager/fpga0/state", rootp);
	if (!json) {
		printf("deploy: bitstream %s -> %s: %s\n", bs->path, TS_GEN_FIRMWARE, how);
		printf("deploy: overlay %s.dtbo: the accelerator at 0x%llx (interrupt SPI %u), its DMA region, and the "
		       "fpga-region fpga_full with firmware-name \"%s\" (a full bitstream: FPGA manager flags 0)\n",
		       TS_GEN_OVERLAY_NAME, (unsigned long long)g->reg_addr, g->irq, TS_GEN_FIRMWARE);
	}
	if (!is_dir(ov_parent)) {
		free(bin);
		free(dtbo);
		return cli_fail(CMD, ts_err(&d, TS_ERR_INPUT, "no %s: the kernel has no device-tree overlay configfs "
					    "(CONFIG_OF_CONFIGFS, in Xilinx's and Raspberry Pi's kernels), or configfs "
					    "is not mounted (mount -t configfs none /sys/kernel/config)", ov_parent), &d);
	}
	if (r->dry_run) {
		if (!json) {
			printf("would write %s (%zu bytes)\nwould write %s (%zu bytes)\n", r->files[0], bin_len, r->files[1],
			       dtbo_len);
			if (is_dir(ov_dir))
				printf("would remove the applied overlay: rmdir %s\n", ov_dir);
			if (is_file(flags))
				printf("would write 0 into %s\n", flags);
			printf("$ mkdir %s\n$ echo %s.dtbo > %s/path\n", ov_dir, TS_GEN_OVERLAY_NAME, ov_dir);
			printf("deploy: --dry-run: nothing written\n");
		}
		free(bin);
		free(dtbo);
		return 0;
	}

	/* files, atomically; then the overlay. On a failure, everything made is undone. */
	char made[4][PATH_LEN];
	int nmade = 0, ov_made = 0, rc = 0;
	placed pf[2];
	memset(pf, 0, sizeof pf);
	if ((st = make_dirs(rootp[0] ? rootp : "", "lib/firmware", made, &nmade, 4, &d)) ||
	    (st = place_file(&pf[0], r->files[0], bin, bin_len, &d)) ||
	    (st = place_file(&pf[1], r->files[1], dtbo, dtbo_len, &d))) {
		rc = cli_fail(CMD, st, &d);
		goto undo;
	}
	if (!json)
		printf("installed %s (%zu bytes)\ninstalled %s (%zu bytes)\n", r->files[0], bin_len, r->files[1], dtbo_len);
	if (is_dir(ov_dir)) {
		if (remove_overlay(ov_dir)) {
			rc = cli_fail(CMD, ts_err(&d, TS_ERR_IO, "cannot remove the overlay applied before (%s): %s", ov_dir,
						  strerror(errno)), &d);
			goto undo;
		}
		if (!json)
			printf("removed the overlay applied before: rmdir %s\n", ov_dir);
	}
	/* Xilinx's kernels read the manager's flags from sysfs for a firmware write; a full
	 * bitstream is 0 (mainline takes them from the overlay: no partial-fpga-config) */
	if (is_file(flags)) {
		if (write_attr(flags, "0")) {
			rc = cli_fail(CMD, ts_err(&d, TS_ERR_IO, "%s: cannot write 0: %s", flags, strerror(errno)), &d);
			goto undo;
		}
		if (!json)
			printf("wrote 0 into %s (a full bitstream)\n", flags);
	}
	if (!json)
		printf("$ mkdir %s\n", ov_dir);
	if (mkdir(ov_dir, 0755)) {
		rc = cli_fail(CMD, ts_err(&d, TS_ERR_IO, "%s: cannot create: %s", ov_dir, strerror(errno)), &d);
		goto undo;
	}
	ov_made = 1;
	char attr[PATH_LEN + 32];
	snprintf(attr, sizeof attr, "%s/path", ov_dir);
	if (!json)
		printf("$ echo %s.dtbo > %s\n", TS_GEN_OVERLAY_NAME, attr);
	if (write_attr(attr, TS_GEN_OVERLAY_NAME ".dtbo")) {
		rc = cli_fail(CMD, ts_err(&d, TS_ERR_IO, "%s: cannot write: %s", attr, strerror(errno)), &d);
		goto undo;
	}
	/* configfs takes the write whatever happens; status says whether it applied */
	snprintf(attr, sizeof attr, "%s/status", ov_dir);
	if (read_attr(attr, r->overlay_status, sizeof r->overlay_status)) {
		if (!json)
			printf("overlay status: %s\n", r->overlay_status);
		if (strcmp(r->overlay_status, "applied")) {
			rc = cli_fail(CMD, ts_err(&d, TS_ERR_MISMATCH, "the kernel did not apply the overlay (%s reads '%s'): "
						  "see dmesg (the bitstream %s, the fpga-region fpga_full of the base "
						  "tree, the FPGA manager); undone", attr, r->overlay_status,
						  r->files[0]), &d);
			goto undo;
		}
	}
	char mgr_state[64];
	if (!json && read_attr(state, mgr_state, sizeof mgr_state))
		printf("FPGA manager state: %s\n", mgr_state);
	place_commit(&pf[0]);
	place_commit(&pf[1]);
	free(bin);
	free(dtbo);

	/* the device the kernel makes of the node: uio_pdrv_genirq under sys/class/uio */
	double end = ts_now() + timeout_s;
	for (;;) {
		tsd_found *f = NULL;
		size_t n = 0;
		char why[512] = "";
		ts_diag ld = { { 0 } };
		if (tsd_list(rootp[0] ? rootp : "/", &f, &n, why, sizeof why, &ld) == TS_OK) {
			for (size_t i = 0; i < n && !r->has_device; i++)
				if (f[i].tessera && f[i].reg_addr == g->reg_addr) {
					r->device = f[i];
					r->has_device = 1;
				}
		}
		free(f);
		if (r->has_device || ts_now() >= end)
			break;
		sleep_ms(100);
	}
	if (!r->has_device) {
		snprintf(r->warning, sizeof r->warning,
			 "the kernel made no UIO device for the accelerator at 0x%llx under %s/sys/class/uio within %g s: "
			 "is uio_pdrv_genirq bound to it (kernel command line uio_pdrv_genirq.of_id=%s; docs/driver.md)?",
			 (unsigned long long)g->reg_addr, rootp, timeout_s, TS_GEN_COMPATIBLE);
		fprintf(stderr, "tessera deploy: warning: %s\n", r->warning);
		return 0;
	}
	const tsd_found *dev = &r->device;
	char diff[400] = "";
	if (dev->mapped && dev->id == TS_REG_ID_MAGIC)
		r->config_match = tsd_found_matches(dev, cfg, diff, sizeof diff);
	if (!json) {
		char hw[160] = "-";
		if (r->config_match >= 0)
			tsd_found_hw(dev, hw, sizeof hw);
		printf("device %s '%s' (%s) at 0x%llx: %s\n", dev->node, dev->name, dev->dev_path,
		       (unsigned long long)dev->reg_addr, hw);
	}
	if (r->config_match == 0) {
		snprintf(r->warning, sizeof r->warning, "%s is not config '%s': %s", dev->node, cfg->name, diff);
		fprintf(stderr, "tessera deploy: %s\n", r->warning);
		return 1;
	}
	if (dev->problem[0]) {
		snprintf(r->warning, sizeof r->warning, "%s: %s", dev->node, dev->problem);
		fprintf(stderr, "tessera deploy: warning: %s\n", r->warning);
	} else if (!json) {
		printf("deploy: done: tessera run --device uio:%s --config %s ...\n", dev->node, cfg->name);
	}
	return 0;

undo:
	if (!json && pf[0].done)
		printf("undone: the overlay directory and the files installed removed, files replaced put back\n");
	if (ov_made)
		remove_overlay(ov_dir);
	place_undo(&pf[1]);
	place_undo(&pf[0]);
	while (nmade > 0)
		rmdir(made[--nmade]);
	free(bin);
	free(dtbo);
	r->nfiles = 0;
	return rc;
}

/* ---- the command ---------------------------------------------------------------------- */
int cmd_deploy(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "board", required_argument, 0, 'b' },   { "config", required_argument, 0, 'c' },
		{ "package", required_argument, 0, 'p' }, { "bitstream", required_argument, 0, 'B' },
		{ "sysroot", required_argument, 0, 'Y' }, { "timeout", required_argument, 0, 'T' },
		{ "dry-run", no_argument, 0, 'n' },       { "json", no_argument, 0, 'j' },
		{ "help", no_argument, 0, 'h' },          { 0, 0, 0, 0 }
	};
	const char *board = NULL, *config = NULL, *package = NULL, *file = NULL, *sysroot = NULL;
	int dry_run = 0, json = 0, ch;
	unsigned timeout = 3;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "b:c:p:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'b': board = optarg; break;
		case 'c': config = optarg; break;
		case 'p': package = optarg; break;
		case 'B': file = optarg; break;
		case 'Y': sysroot = optarg; break;
		case 'T':
			if (cli_parse_u32(CMD, "--timeout", optarg, 0, 600, &timeout))
				return 2;
			break;
		case 'n': dry_run = 1; break;
		case 'j': json = 1; break;
		case 'h': usage(stdout); return 0;
		default: return cli_usage_error(CMD, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	char known[256];
	flow_boards(known, sizeof known);
	if (!board)
		return cli_usage_error(CMD, "--board is required (boards: %s)", known);
	const ts_board *b = ts_board_find(board);
	const flow *fl = flow_of(b);
	if (!b)
		return cli_usage_error(CMD, "--board '%s': unknown board (boards: %s)", board, known);
	if (!fl)
		return cli_usage_error(CMD, "--board '%s': no deploy flow for its family %s (boards: %s)", b->name,
				       b->family, known);
	if (package && file)
		return cli_usage_error(CMD, "--package and --bitstream: give one");
	if (sysroot && fl->tool)
		return cli_usage_error(CMD, "--sysroot: only for the Linux boards (%s programs %s with %s)", b->name,
				       b->family, fl->tool);
	if (sysroot && !is_dir(sysroot))
		return cli_usage_error(CMD, "--sysroot '%s': not a directory", sysroot);

	ts_diag d = { { 0 } };
	ts_status st;
	ts_hwcfg want;
	if (config && (st = ts_hwcfg_resolve(config, &want, &d)))
		return cli_fail(CMD, st, &d);

	/* the bitstream and its config */
	bitstream bs;
	memset(&bs, 0, sizeof bs);
	if (package) {
		char path[PATH_LEN];
		snprintf(path, sizeof path, "%s/config.json", package);
		if (!is_dir(package) || !is_file(path))
			return cli_fail(CMD, ts_err(&d, TS_ERR_INPUT, "--package %s: no config.json: not a package of "
						    "`tessera gen --board`", package), &d);
		for (int k = 0; k < 2 && !bs.path[0]; k++) {
			snprintf(path, sizeof path, "%s/out/tessera.%s", package, k ? "bit" : "bin");
			if (is_file(path))
				ts_strlcpy(bs.path, path, sizeof bs.path);
		}
		if (!bs.path[0])
			return cli_fail(CMD, ts_err(&d, TS_ERR_INPUT, "--package %s: no out/tessera.bin or out/tessera.bit: "
						    "build it first (%s: %s)", package, b->name,
						    fl->tool ? "its build.sh, or tessera synth" : "Vivado, or give --bitstream "
						    "with --config"), &d);
	} else if (file) {
		ts_strlcpy(bs.path, file, sizeof bs.path);
	} else if (fl->tool) {
		char root[1024];
		ts_data_root(NULL, root, sizeof root, NULL);
		snprintf(bs.path, sizeof bs.path, "%s/bitstreams/%s/tessera.%s", strcmp(root, ".") ? root : ".", b->name,
			 fl->ext);
		if (!strcmp(root, "."))
			snprintf(bs.path, sizeof bs.path, "bitstreams/%s/tessera.%s", b->name, fl->ext);
		if (!is_file(bs.path))
			return cli_fail(CMD, ts_err(&d, TS_ERR_INPUT, "no committed bitstream for %s (%s): give --package or "
						    "--bitstream (run from the repository root, or set TESSERA_ROOT)",
						    b->name, bs.path), &d);
	} else {
		return cli_usage_error(CMD, "--board %s: give --bitstream FILE (a Vivado .bit or .bin) and --config, or "
				       "--package DIR", b->name);
	}
	if ((st = ts_read_file(bs.path, &bs.data, &bs.len, &d)))
		return cli_fail(CMD, st, &d);
	if ((st = find_config(&bs, &d)))
		goto fail;

	/* the config check: the bitstream's board, then the hardware */
	report r;
	memset(&r, 0, sizeof r);
	r.board = b;
	r.bs = &bs;
	r.dry_run = dry_run;
	r.config_match = -1;
	r.config_file = bs.config_path;
	ts_hwcfg cfg;
	if (bs.config_path[0]) {
		if (!ts_name_eq(bs.cfg.board, b->name)) {
			st = ts_err(&d, TS_ERR_INPUT, "%s was built for board '%s' (%s), not --board '%s'", bs.path,
				    bs.cfg.board, bs.config_path, b->name);
			goto fail;
		}
		if (config) {
			char diff[600];
			if (ts_hwcfg_diff(&bs.cfg, &want, diff, sizeof diff)) {
				st = ts_err(&d, TS_ERR_INPUT, "%s was built for config '%s' (%s), not --config '%s' (%s): %s",
					    bs.path, bs.cfg.name, bs.config_path, want.name, config, diff);
				goto fail;
			}
			r.config_checked = 1;
		}
		cfg = bs.cfg;
	} else if (config) {
		cfg = want;
		ts_strlcpy(cfg.board, b->name, sizeof cfg.board);
		snprintf(r.warning, sizeof r.warning, "%s: no config.json beside it: not checked against --config '%s'",
			 bs.path, config);
	} else if (!fl->tool) {
		st = ts_err(&d, TS_ERR_INPUT, "%s: no config.json beside it: give --config (the overlay is made from it)",
			    bs.path);
		goto fail;
	}
	int have_cfg = bs.config_path[0] || config;
	if (have_cfg && (st = ts_hwcfg_validate(&cfg, &d)))
		goto fail;
	r.config = have_cfg ? cfg.name : NULL;
	ts_sha256_hex(bs.data, bs.len, r.sha256);
	if (!json) {
		printf("deploy: %s (%s, %s), bitstream %s (%zu bytes)\n", b->name, b->family, b->part, bs.path, bs.len);
		if (r.config_checked)
			printf("deploy: config '%s' (%s) is --config '%s'\n", cfg.name, bs.config_path, config);
		else if (bs.config_path[0])
			printf("deploy: config '%s' (%s)\n", cfg.name, bs.config_path);
	}
	if (r.warning[0])
		fprintf(stderr, "tessera deploy: warning: %s\n", r.warning);

	int rc = 0;
	char *cmd_argv[6] = { 0 }; /* r.command points here until print_json */
	if (fl->tool) {
		if ((st = ts_bitstream_check_open(b, bs.data, bs.len, bs.path, &d)))
			goto fail;
		char tool[PATH_LEN];
		int found = find_tool(fl->tool, tool, sizeof tool);
		if (!found && !dry_run) {
			st = ts_err(&d, TS_ERR_INPUT, "%s is not installed (on PATH): it programs %s; Debian package %s "
						      "(apt-get install %s)", fl->tool, b->name, fl->debian, fl->debian);
			goto fail;
		}
		int n = 0;
		cmd_argv[n++] = (char *)fl->tool;
		if (!strcmp(b->family, "ecp5")) {
			cmd_argv[n++] = "-b";
			cmd_argv[n++] = (char *)b->name;
		}
		cmd_argv[n++] = bs.path;
		cmd_argv[n] = NULL;
		r.command = cmd_argv;
		if (!json) {
			printf("$");
			for (int i = 0; i < n; i++)
				printf(" %s", cmd_argv[i]);
			printf("\n");
		}
		if (dry_run) {
			if (!found)
				snprintf(r.warning, sizeof r.warning, "%s is not installed (Debian package %s)", fl->tool,
					 fl->debian);
			if (!json)
				printf("deploy: --dry-run: not run%s%s\n", found ? "" : "; ", r.warning);
		} else {
			char *run_argv[6];
			memcpy(run_argv, cmd_argv, sizeof run_argv);
			run_argv[0] = tool;
			char tail[1600];
			int status = run_tool(run_argv, tail, sizeof tail);
			if (status != 0) {
				size_t len = strlen(tail);
				while (len && (tail[len - 1] == '\n' || tail[len - 1] == ' '))
					tail[--len] = 0;
				fprintf(stderr, "tessera deploy: %s failed (%s %d) programming %s: %s\n", fl->tool,
					status < 0 ? "status" : "exit", status, b->name, tail[0] ? tail : "(no message)");
				free(bs.data);
				return 1;
			}
			if (!json)
				printf("deploy: programmed %s\n", b->name);
		}
	} else {
		rc = deploy_linux(&cfg, b, &bs, sysroot, timeout, json, &r);
		if (rc == 2 || (rc == 1 && !r.has_device)) {
			free(bs.data);
			return rc;
		}
	}
	if (json)
		print_json(&r);
	free(bs.data);
	return rc;

fail:
	free(bs.data);
	return cli_fail(CMD, st, &d);
}
