# Weir's front door. `make demo` runs the 80/20 walk-through, `make test` the suite.
# Both install missing Debian packages first (as root; otherwise they print the
# apt-get line to run), then configure and build out of tree in $(BUILD_DIR).

BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)

# What the build and the demo need, from Debian 12.
BUILD_PACKAGES := cmake g++ make pkg-config libevent-dev libyaml-cpp-dev libspdlog-dev \
                  libfmt-dev libgtest-dev netcat-openbsd
# What the tests use besides: promtool checks /stats/prometheus, headless
# Chromium renders the admin page, docker-compose validates docker-compose.yml,
# openssl is the TLS client and server of the passthrough tests, ss (iproute2) shows
# keepalive timers.
TEST_PACKAGES := prometheus chromium curl docker-compose openssl iproute2

.PHONY: all deps test-deps build demo test test-compose test-fuzz clean bench-deps bench

all: build

# $(call install_missing,PACKAGES): apt-get install what is missing (as root), or
# print the command to run and fail.
define install_missing
	@missing=""; \
	for package in $(1); do \
	  dpkg-query -W -f='$${Status}\n' $$package 2>/dev/null | grep -q '^install ok installed' \
	    || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "Missing Debian packages. Run:"; \
	    echo "  sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi
endef

deps:
	$(call install_missing,$(BUILD_PACKAGES))

test-deps: deps
	$(call install_missing,$(TEST_PACKAGES))

build: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	cmake --build $(BUILD_DIR) -j $(JOBS)

demo: build
	examples/tcp-traffic-shifting/demo.sh $(BUILD_DIR)

test: test-deps build
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 600 -j $(JOBS)

# The docker compose demo, really built and run (private dockerd, host network).
test-compose: build
	tests/compose/run-compose-test.sh $(BUILD_DIR)

# The libFuzzer targets (ClientHello parser, config loader) under ASan/UBSan, each
# for FUZZ_SECONDS over its corpus in tests/fuzz/corpus; fails on any finding.
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS   ?= 60
FUZZ_PACKAGES  := clang-14 libclang-rt-14-dev

test-fuzz: deps
	$(call install_missing,$(FUZZ_PACKAGES))
	cmake -S . -B $(FUZZ_BUILD_DIR) -DCMAKE_CXX_COMPILER=clang++-14 -DWEIR_FUZZ=ON \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo
	cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target tls_client_hello_fuzz config_loader_fuzz
	tests/fuzz/run_fuzzers.sh $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS)

# The benchmark (bench/README.md): HAProxy and nginx to compare with, a Release build of
# its own, then direct, weir, HAProxy and nginx on the same load, one Markdown table.
# Extra options for bench/run_bench.py go in BENCH_ARGS, e.g.
#   make bench BENCH_ARGS="--output bench/RESULTS.md"
# -Wno-error=restrict: GCC 12 at -O3 warns falsely inside std::string (PR 105329).
BENCH_BUILD_DIR ?= build-release
BENCH_PACKAGES  := haproxy nginx libnginx-mod-stream python3
BENCH_ARGS      ?=

bench-deps: deps
	$(call install_missing,$(BENCH_PACKAGES))

bench: bench-deps
	cmake -S . -B $(BENCH_BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
	  -DCMAKE_CXX_FLAGS=-Wno-error=restrict
	cmake --build $(BENCH_BUILD_DIR) -j $(JOBS) --target weir tcp-echo-server weir-loadgen
	python3 bench/run_bench.py --build-dir $(BENCH_BUILD_DIR) $(BENCH_ARGS)

clean:
	rm -rf $(BUILD_DIR)
