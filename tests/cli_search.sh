#!/bin/sh
# cli_search.sh — `tessera search` and `tessera report`: every algorithm
# --help lists runs under its name, exact = brute force through the CLI, a
# search killed with SIGKILL and resumed gives the uninterrupted result and
# keeps every stored evaluation, the array result passes `config check`, bad
# input (exit 2, db and -o file never written), and the report's files from
# that database (exit 2 on a bad one), and --mpi 2 giving the single-process
# result.
# shellcheck source=tests/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"

jget() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
rows() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$1" "$2"; }

expect 0 "--help" -- "$BIN" search --help
grep -q "^usage: tessera search" "$TMP/out" && ok || bad "--help has no usage line"

# The algorithms --help lists (the library's table): each runs under its name,
# and the unknown-algorithm message allows exactly them.
algos=$(sed -n 's/^  -a, --algo A *\(.*\) \[rl+ga\]$/\1/p' "$TMP/out" | tr -d '|')
[ -n "$algos" ] && ok || bad "--help lists no algorithms"
printf 'K,C,Y,X,R,S,T\n32,3,224,224,3,3,1\n64,32,112,112,1,1,1\n' >"$TMP/m2.csv"
for a in $algos; do
	expect 0 "$a on a 2-layer model" -- "$BIN" search --model "$TMP/m2.csv" --budget iot -a "$a" -n 20 --json
	[ "$(jget "$TMP/out" algorithm)" = "$a" ] && ok || bad "-a $a ran as $(jget "$TMP/out" algorithm)"
done
expect 2 "unknown algorithm" -- "$BIN" search --model "$TMP/m2.csv" -a ppo2
grep -q "(allowed: $(echo $algos | sed 's/ /, /g'))" "$TMP/err" && ok || bad "allowed algorithms: $(cat "$TMP/err")"

# A 5-layer ConfuciuX CSV: the Pareto DP and brute force agree (4 x 3 levels are
# enumerable through the library; here the full 12 x 12 per layer: exact only).
printf 'K,C,Y,X,R,S,T\n32,3,224,224,3,3,1\n32,32,112,112,3,3,2\n64,32,112,112,1,1,1\n' >"$TMP/m.csv"
expect 0 "exact on a CSV model" -- "$BIN" search --model "$TMP/m.csv" --budget iot --algo exact --json
opt=$(jget "$TMP/out" objective_value)
expect 0 "rl+ga on the same" -- "$BIN" search --model "$TMP/m.csv" --budget iot --algo rl+ga -n 3000 --json -s 5
got=$(jget "$TMP/out" objective_value)
[ "$got" = "$opt" ] && ok || bad "rl+ga $got != exact $opt"

# Kill -9 a running search, resume it: same result as an uninterrupted run, no
# evaluation lost.
db="$TMP/s.db"
"$BIN" search --model mobilenet_v2 --budget iot --algo rl+ga -n 4000 -s 3 --quiet --db "$db" >/dev/null 2>&1 &
pid=$!
sleep 1
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
n1=$(rows "$db" "SELECT COUNT(*) FROM evals")
fin=$(rows "$db" "SELECT finished FROM runs")
if [ "$n1" -gt 0 ] && [ "$n1" -lt 4000 ] && [ "$fin" = 0 ]; then ok; else bad "killed run: $n1 evaluations, finished=$fin"; fi
expect 0 "resume" -- "$BIN" search --model mobilenet_v2 --budget iot --algo rl+ga -n 4000 -s 3 --json --db "$db" --resume
resumed=$(jget "$TMP/out" objective_value)
n2=$(rows "$db" "SELECT COUNT(*) FROM evals")
[ "$n2" = 4000 ] && ok || bad "after resume: $n2 evaluations, want 4000"
[ "$n2" -ge "$n1" ] && ok || bad "resume lost evaluations ($n1 -> $n2)"
expect 0 "uninterrupted" -- "$BIN" search --model mobilenet_v2 --budget iot --algo rl+ga -n 4000 -s 3 --json
whole=$(jget "$TMP/out" objective_value)
[ "$resumed" = "$whole" ] && ok || bad "resumed $resumed != uninterrupted $whole"
expect 2 "nothing left to resume" -- "$BIN" search --model mobilenet_v2 --budget iot --algo rl+ga -n 4000 -s 3 --db "$db" --resume
grep -q "no unfinished" "$TMP/err" && ok || bad "resume without a run: $(cat "$TMP/err")"

