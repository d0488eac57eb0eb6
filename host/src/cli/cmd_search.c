/* cmd_search.c — `tessera search`: find per-layer resources (ConfuciuX "LP")
 * or one array config ("LS") for a workload under a budget. With --mpi N the
 * same search runs under `mpirun -np N` in the MPI driver (build/bin/tessera-mpi,
 * host/mpi/tessera_mpi.c), which evaluates GA generations and RL batches on all
 * ranks and gives the same result as the single-process run.
 *
 * --json: {"model", "formulation", "objective", "constraint", "unit", "budget",
 *   "algorithm", "seed", "evals", "run_id", "feasible", "objective_value",
 *   "constraint_value", "latency", "energy_pj", "first_best_eval", "wall_s",
 *   "design": <the design JSON written by -o>}
 * -o FILE: per-layer {"model", ..., "layers": [{name, pes, buffer_level, ...}]};
 *   array: the hwcfg (accepted unchanged by `tessera config check`). */
#include <cblas.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/search_cli.h"
#include "tessera/search.h"
#include "tessera/util.h"
#include "tessera/workload.h"

static const char usage_head[] =
	"usage: tessera search --model M [options]\n"
	"\n"
	"Search the design space for workload M: a PE count and buffer level per layer\n"
	"(--formulation per-layer, ConfuciuX 'LP', dataflow model family) or one\n"
	"tessera array for the whole model (--formulation array), minimizing the\n"
	"objective under the budget.\n"
	"\n"
	"  -m, --model M          zoo name or CSV/ONNX file\n"
	"      --objective O      latency | energy | edp [latency]\n"
	"      --constraint C     area | power (per-layer, array); lut | dsp | bram (array) [area]\n"
	"      --budget B         cloud | iot | eiot (min + (max-min) x 0.5 / 0.1 / 0.05) or a value [cloud]\n";
/* between the two: -a, --algo, listed from the library's table (usage) */
static const char usage_tail[] =
	"  -s, --seed S           random seed [1]\n"
	"      --formulation F    per-layer | array [per-layer]\n"
	"      --style S          per-layer dataflow: nvdla | shidiannao | eyeriss [shidiannao]\n"
	"      --board B          array: target board [pynq-z2]\n"
	"  -n, --evals N          evaluation budget [2000]\n"
	"      --db FILE          store every evaluation in SQLite FILE\n"
	"      --resume           continue the unfinished run in --db with the same parameters\n"
	"  -o, --output FILE      write the best design (JSON; array: a hwcfg.json)\n"
	"      --json             machine-readable summary on stdout\n"
	"  -q, --quiet            no progress bar\n"
	"      --mpi N            run under 'mpirun -np N' (OpenMPI): GA generations and RL\n"
	"                         batches are evaluated on all N ranks; same result as without\n"
	"      --format F         model file format: auto, confuciux, scalesim, onnx [auto]\n"
	"  -h, --help             this text\n";

/* The algorithms' names in the library's order (the default first), joined by sep. */
static void algo_names(char *buf, size_t size, const char *sep)
{
	size_t n = 0;
	buf[0] = '\0';
	for (size_t i = 0; ts_algo_listed(i) != TS_ALGO_COUNT && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? sep : "", ts_algo_name(ts_algo_listed(i)));
}

static void usage(void)
{
	char names[256];
	ts_search_opts def;
	ts_search_opts_default(&def);
	algo_names(names, sizeof names, " | ");
	fputs(usage_head, stdout);
	printf("  -a, --algo A           %s [%s]\n", names, ts_algo_name(def.algo));
	fputs(usage_tail, stdout);
}

enum { OPT_OBJ = 256, OPT_CON, OPT_BUDGET, OPT_FORM, OPT_STYLE, OPT_BOARD, OPT_DB, OPT_RESUME, OPT_JSON, OPT_FORMAT,
       OPT_MPI };

