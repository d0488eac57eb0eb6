#!/bin/sh
# check_layers.sh — `make check-layers`: fails on an #include that points up the
# library's layer stack; prints each as `file:line: <layer> includes <header>
# (<layer>)` and exits 1. Usage: sh scripts/check_layers.sh [ROOT] (default: the repo).
#
# Layers, lowest first (a layer may include its own and lower layers' headers):
#   util kernels config workload model runtime gen sim driver search cli
# Checked: host/src/<layer>/ and its subfolders, driver/ (and subfolders), and
# the public headers host/include/tessera/. An include "x/..." names host/src/x/
# (x's layer) or driver/; "tessera/<h>" a public header, placed by PUBLIC below;
# anything else (system, generated onnx.pb-c.h, a file beside the includer) is
# not a layer crossing. A public header or host/src folder missing from the map
# is an error too, so a new one gets a place.
#
# The hardware/software contract (desc.h, regmap.h, every *.def table) and the
# Verilated model's C ABI (sim/ts_sim_api.h) sit with util at the bottom: they
# are plain data that include nothing of tessera, and every layer from config
# (PE types) and model (timing constants) up to runtime, driver, sim and gen
# speaks them.
set -eu

cd "${1:-$(dirname "$0")/..}"

LAYERS="util kernels config workload model runtime gen sim driver search cli"

# Public header -> layer.
PUBLIC="
util.h util
status.h util
version.h util
desc.h util
regmap.h util
kernels.h kernels
quant.h kernels
hwcfg.h config
workload.h workload
onnx.h workload
tensor_io.h workload
net.h workload
cost.h model
sqnr.h model
runtime.h runtime
device.h driver
run.h driver
sim.h sim
search.h search
gen.h gen
"

{
	# what exists, for resolving "x/..." includes
	find host/src -type f -name '*.[ch]' 2>/dev/null | sed 's/^/exists /'
	[ -d sim ] && find sim -maxdepth 1 -type f -name '*.h' | sed 's/^/shim /'
	# the files to check, each line prefixed with its path
	for f in $(find host/src driver host/include/tessera -type f \
			\( -name '*.c' -o -name '*.h' -o -name '*.def' \) 2>/dev/null | sort); do
		grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" | sed "s|^|inc $f:|" || true
		echo "file $f"
	done
} | awk -v layers="$LAYERS" -v public="$PUBLIC" '
BEGIN {
	n = split(layers, l, " ")
	for (i = 1; i <= n; i++)
		rank[l[i]] = i
	m = split(public, p, "\n")
	for (i = 1; i <= m; i++)
		if (split(p[i], kv, " ") == 2)
			pub[kv[1]] = kv[2]
	bad = 0
	files = 0
}
function public_layer(name) {
	if (name in pub)
		return pub[name]
	if (name ~ /\.def$/)
		return "util"
	return ""
}
# The layer of a file of the tree ("" if it is none; "?" if it should have one).
function file_layer(path,   parts, lay) {
	split(path, parts, "/")
	if (parts[1] == "driver")
		return "driver"
	if (parts[1] == "host" && parts[2] == "src")
		return (parts[3] in rank) ? parts[3] : "?"
	if (parts[1] == "host" && parts[2] == "include" && parts[3] == "tessera") {
		lay = public_layer(parts[4])
		return lay == "" ? "?" : lay
	}
	return ""
}
# The layer of an included name ("" when it crosses no layer).
function include_layer(name,   parts, first, lay) {
	if (name ~ /^tessera\//) {
		lay = public_layer(substr(name, 9))
		return lay == "" ? "?" : lay
	}
	if (name !~ /\//)
		return ""
	split(name, parts, "/")
	first = parts[1]
	if (first == "driver")
		return "driver"
	if (("host/src/" name) in exists)
		return (first in rank) ? first : "?"
	if (name in shim)
		return "util"
	return (first in rank) ? first : ""
}
function report(msg) {
	print msg
	bad++
}
$1 == "exists" { exists[$2] = 1; next }
$1 == "shim" { shim[$2] = 1; next }
$1 == "file" {
	files++
	if (file_layer($2) == "?")
		report($2 ": not in the layer map of scripts/check_layers.sh")
	next
}
$1 == "inc" {
	line = substr($0, 5)
	# path:lineno:#include "name"
	path = line; sub(/:.*/, "", path)
	rest = substr(line, length(path) + 2)
	lineno = rest; sub(/:.*/, "", lineno)
	name = rest; sub(/^[^"]*"/, "", name); sub(/".*/, "", name)
	from = file_layer(path)
	if (from == "" || from == "?")
		next
	to = include_layer(name)
	if (to == "")
		next
	if (to == "?")
		report(path ":" lineno ": " from " includes " name " (not in the layer map)")
	else if (rank[to] > rank[from])
		report(path ":" lineno ": " from " includes " name " (" to ")")
}
END {
	if (bad) {
		printf "check-layers: %d upward or unmapped include(s) in %d files\n", bad, files > "/dev/stderr"
		exit 1
	}
	printf "check-layers: %d files, every include points down the stack\n", files
}'