# Array formulation: the written hwcfg passes `config check` unchanged.
expect 0 "array search" -- "$BIN" search --model resnet18 --formulation array --constraint dsp --board zcu104 -a ga -n 200 -o "$TMP/hw.json"
expect 0 "config check of the result" -- "$BIN" config check "$TMP/hw.json"

# Bad input: exit 2, one message, nothing written.
expect 2 "unknown algorithm" -- "$BIN" search --model mobilenet_v2 --algo ppo2 --db "$TMP/bad.db" -o "$TMP/bad.json"
grep -q "unknown algorithm 'ppo2'" "$TMP/err" && ok || bad "unknown algorithm message: $(cat "$TMP/err")"
expect 2 "budget below the minimum" -- "$BIN" search --model mobilenet_v2 --budget 10 --db "$TMP/bad.db" -o "$TMP/bad.json"
grep -q "below the minimum" "$TMP/err" && ok || bad "budget message: $(cat "$TMP/err")"
expect 2 "unknown model" -- "$BIN" search --model no_such_net --db "$TMP/bad.db"
[ $(wc -l <"$TMP/err") -eq 1 ] && ok || bad "unknown model: more than one line"
[ ! -e "$TMP/bad.db" ] && [ ! -e "$TMP/bad.json" ] && ok || bad "bad input left a db or output file"
head -c 3000 /dev/urandom >"$TMP/corrupt.db"
cp "$TMP/corrupt.db" "$TMP/corrupt.orig"
expect 2 "corrupt database" -- "$BIN" search --model mobilenet_v2 -n 10 --db "$TMP/corrupt.db" -o "$TMP/bad.json"
grep -q "corrupt.db" "$TMP/err" && ok || bad "corrupt db message does not name the file: $(cat "$TMP/err")"
cmp -s "$TMP/corrupt.db" "$TMP/corrupt.orig" && [ ! -e "$TMP/bad.json" ] && ok || bad "corrupt db was modified or output written"
expect 2 "lut on per-layer" -- "$BIN" search --model mobilenet_v2 --constraint lut
expect 2 "negative budget" -- "$BIN" search --model mobilenet_v2 --budget -5
grep -q "budget '-5'" "$TMP/err" && ok || bad "negative budget message: $(cat "$TMP/err")"
expect 2 "no evaluations" -- "$BIN" search --model mobilenet_v2 -n 0
expect 2 "--resume without --db" -- "$BIN" search --model mobilenet_v2 --resume
# --resume never creates a database: a mistyped path is an error, not a new file.
expect 2 "resume of a missing db" -- "$BIN" search --model mobilenet_v2 -n 10 --db "$TMP/missing.db" --resume
grep -q "missing.db: no such database" "$TMP/err" && ok || bad "resume of a missing db: $(cat "$TMP/err")"
[ ! -e "$TMP/missing.db" ] && ok || bad "resume of a missing db created it"
# Bad input against the existing database of the resumed run: nothing is added
# to it (no run row without evaluations), also when the problem is only found
# unsolvable by the chosen method (exact on array latency).
runs0=$(rows "$db" "SELECT COUNT(*) FROM runs")
evals0=$(rows "$db" "SELECT COUNT(*) FROM evals")
expect 2 "unknown algorithm, existing db" -- "$BIN" search --model mobilenet_v2 --algo ppo2 --db "$db"
expect 2 "impossible budget, existing db" -- "$BIN" search --model mobilenet_v2 --budget 10 --db "$db"
expect 2 "exact on array latency" -- "$BIN" search --model resnet18 --formulation array --constraint dsp \
	--board zcu104 --algo exact --db "$db"
grep -q "too many to enumerate" "$TMP/err" && ok || bad "exact on array: $(cat "$TMP/err")"
[ "$(rows "$db" "SELECT COUNT(*) FROM runs")" = "$runs0" ] && [ "$(rows "$db" "SELECT COUNT(*) FROM evals")" = "$evals0" ] &&
	ok || bad "bad input wrote into the existing database"