/* The MPI driver next to this binary (or $TS_MPI_BIN). */
static int mpi_driver_path(char *buf, size_t size)
{
	const char *env = getenv("TS_MPI_BIN");
	if (env && *env) {
		ts_strlcpy(buf, env, size);
		return access(buf, X_OK) == 0 ? 0 : -1;
	}
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	if ((size_t)snprintf(buf, size, "%s/tessera-mpi", self) >= size)
		return -1;
	return access(buf, X_OK) == 0 ? 0 : -1;
}

/* Re-run this command line under mpirun without --mpi; returns only on failure. */
static int run_under_mpi(const char *cmd, int argc, char **argv, unsigned ranks)
{
	char driver[PATH_MAX];
	if (mpi_driver_path(driver, sizeof driver) != 0) {
		fprintf(stderr, "tessera %s: --mpi: the MPI driver tessera-mpi is not built next to tessera "
				"(make all with mpicc / libopenmpi-dev installed)\n",
			cmd);
		return 1;
	}
	char np[16];
	snprintf(np, sizeof np, "%u", ranks);
	char **av = calloc((size_t)argc + 12, sizeof *av);
	if (!av)
		return 1;
	int k = 0;
	av[k++] = "mpirun";
	av[k++] = "-np";
	av[k++] = np;
	av[k++] = "--allow-run-as-root";
	av[k++] = "--oversubscribe";
	av[k++] = "--bind-to";
	av[k++] = "none";
	av[k++] = driver;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--mpi")) {
			i++; /* and its value */
			continue;
		}
		if (!strncmp(argv[i], "--mpi=", 6))
			continue;
		av[k++] = argv[i];
	}
	av[k] = NULL;
	/* Shared memory between ranks on one host; containers often forbid the
	 * cross-memory-attach copy, so do not use it. */
	setenv("OMPI_MCA_btl_vader_single_copy_mechanism", "none", 0);
	fflush(NULL);
	execvp("mpirun", av);
	fprintf(stderr, "tessera %s: --mpi: cannot run mpirun (install openmpi-bin)\n", cmd);
	free(av);
	return 1;
}

int cmd_search(int argc, char **argv)
{
	return cli_search_main(argc, argv, NULL);
}

