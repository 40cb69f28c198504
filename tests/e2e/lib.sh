# lib.sh - shared helpers for the end-to-end shell tests (sourced).
# Each test calls `ok NAME`, `bad NAME WHY` or `skip NAME WHY`, then `finish`,
# which prints "<test>: N passed, N failed, N skipped" and sets the exit code.
: "${TS_BIN:?TS_BIN must point at build/trajscope}"
: "${TS_TMP:=$(mktemp -d)}"
TEST_NAME=$(basename "$0" .sh)
n_pass=0 n_fail=0 n_skip=0
ok()   { n_pass=$((n_pass + 1)); echo "  ok    $1"; }
bad()  { n_fail=$((n_fail + 1)); echo "  FAIL  $1: $2"; }
skip() { n_skip=$((n_skip + 1)); echo "  skip  $1: $2"; }
check() { # NAME COMMAND... : passes when the command succeeds
    local name=$1; shift
    if "$@"; then ok "$name"; else bad "$name" "command failed: $*"; fi
}
finish() {
    echo "$TEST_NAME: $n_pass passed, $n_fail failed, $n_skip skipped"
    [ "$n_fail" -eq 0 ]
}
# A python3 with h5py (Debian's python3-h5py lives under /usr/bin/python3).
find_h5py_python() {
    for p in /usr/bin/python3 python3; do
        if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import h5py, numpy' 2>/dev/null; then
            echo "$p"; return 0
        fi
    done
    return 1
}
