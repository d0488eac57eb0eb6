# tessera — one Makefile. `make help` lists the targets.
#
# Layout: host/src/<subsystem>/*.c -> build/lib/libtessera.a
#         host/src/cli/*.c          -> build/bin/tessera
#         tests/test_*.c            -> build/tests/test_* (cmocka suites)
#         tests/fuzz/fuzz_*.c       -> build/fuzz/fuzz_* (libFuzzer, clang)
#         tests/bench/bench_*.c     -> build/bench/bench_*
# Everything generated goes under build/ (or $(BUILD) for variants).

CC       ?= cc
BUILD    ?= build
PREFIX   ?= /usr/local
OPT      ?= -O3
SAN      ?=
CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -g $(OPT) -Wall -Wextra -Wshadow \
               -Wno-unused-parameter -fno-strict-aliasing -pthread
CPPFLAGS := -Ihost/include -Ihost/src -I$(BUILD)/gen
LDLIBS   := -ljansson -lprotobuf-c -lm -pthread
TEST_LIBS := -lcmocka

ONNX_PROTO ?= /usr/include/onnx/onnx.proto
FUZZ_SECONDS ?= 20
TS_SEED ?=

# Sources: every subsystem directory except cli makes up the library.
LIB_SRC   := $(filter-out host/src/cli/%,$(wildcard host/src/*/*.c))
CLI_SRC   := $(wildcard host/src/cli/*.c)
TEST_SRC  := $(wildcard tests/test_*.c)
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRC := $(wildcard tests/bench/bench_*.c)

GEN_ONNX  := $(BUILD)/gen/onnx.pb-c.c $(BUILD)/gen/onnx.pb-c.h
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/onnx.pb-c.o
CLI_OBJ   := $(CLI_SRC:%.c=$(BUILD)/obj/%.o)
LIB       := $(BUILD)/lib/libtessera.a
BIN       := $(BUILD)/bin/tessera
TESTS     := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)
BENCHES   := $(BENCH_SRC:tests/bench/%.c=$(BUILD)/bench/%)
FUZZERS   := $(FUZZ_SRC:tests/fuzz/%.c=build/fuzz/%)

# Keep intermediate objects of tests and benches (no trailing `rm` after the summary).
.SECONDARY:

.PHONY: all deps test demo asan fuzz bench bench-model install uninstall clean help check-tests

all: $(LIB) $(BIN)

help:
	@echo "tessera make targets:"
	@echo "  make demo         install missing packages, build, evaluate and co-simulate MobileNet-V2 on the default config"
	@echo "  make test         install missing packages, build, run every test suite"
	@echo "  make              build $(LIB) and $(BIN)"
	@echo "  make deps         install missing Debian packages (apt-get, non-interactive)"
	@echo "  make asan         build under ASan+UBSan into build/asan and run the tests"
	@echo "  make fuzz         run each libFuzzer target for FUZZ_SECONDS (default $(FUZZ_SECONDS)) s"
	@echo "  make bench-model  cost-model layer evaluations per second (one core)"
	@echo "  make bench-gemm   int8 GEMM GOP/s per ISA path vs OpenBLAS sgemm and oneDNN (installs libdnnl-dev)"
	@echo "  make bench-search search algorithms: gap to the exact optimum, evaluations to reach 1 %"
	@echo "  make bench-sim    simulated cycles per second of the whole accelerator: Verilator vs iverilog"
	@echo "  make lint-rtl     the RTL through verilator -Wall, iverilog -g2005 and yosys (a few presets)"
	@echo "  make install      install binary, library, headers, pkg-config file under PREFIX ($(PREFIX))"
	@echo "  make clean        remove build/"

deps:
	@sh scripts/deps.sh

# ---- generated ONNX protobuf-c code --------------------------------------
$(BUILD)/gen/onnx.pb-c.c $(BUILD)/gen/onnx.pb-c.h: $(ONNX_PROTO)
	@mkdir -p $(BUILD)/gen
	cp $(ONNX_PROTO) $(BUILD)/gen/onnx.proto
	cd $(BUILD)/gen && protoc-c --c_out=. onnx.proto

$(BUILD)/obj/gen/onnx.pb-c.o: $(BUILD)/gen/onnx.pb-c.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(SAN) -w $(CPPFLAGS) -c $< -o $@

# ---- library and CLI ------------------------------------------------------
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

# ---- tests ------------------------------------------------------------------
$(BUILD)/tests/%: $(BUILD)/obj/tests/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $(SAN) $< $(LIB) $(LDLIBS) $(TEST_LIBS) -o $@

# Runs every suite (each prints its cmocka summary), then one closing line.
check-tests: $(TESTS) $(BIN)
	@pass=0; fail=0; failed=""; \
	for t in $(TESTS); do \
		echo "== $$t"; \
		if TS_BIN=$(BIN) TS_SEED=$(TS_SEED) $$t; then pass=$$((pass+1)); \
		else fail=$$((fail+1)); failed="$$failed $$t"; fi; \
	done; \
	for t in tests/cli_*.sh; do \
		[ "$$t" != tests/cli_lib.sh ] || continue; \
		echo "== $$t"; \
		if TS_BIN=$(BIN) sh $$t; then pass=$$((pass+1)); \
		else fail=$$((fail+1)); failed="$$failed $$t"; fi; \
	done; \
	echo; [ -z "$$failed" ] || echo "failed suites:$$failed"; \
	echo "suites: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ]

test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check-tests

demo: deps
	@$(MAKE) --no-print-directory all
	$(BIN) config show edge
	$(BIN) eval --config edge --model mobilenet_v2
	$(BIN) sim --config edge --model mobilenet_v2

asan: deps
	@$(MAKE) --no-print-directory BUILD=build/asan OPT=-O1 \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		check-tests

# ---- fuzzing (clang libFuzzer) ------------------------------------------------
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined
FUZZ_LIB_SRC := $(LIB_SRC) $(BUILD)/gen/onnx.pb-c.c

build/fuzz/%: tests/fuzz/%.c $(LIB_SRC) $(GEN_ONNX)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(CPPFLAGS) $< $(FUZZ_LIB_SRC) $(LDLIBS) -o $@

fuzz: deps
	@$(MAKE) --no-print-directory $(FUZZERS)
	@for f in $(FUZZERS); do \
		name=$$(basename $$f); corpus=build/fuzz/corpus/$$name; \
		mkdir -p $$corpus; \
		[ -d tests/fuzz/seeds/$$name ] && cp -n tests/fuzz/seeds/$$name/* $$corpus/ 2>/dev/null; \
		echo "== $$name ($(FUZZ_SECONDS) s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 -timeout=10 $$corpus \
			2>build/fuzz/$$name.log || { tail -40 build/fuzz/$$name.log; exit 1; }; \
		grep -E 'stat::number_of_executed_units|Done' build/fuzz/$$name.log | head -2; \
	done

# ---- benchmarks -----------------------------------------------------------
$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $< $(LIB) $(LDLIBS) -o $@

bench-model: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench/bench_model
	$(BUILD)/bench/bench_model

# ---- kernels (issue 6): extra libraries and bench-gemm ------------------------
# OpenBLAS: fp32 layers and the float reference of `tessera quant`.
LDLIBS += -lopenblas

# oneDNN is a benchmark-only peer: installed on demand, linked into bench_gemm only.
$(BUILD)/bench/bench_gemm: $(BUILD)/obj/tests/bench/bench_gemm.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_BASE) $< $(LIB) $(LDLIBS) -ldnnl -lgomp -o $@

.PHONY: bench-gemm
bench-gemm:
	@sh scripts/deps.sh libdnnl-dev
	@$(MAKE) --no-print-directory $(BUILD)/bench/bench_gemm
	$(BUILD)/bench/bench_gemm

# ---- search (issue 5): extra libraries, MPI driver, bench-search --------------
# SQLite: every evaluation of a search (--db, --resume, tessera report).
LDLIBS += -lsqlite3

# MPI driver of `tessera search --mpi N` (OpenMPI's mpicc): cmd_search.c's body
# plus the rank protocol; built with `all` when mpicc is installed.
MPICC   ?= mpicc
MPI_BIN := $(BUILD)/bin/tessera-mpi
MPI_SRC := host/mpi/tessera_mpi.c host/src/cli/cmd_search.c
ifneq ($(shell command -v $(MPICC) 2>/dev/null),)
all: $(MPI_BIN)
check-tests: $(MPI_BIN)
endif

$(MPI_BIN): $(MPI_SRC) host/src/cli/search_cli.h $(LIB)
	@mkdir -p $(dir $@)
	$(MPICC) $(CFLAGS_BASE) $(SAN) $(CPPFLAGS) $(MPI_SRC) $(LIB) $(LDLIBS) -o $@

# The policy's products are tiny: one OpenBLAS thread per search.
.PHONY: bench-search
bench-search:
	@$(MAKE) --no-print-directory $(BUILD)/bench/bench_search
	OPENBLAS_NUM_THREADS=1 $(BUILD)/bench/bench_search

# ---- rtl + sim (issue 4) ---------------------------------------------------------
# Verilator models are built on demand by the library (host/src/sim/sim.c) into
# build/simcache/<hash>/ and dlopen'ed; nothing here links a fixed model.
# bench-sim measures them against Icarus Verilog running sim/tb_ts_top.v.
RTL_SRC := $(wildcard rtl/*.v)

bench-sim: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench/bench_sim
	$(BUILD)/bench/bench_sim

# verilator -Wall, iverilog -g2005 and yosys on the generated parameters of a
# few presets (the same checks as tests/cli_rtl.sh, which make test runs).
lint-rtl: $(BIN)
	TS_BIN=$(BIN) sh tests/cli_rtl.sh

.PHONY: bench-sim lint-rtl

# ---- install ----------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/tessera
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/tessera
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libtessera.a
	install -m 644 host/include/tessera/*.h $(DESTDIR)$(PREFIX)/include/tessera/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|'"$$(sed -n 's/.*TS_VERSION_STRING "\(.*\)"/\1/p' host/include/tessera/version.h)"'|' \
		scripts/tessera.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/tessera.pc

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/tessera $(DESTDIR)$(PREFIX)/lib/libtessera.a \
		$(DESTDIR)$(PREFIX)/lib/pkgconfig/tessera.pc
	rm -rf $(DESTDIR)$(PREFIX)/include/tessera

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
