#!/bin/sh
# cli_layers.sh — scripts/check_layers.sh (`make check-layers`): passes on a small
# clean tree, names each planted upward include (source, header, subfolder, driver,
# private header, unmapped header) with exit 1, and on a copy of this tree reports
# exactly one more line after one upward include is planted. Run from the repo root.
# shellcheck source=tests/cli_lib.sh
. "$(dirname "$0")/cli_lib.sh"
CHECK=scripts/check_layers.sh

# A small tree whose every include points down (or sideways).
mini=$TMP/mini
mkdir -p "$mini/host/include/tessera" "$mini/host/src/util" "$mini/host/src/model" \
	"$mini/host/src/runtime" "$mini/host/src/workload/onnx" "$mini/host/src/search" \
	"$mini/host/src/cli" "$mini/driver" "$mini/sim"
for h in util status version desc regmap kernels quant hwcfg workload cost runtime device sim search gen; do
	echo "/* $h.h */" >"$mini/host/include/tessera/$h.h"
done
echo '#include "tessera/status.h"' >>"$mini/host/include/tessera/workload.h"
echo '#include "tessera/workload.h"' >>"$mini/host/include/tessera/cost.h"
echo '#include "tessera/regmap.def"' >>"$mini/host/include/tessera/regmap.h"
echo 'X(CTRL, 0x00)' >"$mini/host/include/tessera/regmap.def"
echo '/* sim api */' >"$mini/sim/ts_sim_api.h"
printf '#include <stdio.h>\n#include "tessera/util.h"\n' >"$mini/host/src/util/util.c"
printf '#include "tessera/cost.h"\n#include "tessera/desc.h"\n#include "tessera/regmap.h"\n' \
	>"$mini/host/src/model/cost.c"
printf '#include "tessera/runtime.h"\n#include "tessera/cost.h"\n#include "onnx.pb-c.h"\n' \
	>"$mini/host/src/runtime/lower.c"
printf '#include "tessera/workload.h"\n' >"$mini/host/src/workload/onnx/import.c"
printf '#include "search/search_internal.h"\n' >"$mini/host/src/search/search.c"
printf '#include "tessera/search.h"\n' >"$mini/host/src/search/search_internal.h"
printf '#include "driver/dev.h"\n#include "tessera/runtime.h"\n#include "sim/ts_sim_api.h"\n' \
	>"$mini/driver/dev.c"
printf '#include "tessera/regmap.h"\n' >"$mini/driver/dev.h"
printf '#include "tessera/gen.h"\n#include "tessera/sim.h"\n#include "driver/dev.h"\n#include "search/search_internal.h"\n' \
	>"$mini/host/src/cli/main.c"

expect 0 "check_layers on a clean tree" -- sh "$CHECK" "$mini"
grep -qx 'check-layers: 25 files, every include points down the stack' "$TMP/out" && ok ||
	bad "clean tree: $(cat "$TMP/out" "$TMP/err")"

# Each row FILE|LINE|WANT: a copy of the small tree with LINE appended to FILE
# must fail with exactly the violation WANT.
while IFS='|' read -r file line want; do
	rm -rf "$TMP/p"
	cp -R "$mini" "$TMP/p"
	mkdir -p "$(dirname "$TMP/p/$file")"
	echo "$line" >>"$TMP/p/$file"
	expect 1 "planted '$line' in $file" -- sh "$CHECK" "$TMP/p"
	if [ "$(cat "$TMP/out")" = "$want" ]; then ok; else
		bad "planted '$line' in $file: got '$(cat "$TMP/out")', want '$want'"
	fi
done <<'EOF'
host/src/model/cost.c|#include "tessera/runtime.h"|host/src/model/cost.c:4: model includes tessera/runtime.h (runtime)
host/include/tessera/workload.h|#include "tessera/cost.h"|host/include/tessera/workload.h:3: workload includes tessera/cost.h (model)
host/src/workload/onnx/import.c|#include "tessera/sim.h"|host/src/workload/onnx/import.c:2: workload includes tessera/sim.h (sim)
driver/dev.c|#include "tessera/search.h"|driver/dev.c:4: driver includes tessera/search.h (search)
host/src/runtime/lower.c|#include "driver/dev.h"|host/src/runtime/lower.c:4: runtime includes driver/dev.h (driver)
host/src/runtime/lower.c|#include "tessera/device.h"|host/src/runtime/lower.c:4: runtime includes tessera/device.h (driver)
host/src/util/util.c|#include "search/search_internal.h"|host/src/util/util.c:3: util includes search/search_internal.h (search)
host/include/tessera/desc.h|#include "tessera/hwcfg.h"|host/include/tessera/desc.h:2: util includes tessera/hwcfg.h (config)
host/src/model/cost.c|#include "tessera/brandnew.h"|host/src/model/cost.c:4: model includes tessera/brandnew.h (not in the layer map)
host/include/tessera/brandnew.h|/* new */|host/include/tessera/brandnew.h: not in the layer map of scripts/check_layers.sh
host/src/sparse/sparse.c|/* new */|host/src/sparse/sparse.c: not in the layer map of scripts/check_layers.sh
EOF

# This tree: one planted upward include adds exactly its line to what the
# check says today (nothing once the tree is clean).
real=$TMP/real
mkdir -p "$real"
cp -R host sim "$real"/
[ -d driver ] && cp -R driver "$real"/
sh "$CHECK" "$real" >"$TMP/before" 2>/dev/null
n=$(($(wc -l <"$real/host/src/util/util.c") + 1))
echo '#include "tessera/search.h"' >>"$real/host/src/util/util.c"
expect 1 "planted upward include in a copy of the tree" -- sh "$CHECK" "$real"
{ cat "$TMP/before"; echo "host/src/util/util.c:$n: util includes tessera/search.h (search)"; } |
	grep -v '^check-layers:' | sort >"$TMP/want"
sort "$TMP/out" >"$TMP/got"
if cmp -s "$TMP/want" "$TMP/got"; then ok; else
	bad "copy of the tree: $(diff "$TMP/want" "$TMP/got")"
fi

finish
