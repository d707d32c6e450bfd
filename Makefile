# numforge top-level entry points. `make demo` and `make test` are the two commands a new user needs.
BUILD ?= build
JOBS  ?= $(shell nproc)
DEPS  := g++ cmake ninja-build ccache verilator yosys iverilog libsystemc-dev libfmt-dev libgtest-dev \
         libmpfr-dev libgmp-dev libcli11-dev nlohmann-json3-dev opensta opensta-dev tcl8.6-dev libreadline-dev zlib1g-dev \
         python3 python3-dev pybind11-dev python3-numpy python3-pytest python3-torch \
         libtomlplusplus-dev slurm-wlm munge chromium
NUMFORGE := $(BUILD)/numforge

.PHONY: all deps build demo test test-sanitize test-sanitize-quick bench catalog clean
all: build

# Installs only what is missing; needs root (or sudo) only when something is missing.
deps:
	@missing=$$(for p in $(DEPS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

demo: deps build
	$(NUMFORGE) gen fmul --a e4m3 --b e4m3 --out e4m3 -o $(BUILD)/demo
	$(NUMFORGE) verify fmul --a e4m3 --b e4m3 --out e4m3 --exhaustive
	$(NUMFORGE) ppa fmul --a e4m3 --b e4m3 --out e4m3

test: deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The whole suite under -fsanitize=address,undefined in its own build directory (docs/verification.md: its time).
test-sanitize: deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNUMFORGE_SANITIZE=ON
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

# CI's sanitizer subset (issue 15; docs/verification.md): the CLI, its fuzz test and the models' own tests under
# -fsanitize=address,undefined. The whole suite (test-sanitize) does not fit CI's budget beside make test.
SANITIZE_QUICK := test_format test_rounding test_fcvt_model test_fmul_model test_fadd test_mxquant test_p3109 \
                  test_cli test_fuzz
test-sanitize-quick: deps
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNUMFORGE_SANITIZE=ON
	cmake --build build-asan -j $(JOBS) --target numforge $(SANITIZE_QUICK)
	cd build-asan && for t in $(SANITIZE_QUICK); do echo "== $$t (sanitized)"; \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  NUMFORGE_CACHE=$$PWD/vcache tests/$$t --gtest_brief=1 || exit 1; done

bench: deps build
	$(BUILD)/bench_fmul
	$(BUILD)/bench_fcvt
	$(BUILD)/bench_quant
	scripts/bench-sweep.sh $(BUILD)

catalog: build
	$(NUMFORGE) catalog --write rtl

clean:
	rm -rf $(BUILD)
