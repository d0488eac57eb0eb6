/* cmd_report.c — `tessera report`: plots of a search database (--db of
 * `tessera search`): convergence per run and the latency/area Pareto front,
 * as gnuplot data + script and SVG/PNG images in one directory.
 *
 * --json: {"db", "dir", "runs", "evaluations", "points", "front",
 *   "files": [{"name", "bytes"}]}  (names relative to "dir") */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "tessera/search.h"
#include "tessera/util.h"

static const char usage_text[] =
	"usage: tessera report --db FILE [-o DIR] [--json]\n"
	"\n"
	"Plot a search database written by 'tessera search --db FILE': the best\n"
	"feasible objective against evaluations for every run (convergence), and\n"
	"the latency and area of every evaluated design with their Pareto front.\n"
	"Writes DIR/convergence.dat, pareto.dat, report.gp (gnuplot) and the\n"
	"images convergence.svg, convergence.png, pareto.svg, pareto.png.\n"
	"\n"
	"      --db FILE          the search database (SQLite)\n"
	"  -o, --output DIR       output directory, created if missing [search-report]\n"
	"      --json             machine-readable summary on stdout\n"
	"  -h, --help             this text\n";

static const char *const report_files[] = { "convergence.dat", "pareto.dat",	  "report.gp",	"convergence.svg",
					    "convergence.png", "pareto.svg", "pareto.png" };

enum { OPT_DB = 256, OPT_JSON };

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, OPT_DB },   { "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, OPT_JSON },     { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "report", *db = NULL, *dir = "search-report";
	int json = 0, c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			db = optarg;
			break;
		case 'o':
			dir = optarg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			return cli_usage_error(cmd, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!db)
		return cli_usage_error(cmd, "--db FILE is required");
	if (!*dir)
		return cli_usage_error(cmd, "-o: empty directory name");
	ts_diag d = { { 0 } };
	ts_report_info info;
	ts_status st = ts_search_report(db, dir, &info, &d);
	if (st != TS_OK)
		return cli_fail(cmd, st, &d);
	const size_t nf = sizeof report_files / sizeof report_files[0];
	long long bytes[sizeof report_files / sizeof report_files[0]];
	for (size_t i = 0; i < nf; i++) {
		char path[4096];
		struct stat stt;
		snprintf(path, sizeof path, "%s/%s", dir, report_files[i]);
		bytes[i] = stat(path, &stt) == 0 ? (long long)stt.st_size : -1;
	}
	if (json) {
		printf("{\"db\": ");
		ts_json_str(stdout, db);
		printf(", \"dir\": ");
		ts_json_str(stdout, dir);
		printf(", \"runs\": %zu, \"evaluations\": %zu, \"points\": %zu, \"front\": %zu, \"files\": [", info.runs,
		       info.evaluations, info.points, info.front);
		for (size_t i = 0; i < nf; i++)
			printf("%s{\"name\": \"%s\", \"bytes\": %lld}", i ? ", " : "", report_files[i], bytes[i]);
		printf("]}\n");
		return 0;
	}
	printf("%-18s %s: %zu runs, %zu evaluations, %zu points, %zu on the Pareto front\n", "database", db, info.runs,
	       info.evaluations, info.points, info.front);
	printf("%-40s %10s\n", "file", "bytes");
	for (size_t i = 0; i < nf; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, report_files[i]);
		printf("%-40s %10lld\n", path, bytes[i]);
	}
	return 0;
}
