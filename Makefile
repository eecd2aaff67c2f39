# Weir's front door. `make demo` runs the 80/20 walk-through, `make test` the suite.
# Both install missing Debian packages first (as root; otherwise they print the
# apt-get line to run), then configure and build out of tree in $(BUILD_DIR).

BUILD_DIR  ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
# Warnings are errors in the Makefile's builds, as in CI (GCC 12 and clang 14 build
# warning-free); plain cmake leaves WEIR_WERROR off. `make demo WERROR=OFF` with
# another compiler.
WERROR     ?= ON
# make install: where to, and a staging root for packagers (make install DESTDIR=/tmp/pkg).
PREFIX     ?= /usr/local
DESTDIR    ?=

# What the build and the demo need, from Debian 12.
BUILD_PACKAGES := cmake g++ make pkg-config libevent-dev libyaml-cpp-dev libspdlog-dev \
                  libfmt-dev libgtest-dev netcat-openbsd
# What the tests use besides: promtool checks /stats/prometheus, headless
# Chromium renders the admin page, docker-compose validates docker-compose.yml,
# openssl is the TLS client and server of the passthrough tests, ss (iproute2) shows
# keepalive timers.
TEST_PACKAGES := prometheus chromium curl docker-compose openssl iproute2

.PHONY: all deps test-deps build demo test test-soak test-asan test-tsan test-compose test-fuzz \
        clean bench-deps bench configure install test-build-matrix

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

configure: deps
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DWEIR_WERROR=$(WERROR)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

# The demo builds only the three binaries it runs, not the test suite.
DEMO_TARGETS := weir tcp-echo-server tcp-echo-client

demo: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target $(DEMO_TARGETS)
	examples/tcp-traffic-shifting/demo.sh $(BUILD_DIR)

# The binaries, the embeddable libraries with their headers and CMake package, and
# bash completion, under $(DESTDIR)$(PREFIX). Builds only what it installs.
INSTALL_TARGETS := weir tcp-echo-server tcp-echo-client weir_proxy weir_config weir_echo \
                   weir_common

# A build folder configured already (say by `cmake -B build -DCMAKE_BUILD_TYPE=Release`)
# is installed as it is configured.
install: deps
	[ -f $(BUILD_DIR)/CMakeCache.txt ] || \
	  cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DWEIR_WERROR=$(WERROR)
	cmake --build $(BUILD_DIR) -j $(JOBS) --target $(INSTALL_TARGETS)
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD_DIR) --prefix $(PREFIX)

# The soak tests (label soak) run only in `make test-soak`, for SOAK_SECONDS each.
test: test-deps build
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 600 -j $(JOBS) -LE soak

SOAK_SECONDS ?= 180

test-soak: test-deps build
	cd $(BUILD_DIR) && WEIR_SOAK_SECONDS=$(SOAK_SECONDS) ctest --output-on-failure \
	  --timeout $$(( $(SOAK_SECONDS) + 300 )) -L soak

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
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWEIR_WERROR=$(WERROR)
	cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target tls_client_hello_fuzz config_loader_fuzz
	tests/fuzz/run_fuzzers.sh $(FUZZ_BUILD_DIR) $(FUZZ_SECONDS)

# The suite under sanitizers: `make test-asan` (ASan + UBSan, in build-asan) and
# `make test-tsan` (ThreadSanitizer, in build-tsan). -DWEIR_SANITIZE instruments every
# target, so the weir and tcp-echo-server binaries the integration tests start are
# checked too; they inherit the *SAN_OPTIONS below. Any report is fatal to the process
# (halt_on_error) and is also written to build-*san/sanitizer-reports/, which
# must stay empty: a report from a child that the test only stops (SIGTERM) or from a
# leak at its exit fails the target even where the test itself saw nothing wrong.
# -O1 -g1 keeps the build short and the stacks readable. -DWEIR_WERROR=OFF: under ASan
# GCC 12 warns falsely inside <regex>.
# Not run under sanitizers (SAN_EXCLUDE, labels bench and soak):
#   bench, Bench.*            timing and load: sanitizers change what they measure
#                             (loadgen_tests, label bench, is not built: ctest lists it as
#                             loadgen_tests_NOT_BUILT, without the label)
#   soak                      long by design; make test-soak
#   Backpressure.*            compare weir's RSS with a bound; ASan's shadow memory and
#                             quarantine (TSan's shadow) grow RSS regardless of buffering
#   AdminPage.*Chromium       headless Chromium, not our code, slow
#   Compose.*                 docker-compose file validation, not our code
#   InstalledPackage.*        builds examples/testing against the installed libraries
#                             without the sanitizer flags (cannot link), and is packaging
#   SlowReader.*              compares weir's RSS with --buffer-limit, like Backpressure
#   *OutOfDescriptors*        hold weir (Limits, LocalErrors) or the test process itself
#                             (HealthCheckerTest, ProxiedConnectionTest) at its last
#                             descriptor or none. UBSan's
#                             vptr check probes memory through a pipe(), which then
#                             fails, so it reports a false "invalid vptr" on the next
#                             virtual call (seen in ClientHelloWait and inside fmt)
#   soak_tests_NOT_BUILT      the soak executable is not among SAN_TARGETS
SAN_TARGETS := weir tcp-echo-server tcp-echo-client config_tests proxy_tests echo_tests \
               integration_tests embedding_tests traffic_split_example
