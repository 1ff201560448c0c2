# spanscope: `make run` and `make test` are all you need; each installs what is missing first.
BUILD_TYPE ?= Release
SANITIZE ?= 0
ifeq ($(SANITIZE),1)
  BUILD_DIR ?= build-asan
  override CMAKE_FLAGS += -DSPANSCOPE_SANITIZE=ON -DSPANSCOPE_BENCH=OFF # also with CMAKE_FLAGS=... given
  BUILD_TYPE = RelWithDebInfo
else
  BUILD_DIR ?= build
endif
JOBS ?= $(shell nproc)
SCENARIO ?= assets/scenarios/classroom.json

# Debian packages the project needs (ARCHITECTURE.md §5). `make deps` is a no-op when present.
DEB_PACKAGES = g++ cmake make pkg-config libgtest-dev libgmock-dev libbenchmark-dev \
               nlohmann-json3-dev golang-1.19-go libzstd-dev libxxhash-dev zlib1g-dev zstd heaptrack ltrace \
               clang libclang-rt-14-dev libimgui-dev libglfw3-dev libgl-dev xvfb xauth libgl1-mesa-dri libstb-dev libpng-dev fonts-dejavu-core

# Fuzzing (libFuzzer, clang): a short run of every target in `make test`, longer by hand with
# `make fuzz FUZZ_TIME=600`. New inputs go to build-fuzz/corpus/<target>; seeds come from tests/data.
# The fuzzing build skips the binary trace's CRC checks (SPANSCOPE_FUZZ_SKIP_CRC, CMakeLists.txt).
FUZZ_TIME ?= 10
FUZZ_TARGETS = json:tests/data/traces:assets/scenarios binary:tests/data/binary heaptrack:tests/data/heaptrack \
               mtrace:tests/data/mtrace ltrace:tests/data/ltrace go_allocfreetrace:tests/data/go \
               go_exectrace:tests/data/go_exectrace/seeds \
               raw_log:tests/data/recorder/raw table:tests/data/sizeclasses:assets/sizeclasses \
               config:tests/data/configs cost_model:assets/cost_models

.PHONY: deps build run test bench clean fuzz-build fuzz fuzz-smoke
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi
	@# The exectrace oracle's Go module (golang.org/x/exp/trace, pinned in its go.mod/go.sum): fetched
	@# here so that the test build never downloads.
	@if command -v go >/dev/null; then (cd tests/oracle/go/exectrace_dump && go mod download); \
	else echo "make deps: no go on PATH: the Go 1.26 exectrace oracle test will fail"; fi

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@if [ -n "$$DISPLAY" ] || [ -n "$$WAYLAND_DISPLAY" ]; then \
	  $(BUILD_DIR)/spanscope $(SCENARIO); \
	else \
	  echo "spanscope: no display found; headless replay instead:"; \
	  $(BUILD_DIR)/spanscope-cli replay $(SCENARIO) --steps; \
	fi

# With SANITIZE=1 the same ctest suite runs under ASan + UBSan; the fuzz smoke run is left out
# there (the fuzz targets are ASan + UBSan builds already, and `make test` runs them).
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
ifneq ($(SANITIZE),1)
	@$(MAKE) --no-print-directory fuzz-smoke
endif

# The desktop app's frame time under Xvfb + Mesa (software rendering) on a 1 GiB heap: a larson
# workload (4 threads, 400,000 live blocks of 8-5000 B), generated once into the build directory;
# 10 million events, so that playing at 1 million events per second lasts the whole measurement.
BENCH_TRACE = $(BUILD_DIR)/bench-larson-1gib.trace
BENCH_GUI = xvfb-run -a -s '-screen 0 1920x1200x24' $(BUILD_DIR)/spanscope --trace $(BENCH_TRACE) \
            --panels heapmap,sizeclasses,eventlog --size 1600x1000

# Go's churn program (tests/oracle/go/churn, Go 1.19, GOPATH mode for its oraclelib package): the
# paired benchmark BM_GoChurnPaired runs it beside the engine's replay of the same allocations.
GO119 = /usr/lib/go-1.19/bin/go
GO_CHURN = $(abspath $(BUILD_DIR))/go-churn

bench: build
	cmake --build $(BUILD_DIR) -j $(JOBS) --target spanscope_bench
	cd tests/oracle/go/churn && GOPATH=$(abspath tests/oracle/go) GO111MODULE=off GOFLAGS= \
	  GOCACHE=$(abspath $(BUILD_DIR))/go-cache $(GO119) build -o $(GO_CHURN) ./main.go
	SPANSCOPE_GO_CHURN=$(GO_CHURN) $(BUILD_DIR)/spanscope_bench --benchmark_counters_tabular=true
	@test -f $(BENCH_TRACE) || $(BUILD_DIR)/spanscope-cli gen larson --param threads=4 --param chunks=100000 \
	  --param max_size=5000 --param events=10000000 --seed 1 -o $(BENCH_TRACE)
	@echo "spanscope frame time, 1 GiB heap, heap map + size classes + event log (Xvfb, Mesa llvmpipe):"
	@$(BENCH_GUI) --at 1000000 --bench-frames 300
	@echo "... while playing at 1 million events per second:"
	@$(BENCH_GUI) --at 1000000 --play 1000000 --bench-frames 200

fuzz-build: deps
	CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPANSCOPE_FUZZ=ON -DSPANSCOPE_GUI=OFF >/dev/null
	cmake --build build-fuzz -j $(JOBS)

fuzz: fuzz-build
	@set -e; for spec in $(FUZZ_TARGETS); do \
	  t=$${spec%%:*}; seeds=$$(echo $${spec#*:} | tr ':' ' '); \
	  mkdir -p build-fuzz/corpus/$$t; \
	  echo "fuzz_$$t: $(FUZZ_TIME) s"; \
	  build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    build-fuzz/corpus/$$t $$seeds 2>build-fuzz/fuzz_$$t.log || { tail -40 build-fuzz/fuzz_$$t.log; exit 1; }; \
	  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" build-fuzz/fuzz_$$t.log | tr '\n' ' '; echo; \
	done

fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_TIME=$(FUZZ_TIME)

clean:
	rm -rf build build-asan build-fuzz
