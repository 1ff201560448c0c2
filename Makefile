# spanscope: `make run` and `make test` are all you need; each installs what is missing first.
BUILD_TYPE ?= Release
SANITIZE ?= 0
ifeq ($(SANITIZE),1)
  BUILD_DIR ?= build-asan
  CMAKE_FLAGS += -DSPANSCOPE_SANITIZE=ON -DSPANSCOPE_BENCH=OFF
  BUILD_TYPE = RelWithDebInfo
else
  BUILD_DIR ?= build
endif
JOBS ?= $(shell nproc)
SCENARIO ?= assets/scenarios/classroom.json

# Debian packages the project needs (ARCHITECTURE.md §5). `make deps` is a no-op when present.
DEB_PACKAGES = g++ cmake make pkg-config libgtest-dev libgmock-dev libbenchmark-dev \
               nlohmann-json3-dev golang-go libzstd-dev zlib1g-dev zstd heaptrack ltrace \
               clang libclang-rt-14-dev libimgui-dev libglfw3-dev libgl-dev xvfb xauth libgl1-mesa-dri libstb-dev

.PHONY: deps build run test bench clean
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@echo "spanscope: the desktop app is not built yet; headless replay of $(SCENARIO):"
	$(BUILD_DIR)/spanscope-cli replay $(SCENARIO) --steps

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

bench: build
	$(BUILD_DIR)/spanscope_bench --benchmark_counters_tabular=true

clean:
	rm -rf build build-asan
