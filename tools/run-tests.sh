#!/bin/bash
# Runs the whole suite: every cmocka unit test binary, then every
# end-to-end script in tests/e2e (real binary, real terminal via tmux).
# Prints each runner's own summary and a closing "N passed, N failed" line.
# Environment given to tests: TS_BIN (the binary), TS_ROOT (source tree),
# TS_TMP (a fresh scratch folder, removed afterwards), TS_SHARED (the
# optional ../shared folder with real runs; unset when absent).
set -u
bin=$1; shift
root=$(cd "$(dirname "$0")/.." && pwd)
export TS_BIN="$root/$bin" TS_ROOT="$root"
[ -d "$root/../shared/realruns" ] && export TS_SHARED="$(cd "$root/../shared" && pwd)"
export LC_ALL=C.UTF-8
passed=0 failed=0 skipped=0 broken=()
scratch=$(mktemp -d "${TMPDIR:-/tmp}/trajscope-test.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

run_one() { # name, command...
    local name=$1; shift
    local out="$scratch/$name.out" rc
    export TS_TMP="$scratch/$name.d"; mkdir -p "$TS_TMP"
    "$@" >"$out" 2>&1; rc=$?
    cat "$out"
    # cmocka: "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s), listed below:"
    local p f s
    p=$(grep -aoE '^\[  PASSED  \] [0-9]+' "$out" | awk '{s+=$NF} END {print s+0}')
    f=$(grep -aoE '^\[  FAILED  \] [0-9]+ test' "$out" | awk '{s+=$(NF-1)} END {print s+0}')
    s=$(grep -aoE '^\[  SKIPPED \] [0-9]+' "$out" | awk '{s+=$NF} END {print s+0}')
    # shell tests: "<name>: N passed, N failed[, N skipped]"
    if grep -aqE '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed' "$out"; then
        local line; line=$(grep -aE '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
        p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
        f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
        s=$(echo "$line" | sed -nE 's/.* ([0-9]+) skipped.*/\1/p'); s=${s:-0}
    fi
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # crashed or exited non-zero
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
    [ "$f" -ne 0 ] && broken+=("$name (exit $rc)")
    return 0
}

for t in "$@"; do
    echo "=== $(basename "$t")"
    run_one "$(basename "$t")" "$root/$t"
done
for t in "$root"/tests/e2e/test_*.sh; do
    [ -e "$t" ] || continue
    echo "=== $(basename "$t")"
    run_one "$(basename "$t" .sh)" bash "$t"
done
echo
if [ ${#broken[@]} -gt 0 ]; then
    echo "failing: ${broken[*]}"
fi
echo "check: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