# tessera report on the database of the resumed run plus a GA run: every file
# exists and is non-empty, the PNGs are PNGs, the convergence data has one
# block per run; a bad database gives exit 2 and creates nothing.
expect 0 "ga run into the same db" -- "$BIN" search --model mobilenet_v2 --budget iot --algo ga -n 300 -s 3 -q --db "$db"
expect 0 "report" -- "$BIN" report --db "$db" -o "$TMP/rep"
for f in convergence.dat pareto.dat report.gp convergence.svg convergence.png pareto.svg pareto.png; do
	[ -s "$TMP/rep/$f" ] && ok || bad "report: $f missing or empty"
done
for f in convergence.png pareto.png; do
	[ "$(head -c 4 "$TMP/rep/$f" | tail -c 3)" = PNG ] && ok || bad "report: $f is not a PNG"
done
grep -q "<svg" "$TMP/rep/pareto.svg" && ok || bad "report: pareto.svg is not an SVG"
[ "$(grep -c '^# run ' "$TMP/rep/convergence.dat")" = 2 ] && ok || bad "report: convergence.dat does not have 2 runs"
grep -q 'title "ga seed 3' "$TMP/rep/report.gp" && ok || bad "report: no curve titled after the GA run"
[ ! -e "$TMP/rep/gnuplot.log" ] && ! ls "$TMP/rep" | grep -q tmp && ok || bad "report: leftover temporary files"
expect 0 "report --json" -- "$BIN" report --db "$db" -o "$TMP/rep" --json
[ "$(jget "$TMP/out" runs)" = 2 ] && [ "$(jget "$TMP/out" evaluations)" = 4300 ] && ok || bad "report --json: $(cat "$TMP/out")"
expect 2 "report of a corrupt db" -- "$BIN" report --db "$TMP/corrupt.db" -o "$TMP/rep_bad"
grep -q "corrupt.db" "$TMP/err" && ok || bad "report: message does not name the db: $(cat "$TMP/err")"
expect 2 "report of a missing db" -- "$BIN" report --db "$TMP/none.db" -o "$TMP/rep_bad"
[ ! -e "$TMP/rep_bad" ] && [ ! -e "$TMP/none.db" ] && ok || bad "report of a bad db created files"
expect 2 "report without --db" -- "$BIN" report -o "$TMP/rep_bad"
expect 0 "report --help" -- "$BIN" report --help

# --mpi 2 (OpenMPI on this host): the same result as one process for the same
# seed, with the batched evaluations spread over both ranks; also with a db.
if command -v mpirun >/dev/null 2>&1; then
	for algo in rl+ga ga; do
		expect 0 "$algo single process" -- "$BIN" search --model mobilenet_v2 --budget iot -a $algo -n 600 -s 4 --json
		cp "$TMP/out" "$TMP/single.json"
		TS_MPI_VERBOSE=1 "$BIN" search --model mobilenet_v2 --budget iot -a $algo -n 600 -s 4 --json --mpi 2 \
			--db "$TMP/mpi_$algo.db" >"$TMP/out" 2>"$TMP/err"
		rc=$?
		[ $rc -eq 0 ] && ok || bad "$algo --mpi 2: exit $rc ($(head -c 300 "$TMP/err"))"
		python3 -c "import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2]))
sys.exit(0 if all(a[k] == b[k] for k in ('objective_value', 'first_best_eval', 'evals', 'design')) else 1)" \
			"$TMP/single.json" "$TMP/out" && ok || bad "$algo --mpi 2 differs from the single-process run"
		# both ranks evaluated (600 evaluations in batches split in halves)
		grep -q "tessera-mpi: 2 ranks, batched evaluations per rank: 300 300" "$TMP/err" && ok ||
			bad "$algo --mpi 2: evaluations not spread over the ranks: $(cat "$TMP/err")"
		[ "$(rows "$TMP/mpi_$algo.db" "SELECT COUNT(*) FROM evals")" = 600 ] && ok || bad "$algo --mpi 2: db rows"
	done
	expect 2 "--mpi 0" -- "$BIN" search --model mobilenet_v2 --mpi 0
	expect 2 "--mpi with a bad model" -- "$BIN" search --model no_such_net --mpi 2
	[ $(wc -l <"$TMP/err") -eq 1 ] && ok || bad "--mpi bad model: more than one line"
else
	echo "cli_search: SKIP --mpi tests: mpirun is not installed (openmpi-bin)"
fi

finish
