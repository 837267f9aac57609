# mamori — top-level entry points. The real build is CMake; these targets install
# missing Debian packages first (scripts/deps) so a fresh machine needs nothing else.

MAKEFLAGS += --no-print-directory

JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
SECONDS ?= 60
CC_TEST ?= clang

.PHONY: all deps build build-test demo serve test fuzz bench format clean

all: build

deps:
	@scripts/deps

# Optimised build used by the demo and the benchmarks.
build: deps
	@cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build -j $(JOBS) >build/build.log 2>&1 || { cat build/build.log; exit 1; }

# Sanitized build (ASan + UBSan, -Werror) that `make test` runs.
build-test: deps
	@cmake -S . -B build-test -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=$(CC_TEST) \
		-DMAMORI_SANITIZE=ON >/dev/null
	@cmake --build build-test -j $(JOBS) >build-test/build.log 2>&1 || { cat build-test/build.log; exit 1; }

demo: build
	@scripts/demo build

# The dashboard over the demo's store (make demo first): http://127.0.0.1:8470/
serve: build
	@scripts/demo-serve build

test: build-test
	@cd build-test && TZ=UTC ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS)

# libFuzzer targets (clang only); each runs SECONDS seconds over its corpus.
fuzz: deps
	@cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
		-DMAMORI_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS)
	@scripts/fuzz build-fuzz $(SECONDS)

bench: build
	@bench/run

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-test build-fuzz demo-out