SAN_EXCLUDE := Backpressure\.|SlowReader\.|OutOfDescriptors|^AdminPage\..*Chromium|^Compose\.|^InstalledPackage\.|_NOT_BUILT$$
SAN_CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
                   -DWEIR_WERROR=OFF

# $(call sanitizer_test,BUILD_DIR,SANITIZER,ENVIRONMENT): configure, build what ctest
# runs, run it with ENVIRONMENT; fail on a failed test or on any report file.
define sanitizer_test
	cmake -S . -B $(1) $(SAN_CMAKE_FLAGS) -DWEIR_SANITIZE=$(2)
	cmake --build $(1) -j $(JOBS) --target $(SAN_TARGETS)
	rm -rf $(1)/sanitizer-reports && mkdir -p $(1)/sanitizer-reports
	cd $(1) && status=0; \
	  env $(3) ctest --output-on-failure --timeout 600 -j $(JOBS) -LE 'bench|soak' \
	    -E '$(SAN_EXCLUDE)' || status=$$?; \
	  for report in sanitizer-reports/*; do \
	    [ -e "$$report" ] || continue; echo "== $(1)/$$report"; cat "$$report"; status=1; \
	  done; \
	  exit $$status
endef

ASAN_ENV := ASAN_OPTIONS=halt_on_error=1:abort_on_error=1:detect_leaks=1:log_path=$(abspath build-asan)/sanitizer-reports/asan \
            UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(abspath build-asan)/sanitizer-reports/ubsan
# tests/tsan.supp: races reported inside uninstrumented libraries, each with its reason.
TSAN_ENV := TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:log_path=$(abspath build-tsan)/sanitizer-reports/tsan:suppressions=$(abspath tests/tsan.supp)

test-asan: test-deps
	$(call sanitizer_test,build-asan,address,$(ASAN_ENV))

test-tsan: test-deps
	$(call sanitizer_test,build-tsan,thread,$(TSAN_ENV))

# The benchmark (bench/README.md): HAProxy and nginx to compare with, a Release build of
# its own, then direct, weir (its defaults and each data path), HAProxy and nginx on the
# same load; writes bench/RESULTS.md and the plot bench/results.svg (BENCH_OUTPUT).
# Extra options for bench/run_bench.py go in BENCH_ARGS, e.g.
#   make bench BENCH_ARGS="--runs 5"
# -Wno-error=restrict: GCC 12 at -O3 warns falsely inside std::string (PR 105329).
BENCH_BUILD_DIR ?= build-release
BENCH_PACKAGES  := haproxy nginx libnginx-mod-stream python3
BENCH_ARGS      ?=
BENCH_OUTPUT    ?= bench/RESULTS.md

bench-deps: deps
	$(call install_missing,$(BENCH_PACKAGES))

bench: bench-deps
	cmake -S . -B $(BENCH_BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
	  -DCMAKE_CXX_FLAGS=-Wno-error=restrict
	cmake --build $(BENCH_BUILD_DIR) -j $(JOBS) --target weir tcp-echo-server weir-loadgen
	python3 bench/run_bench.py --build-dir $(BENCH_BUILD_DIR) --output $(BENCH_OUTPUT) $(BENCH_ARGS)

# Every standard way of building succeeds: a user's plain `cmake -B build
# -DCMAKE_BUILD_TYPE=Release && cmake --build build` (GCC 12 at -O3 has false
# warnings, hence no -Werror by default), Debug, and clang 14. tests/build/build_matrix.sh
# builds each in $(MATRIX_DIR)/NAME, with ccache where it is installed; the main GCC
# RelWithDebInfo build with -Werror is `make test`'s own.
MATRIX_DIR      ?= build-matrix
MATRIX_PACKAGES := clang-14

test-build-matrix: deps
	$(call install_missing,$(MATRIX_PACKAGES))
	tests/build/build_matrix.sh $(MATRIX_DIR) $(JOBS)

clean:
	rm -rf $(BUILD_DIR)
