# Strata build entry points. Every target installs what is missing first
# (Debian packages via scripts/install-deps.sh).
BUILD      ?= build
JOBS       ?= $(shell nproc)
CMAKE_ARGS ?=
CTEST_ARGS ?=
# ccache hits across checkouts in different folders (CI builds a fresh clone).
export CCACHE_BASEDIR := $(CURDIR)
export CCACHE_NOHASHDIR := 1

.PHONY: all deps build test test-asan test-tsan check-thread-safety fuzz run bench format clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/build.ninja $(BUILD)/Makefile: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)

build: deps $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

test: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps
	cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSTRATA_SANITIZE=address \
	  -DSTRATA_BUILD_BENCH=OFF $(CMAKE_ARGS)
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -LE slow $(CTEST_ARGS)

# Concurrency tests (names containing "Concurren": storage, engine, HTTP server
# and remote-write cache) under ThreadSanitizer.
test-tsan: deps
	cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRATA_SANITIZE=thread \
	  -DSTRATA_BUILD_BENCH=OFF $(CMAKE_ARGS)
	cmake --build build-tsan -j $(JOBS) --target head_test wal_test tsdb_test promql_test api_test
	cd build-tsan && TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 \
	  suppressions=$(CURDIR)/scripts/tsan-suppressions.txt" \
	  ctest --output-on-failure -j $(JOBS) -R 'Concurren' $(CTEST_ARGS)

# clang's -Wthread-safety over every source file (syntax only: fast).
check-thread-safety: deps
	@bash scripts/check-thread-safety.sh

# The PromQL parser under libFuzzer (clang, ASan+UBSan), briefly, from the
# seed corpus. FUZZ_SECONDS sets the duration.
FUZZ_SECONDS ?= 30
fuzz: deps
	CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSTRATA_FUZZ=ON \
	  -DSTRATA_SANITIZE=address -DSTRATA_BUILD_BENCH=OFF $(CMAKE_ARGS)
	cmake --build build-fuzz -j $(JOBS) --target promql_parser_fuzz
	mkdir -p build-fuzz/corpus
	./build-fuzz/promql_parser_fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	  build-fuzz/corpus tests/promql/fuzz/corpus

run: build
	./$(BUILD)/strata

bench: build
	./$(BUILD)/strata_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz
