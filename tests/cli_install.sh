#!/bin/sh
# cli_install.sh — `make install PREFIX=P` into a temporary prefix: the files it puts
# there, an installed `tessera sim` run from another directory (RTL and shim from
# P/share/tessera, models in the user's cache), the model cache's place and key
# (TESSERA_SIMCACHE > XDG_CACHE_HOME > ~/.cache; extra verilator flags change the
# key), and a C program built against the installed headers and library with
# `pkg-config --cflags --libs tessera`. Run from the repo root (after `make`):
#   TS_BIN=build/bin/tessera sh tests/cli_install.sh
# TS_SAN: the sanitizer flags the library was built with (make check-tests sets it).
# shellcheck source=tests/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
need_bin
SHOW_LAST=600
P=$TMP/prefix
BUILD_DIR=$(dirname "$(dirname "$BIN")")

# The install itself (BUILD from the binary under test: build/, build/asan/, ...).
expect 0 "make install PREFIX=$P" -- ${MAKE:-make} --no-print-directory install \
	BUILD="$BUILD_DIR" PREFIX="$P"
[ -x "$P/bin/tessera" ] && ok || bad "no $P/bin/tessera"
[ -f "$P/lib/libtessera.a" ] && ok || bad "no $P/lib/libtessera.a"
[ -f "$P/lib/pkgconfig/tessera.pc" ] && ok || bad "no $P/lib/pkgconfig/tessera.pc"
for f in host/include/tessera/*.h host/include/tessera/*.def rtl/*.v rtl/*.vh rtl/boards/* sim/*; do
	[ -f "$f" ] || continue  # files (sim/boards/ is not installed)
	case $f in
	host/include/*) to=$P/include/tessera/$(basename "$f") ;;
	*) to=$P/share/tessera/$f ;;
	esac
	cmp -s "$f" "$to" && ok || bad "$f not installed as $to"
done

# An installed `tessera sim` from another directory, nothing of the repository
# in its environment: the RTL comes from P/share/tessera, the model goes to
# ~/.cache/tessera/simcache (HOME is a temporary directory here).
away=$TMP/away
mkdir -p "$away" "$TMP/home"
cp tests/data/sim/tiny.csv "$away/"
installed_sim() {
	(cd "$away" && env -u TESSERA_ROOT -u TESSERA_SIMCACHE -u XDG_CACHE_HOME \
		HOME="$TMP/home" "$@" "$P/bin/tessera" sim --config tiny-ice40 --model tiny.csv \
		--layer 2 --seed 5 -q) >"$TMP/out" 2>"$TMP/err"
	rc=$?
}
installed_sim env
if [ "$rc" -eq 0 ]; then ok; else bad "installed tessera sim: exit $rc"; fi
grep -q '^OK: every output bit-exact, every layer cycle-exact' "$TMP/out" && ok ||
	bad "installed tessera sim: no OK line"
n=$(awk '$1 == 2 && $5 == 0 && $7 == 0' "$TMP/out" | wc -l)
[ "$n" -eq 1 ] && ok || bad "installed tessera sim: layer 2 not exact: $(cat "$TMP/out")"
key=$(cd "$TMP/home/.cache/tessera/simcache" 2>/dev/null && ls -d ./*/libtsv.so 2>/dev/null)
key=${key#./}
key=${key%/libtsv.so}
[ -n "$key" ] && [ "$(printf '%s\n' "$key" | wc -l)" -eq 1 ] && ok ||
	bad "no single model in ~/.cache/tessera/simcache: '$key'"
[ "$(ls "$away")" = tiny.csv ] && ok || bad "the run wrote into its directory: $(ls "$away")"

# The cache's place and key, read from the build directory a failing verilator
# leaves (…/tmp-<key>-<pid>/build.log; an unknown flag fails at once).
# failed_key VAR=VALUE...: the directory named in the error message.
failed_key() {
	installed_sim env "$@"
	sed -n 's|.*see \(.*\)/tmp-\([0-9a-f]*\)-[0-9]*/build.log.*|\1 \2|p' "$TMP/err"
}
a=$(failed_key TESSERA_VERILATOR_FLAGS=--no-such-flag-a)
b=$(failed_key TESSERA_VERILATOR_FLAGS=--no-such-flag-b)
a2=$(failed_key TESSERA_VERILATOR_FLAGS=" --no-such-flag-a ")
[ "${a%% *}" = "$TMP/home/.cache/tessera/simcache" ] && ok || bad "cache without XDG_CACHE_HOME: '$a'"
[ -n "${a#* }" ] && [ "${a#* }" != "$key" ] && [ "${b#* }" != "$key" ] && [ "${a#* }" != "${b#* }" ] &&
	ok || bad "an extra verilator flag must change the key: $key, '$a', '$b'"
[ "$a" = "$a2" ] && ok || bad "the same flags must give the same key: '$a', '$a2'"
c=$(failed_key TESSERA_VERILATOR_FLAGS=--no-such-flag-a XDG_CACHE_HOME="$TMP/xdg")
[ "$c" = "$TMP/xdg/tessera/simcache ${a#* }" ] && ok || bad "cache under XDG_CACHE_HOME: '$c'"
c=$(failed_key TESSERA_VERILATOR_FLAGS=--no-such-flag-a XDG_CACHE_HOME="$TMP/xdg" \
	TESSERA_SIMCACHE="$TMP/mine")
[ "$c" = "$TMP/mine ${a#* }" ] && ok || bad "TESSERA_SIMCACHE must win: '$c'"

# A C program against the installed headers (every one) and library.
PKG_CONFIG_PATH=$P/lib/pkgconfig
export PKG_CONFIG_PATH
version=$(sed -n 's/.*TS_VERSION_STRING "\(.*\)"/\1/p' host/include/tessera/version.h)
[ "$(pkg-config --modversion tessera)" = "$version" ] && ok || bad "pkg-config --modversion"
{
	for h in "$P"/include/tessera/*.h; do echo "#include <tessera/$(basename "$h")>"; done
	cat <<'EOF'
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
	ts_hwcfg c;
	ts_diag d;
	ts_diag_clear(&d);
	if (ts_hwcfg_resolve(argc > 1 ? argv[1] : "edge", &c, &d) != TS_OK) {
		fprintf(stderr, "%s\n", d.msg);
		return 1;
	}
	char *json = ts_hwcfg_to_json(&c);
	fputs(json, stdout);
	free(json);
	return 0;
}
EOF
} >"$TMP/prog.c"
# shellcheck disable=SC2046,SC2086
expect 0 "cc prog.c \$(pkg-config --cflags --libs tessera)" -- ${CC:-cc} -std=c11 -Wall -Werror \
	${TS_SAN:-} "$TMP/prog.c" $(pkg-config --cflags --libs tessera) -o "$TMP/prog"
if [ -x "$TMP/prog" ]; then
	"$TMP/prog" edge >"$TMP/prog.out" 2>&1 && ok || bad "prog edge: $(cat "$TMP/prog.out")"
	grep -q '"rows": 12, "cols": 16' "$TMP/prog.out" && ok || bad "prog edge: $(cat "$TMP/prog.out")"
	"$P/bin/tessera" config show edge --json >"$TMP/show.out" 2>&1
	cmp -s "$TMP/prog.out" "$TMP/show.out" && ok ||
		bad "prog and tessera config show --json differ: $(diff "$TMP/prog.out" "$TMP/show.out")"
fi
# Every object of the library links with the Libs line alone.
# shellcheck disable=SC2046,SC2086
expect 0 "the whole library links with pkg-config --libs" -- ${CC:-cc} ${TS_SAN:-} \
	"$TMP/prog.c" $(pkg-config --cflags tessera) -L"$P/lib" -Wl,--whole-archive -ltessera \
	-Wl,--no-whole-archive $(pkg-config --libs tessera) -o "$TMP/prog-all"

expect 0 "make uninstall PREFIX=$P" -- ${MAKE:-make} --no-print-directory uninstall \
	BUILD="$BUILD_DIR" PREFIX="$P"
left=$(find "$P" -type f | head -5)
[ -z "$left" ] && ok || bad "left after uninstall: $left"

finish
