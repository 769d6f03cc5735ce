#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang 14, ASan + UBSan) and runs
# each for SECONDS (default 60), one after another, then prints per target:
# executions, execs/s, coverage (cov = edges, ft = features), corpus size and
# crashes. New corpus entries go to build/fuzz/corpus/<target>/ (the seeds in
# tests/fuzz/corpus/ are read, never written); crash, leak, timeout and OOM
# inputs are kept in build/fuzz/crashes/<target>/ - copy each into
# tests/fuzz/regressions/<target>/ once fixed (docs/fuzzing.md).
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   e.g. scripts/fuzz.sh 600 token_service
# Exits 1 if any target crashed.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
build=build/fuzz

if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake --preset fuzz ${CMAKE_CXX_COMPILER_LAUNCHER:+-DCMAKE_CXX_COMPILER_LAUNCHER=$CMAKE_CXX_COMPILER_LAUNCHER}
fi
cmake --build --preset fuzz --parallel "${FUZZ_BUILD_JOBS:-$(nproc)}"

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
    for source in tests/fuzz/fuzz_*.cpp; do
        name=$(basename "$source" .cpp)
        targets+=("${name#fuzz_}")
    done
fi

# Leaks are real findings, but each input must stay fast: a slow input is a
# finding too (-timeout), and so is a runaway allocation (-rss_limit_mb).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

summary=()
failed=0
crashed_targets=0
for target in "${targets[@]}"; do
    binary=$build/tests/fuzz/fuzz_$target
    seeds=tests/fuzz/corpus/$target
    corpus=$build/corpus/$target
    crashes=$build/crashes/$target
    log=$build/logs/$target.log
    mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
    echo "fuzz: $target for ${seconds}s (log $log)"
    start=$(date +%s)
    status=0
    "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" "$seeds" >"$log" 2>&1 || status=$?
    elapsed=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1 || true)
    found=$(find "$crashes" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' \
        -o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | wc -l)
    if [ "$status" -ne 0 ] || [ "$found" -gt 0 ]; then
        failed=1
        crashed_targets=$((crashed_targets + 1))
        grep -m1 -E 'ERROR: |fuzz property violated|runtime error' "$log" || true
    fi
    summary+=("$(printf '%-20s %5ss  execs %-10s  execs/s %-7s  %-30s  crashes %s  (exit %s)' \
        "$target" "$elapsed" "${execs:-?}" "${rate:-?}" "${cov:-cov: ?}" "$found" "$status")")
done

echo
echo "fuzz summary (crash inputs under $build/crashes/<target>/):"
printf '%s\n' "${summary[@]}"
echo "fuzz: $(( ${#targets[@]} - crashed_targets )) passed, $crashed_targets failed"
exit "$failed"
