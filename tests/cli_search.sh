#!/bin/sh
# cli_search.sh — `tessera search`: exact = brute force through the CLI, a
# search killed with SIGKILL and resumed gives the uninterrupted result and
# keeps every stored evaluation, the array result passes `config check`, and
# bad input (exit 2, db and -o file never written).
T=${TS_BIN:-build/bin/tessera}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect CODE DESCRIPTION -- command...
expect() {
	code=$1; what=$2; shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq "$code" ]; then ok; else bad "$what: exit $rc, want $code ($(head -c 300 "$tmp/err"))"; fi
}
jget() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
rows() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$1" "$2"; }

expect 0 "--help" -- "$T" search --help
grep -q "^usage: tessera search" "$tmp/out" && ok || bad "--help has no usage line"

# A 5-layer ConfuciuX CSV: the Pareto DP and brute force agree (4 x 3 levels are
# enumerable through the library; here the full 12 x 12 per layer: exact only).
printf 'K,C,Y,X,R,S,T\n32,3,224,224,3,3,1\n32,32,112,112,3,3,2\n64,32,112,112,1,1,1\n' >"$tmp/m.csv"
expect 0 "exact on a CSV model" -- "$T" search --model "$tmp/m.csv" --budget iot --algo exact --json
opt=$(jget "$tmp/out" objective_value)
expect 0 "rl+ga on the same" -- "$T" search --model "$tmp/m.csv" --budget iot --algo rl+ga -n 3000 --json -s 5
got=$(jget "$tmp/out" objective_value)
[ "$got" = "$opt" ] && ok || bad "rl+ga $got != exact $opt"

# Kill -9 a running search, resume it: same result as an uninterrupted run, no
# evaluation lost.
db="$tmp/s.db"
"$T" search --model mobilenet_v2 --budget iot --algo rl+ga -n 4000 -s 3 --quiet --db "$db" >/dev/null 2>&1 &
pid=$!
sleep 1.5
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
n1=$(rows "$db" "SELECT COUNT(*) FROM evals")
fin=$(rows "$db" "SELECT finished FROM runs")
if [ "$n1" -gt 0 ] && [ "$n1" -lt 4000 ] && [ "$fin" = 0 ]; then ok; else bad "killed run: $n1 evaluations, finished=$fin"; fi
expect 0 "resume" -- "$T" search --model mobilenet_v2 --budget iot --algo rl+ga -n 4000 -s 3 --json --db "$db" --resume
resumed=$(jget "$tmp/out" objective_value)
n2=$(rows "$db" "SELECT COUNT(*) FROM evals")
[ "$n2" = 4000 ] && ok || bad "after resume: $n2 evaluations, want 4000"
[ "$n2" -ge "$n1" ] && ok || bad "resume lost evaluations ($n1 -> $n2)"
expect 0 "uninterrupted" -- "$T" search --model mobilenet_v2 --budget iot --algo rl+ga -n 4000 -s 3 --json
whole=$(jget "$tmp/out" objective_value)
[ "$resumed" = "$whole" ] && ok || bad "resumed $resumed != uninterrupted $whole"
expect 2 "nothing left to resume" -- "$T" search --model mobilenet_v2 --budget iot --algo rl+ga -n 4000 -s 3 --db "$db" --resume
grep -q "no unfinished" "$tmp/err" && ok || bad "resume without a run: $(cat "$tmp/err")"

# Array formulation: the written hwcfg passes `config check` unchanged.
expect 0 "array search" -- "$T" search --model resnet18 --formulation array --constraint dsp --board zcu104 -a ga -n 200 -o "$tmp/hw.json"
expect 0 "config check of the result" -- "$T" config check "$tmp/hw.json"

# Bad input: exit 2, one message, nothing written.
expect 2 "unknown algorithm" -- "$T" search --model mobilenet_v2 --algo ppo2 --db "$tmp/bad.db" -o "$tmp/bad.json"
grep -q "unknown algorithm 'ppo2'" "$tmp/err" && ok || bad "unknown algorithm message: $(cat "$tmp/err")"
expect 2 "budget below the minimum" -- "$T" search --model mobilenet_v2 --budget 10 --db "$tmp/bad.db" -o "$tmp/bad.json"
grep -q "below the minimum" "$tmp/err" && ok || bad "budget message: $(cat "$tmp/err")"
expect 2 "unknown model" -- "$T" search --model no_such_net --db "$tmp/bad.db"
[ $(wc -l <"$tmp/err") -eq 1 ] && ok || bad "unknown model: more than one line"
[ ! -e "$tmp/bad.db" ] && [ ! -e "$tmp/bad.json" ] && ok || bad "bad input left a db or output file"
head -c 3000 /dev/urandom >"$tmp/corrupt.db"
cp "$tmp/corrupt.db" "$tmp/corrupt.orig"
expect 2 "corrupt database" -- "$T" search --model mobilenet_v2 -n 10 --db "$tmp/corrupt.db" -o "$tmp/bad.json"
grep -q "corrupt.db" "$tmp/err" && ok || bad "corrupt db message does not name the file: $(cat "$tmp/err")"
cmp -s "$tmp/corrupt.db" "$tmp/corrupt.orig" && [ ! -e "$tmp/bad.json" ] && ok || bad "corrupt db was modified or output written"
expect 2 "lut on per-layer" -- "$T" search --model mobilenet_v2 --constraint lut

echo "cli_search: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