int cli_search_main(int argc, char **argv, const cli_search_hooks *hooks)
{
	static const struct option opts[] = {
		{ "model", required_argument, NULL, 'm' },	{ "objective", required_argument, NULL, OPT_OBJ },
		{ "constraint", required_argument, NULL, OPT_CON }, { "budget", required_argument, NULL, OPT_BUDGET },
		{ "algo", required_argument, NULL, 'a' },	{ "seed", required_argument, NULL, 's' },
		{ "formulation", required_argument, NULL, OPT_FORM }, { "style", required_argument, NULL, OPT_STYLE },
		{ "board", required_argument, NULL, OPT_BOARD }, { "evals", required_argument, NULL, 'n' },
		{ "db", required_argument, NULL, OPT_DB },	{ "resume", no_argument, NULL, OPT_RESUME },
		{ "output", required_argument, NULL, 'o' },	{ "json", no_argument, NULL, OPT_JSON },
		{ "quiet", no_argument, NULL, 'q' },		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "mpi", required_argument, NULL, OPT_MPI },	{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = "search", *model = NULL, *output = NULL, *budget = "cloud";
	ts_problem_spec spec;
	ts_problem_spec_default(&spec);
	ts_search_opts so;
	ts_search_opts_default(&so);
	int json = 0;
	unsigned mpi_ranks = 0;
	ts_wl_format fmt = TS_WL_AUTO;
	ts_diag d = { { 0 } };
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "m:a:s:n:o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			model = optarg;
			break;
		case OPT_OBJ:
			if (ts_search_obj_from_name(optarg, &spec.objective) != 0)
				return cli_usage_error(cmd, "--objective '%s' (allowed: latency, energy, edp)", optarg);
			break;
		case OPT_CON:
			if (ts_search_con_from_name(optarg, &spec.constraint) != 0)
				return cli_usage_error(cmd, "--constraint '%s' (allowed: area, power, lut, dsp, bram)", optarg);
			break;
		case OPT_BUDGET:
			budget = optarg;
			break;
		case 'a':
			if (ts_algo_from_name(optarg, &so.algo) != 0) {
				char names[256];
				algo_names(names, sizeof names, ", ");
				return cli_usage_error(cmd, "unknown algorithm '%s' (allowed: %s)", optarg, names);
			}
			break;
		case 's': {
			char *end;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (end == optarg || *end || optarg[0] == '-')
				return cli_usage_error(cmd, "--seed '%s': must be a non-negative integer", optarg);
			so.seed = v;
			break;
		}
		case OPT_FORM:
			if (ts_search_form_from_name(optarg, &spec.form) != 0)
				return cli_usage_error(cmd, "--formulation '%s' (allowed: per-layer, array)", optarg);
			break;
		case OPT_STYLE:
			if (ts_df_style_from_name(optarg, &spec.style) != 0)
				return cli_usage_error(cmd, "--style '%s' (allowed: nvdla, shidiannao, eyeriss)", optarg);
			break;
		case OPT_BOARD:
			if (!ts_board_find(optarg))
				return cli_usage_error(cmd, "unknown board '%s' (see 'tessera config boards')", optarg);
			ts_strlcpy(spec.board, optarg, sizeof spec.board);
			break;
		case 'n': {
			unsigned v;
			if (cli_parse_u32(cmd, "--evals", optarg, 1, 100000000, &v))
				return 2;
			so.evals = v;
			break;
		}
		case OPT_DB:
			so.db_path = optarg;
			break;
		case OPT_RESUME:
			so.resume = 1;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case 'q':
			so.quiet = 1;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "auto"))
				fmt = TS_WL_AUTO;
			else if (!strcmp(optarg, "confuciux"))
				fmt = TS_WL_CONFUCIUX;
			else if (!strcmp(optarg, "scalesim"))
				fmt = TS_WL_SCALESIM;
			else if (!strcmp(optarg, "onnx"))
				fmt = TS_WL_ONNX;
			else
				return cli_usage_error(cmd, "--format '%s' (allowed: auto, confuciux, scalesim, onnx)", optarg);
			break;
		case OPT_MPI:
			if (hooks)
				return cli_usage_error(cmd, "--mpi inside the MPI driver");
			if (cli_parse_u32(cmd, "--mpi", optarg, 1, 1024, &mpi_ranks))
				return 2;
			break;
		case 'h':
			usage();
			return 0;
		default:
			return cli_usage_error(cmd, "unknown option");
		}
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (!model)
		return cli_usage_error(cmd, "--model is required");
	if (so.resume && !so.db_path)
		return cli_usage_error(cmd, "--resume needs --db FILE");
	if (json)
		so.quiet = 1;
	ts_status st = ts_budget_parse(budget, &spec.budget_frac, &spec.budget_value, &d);
	if (st != TS_OK)
		return cli_fail(cmd, st, &d);
	/* The policy's products are tiny (batch 8): OpenBLAS threads only add
	 * synchronization. */
	openblas_set_num_threads(1);

	ts_workload *w = NULL;
	st = ts_workload_load(model, fmt, &w, &d);
	if (st != TS_OK)
		return cli_fail(cmd, st, &d);
	ts_problem *p = NULL;
	st = ts_problem_new(&spec, w, &p, &d);
	ts_workload_free(w);
	if (st != TS_OK)
		return cli_fail(cmd, st, &d);

	if (mpi_ranks) {
		/* the input is good (checked above, one clear message if not): go parallel */
		ts_problem_free(p);
		return run_under_mpi(cmd, argc, argv, mpi_ranks);
	}
	if (hooks && hooks->problem_ready && hooks->problem_ready(hooks->user, p)) {
		ts_problem_free(p);
		return 0; /* an MPI worker: rank 0 prints the result */
	}
	if (hooks) {
		so.eval_many = hooks->eval_many;
		so.eval_user = hooks->user;
	}
	ts_search_result r;
	st = ts_search_run(p, &so, &r, &d);
	if (hooks && hooks->finished)
		hooks->finished(hooks->user);
	if (st != TS_OK) {
		ts_problem_free(p);
		return cli_fail(cmd, st, &d);
	}
	char *design = NULL;
	if (r.best_eval.feasible)
		st = ts_problem_design_json(p, r.best, &design, &d);
	if (st == TS_OK && output) {
		if (!r.best_eval.feasible) {
			st = ts_err(&d, TS_ERR_INPUT, "no feasible design found in %u evaluations; %s not written",
				    r.evals, output);
		} else {
			ts_out out;
			st = ts_out_open(&out, output, &d);
			if (st == TS_OK) {
				fputs(design, out.f);
				st = ts_out_commit(&out, &d);
			}
		}
	}
	if (st != TS_OK) {
		free(design);
		ts_search_result_free(&r);
		ts_problem_free(p);
		return cli_fail(cmd, st, &d);
	}
	const ts_problem_spec *ps = ts_problem_get_spec(p);
	const char *unit = ts_problem_con_unit(p);
	if (json) {
		printf("{\"model\": ");
		ts_json_str(stdout, ts_problem_workload(p)->name);
		printf(", \"formulation\": \"%s\", \"objective\": \"%s\", \"constraint\": \"%s\", \"unit\": \"%s\", "
		       "\"budget\": %.17g, \"algorithm\": \"%s\", \"seed\": %llu, \"evals\": %u, \"run_id\": %lld, "
		       "\"feasible\": %s, ",
		       ts_search_form_name(ps->form), ts_search_obj_name(ps->objective),
		       ts_search_con_name(ps->constraint), unit, ts_problem_budget(p), ts_algo_name(so.algo),
		       (unsigned long long)so.seed, r.evals, (long long)r.run_id, r.best_eval.feasible ? "true" : "false");
		if (r.best_eval.feasible)
			printf("\"objective_value\": %.17g, \"constraint_value\": %.17g, \"latency\": %.17g, "
			       "\"energy_pj\": %.17g, ",
			       r.best_eval.objective, r.best_eval.constraint, r.best_eval.latency, r.best_eval.energy_pj);
		else
			printf("\"objective_value\": null, \"constraint_value\": null, \"latency\": null, \"energy_pj\": null, ");
		printf("\"first_best_eval\": %u, \"wall_s\": %.6f, \"design\": %s}\n", r.first_best, r.wall_s,
		       design ? design : "null");
	} else {
		printf("%-18s %s (%zu layers, 10^%.1f designs)\n", "model", ts_problem_workload(p)->name,
		       ts_problem_workload(p)->n_layers, ts_problem_log10_size(p));
		printf("%-18s %s, %s\n", "formulation", ts_search_form_name(ps->form),
		       ps->form == TS_FORM_PER_LAYER ? ts_df_style_name(ps->style) : (ps->board[0] ? ps->board : "pynq-z2"));
		printf("%-18s %s under %s <= %.6g %s (min %.6g, max %.6g)\n", "objective", ts_search_obj_name(ps->objective),
		       ts_search_con_name(ps->constraint), ts_problem_budget(p), unit, ts_problem_con_min(p),
		       ts_problem_con_max(p));
		printf("%-18s %s, seed %llu, %u evaluations, %.3f s\n", "search", ts_algo_name(so.algo),
		       (unsigned long long)so.seed, r.evals, r.wall_s);
		if (r.best_eval.feasible) {
			printf("%-18s %.6g (first reached at evaluation %u)\n", "best objective", r.best_eval.objective,
			       r.first_best);
			printf("%-18s %.6g %s (%.1f %% of the budget)\n", "constraint", r.best_eval.constraint, unit,
			       100 * r.best_eval.constraint / ts_problem_budget(p));
			printf("%-18s %.6g %s, energy %.6g pJ\n", "latency", r.best_eval.latency,
			       ps->form == TS_FORM_PER_LAYER ? "cycles" : "s", r.best_eval.energy_pj);
		} else {
			printf("%-18s none feasible\n", "best objective");
		}
		if (output)
			printf("%-18s %s\n", "written", output);
	}
	free(design);
	ts_search_result_free(&r);
	ts_problem_free(p);
	return 0;
}
