#!/bin/bash
# test_plot_cli.sh - `trajscope plot`: a one-sample spike in 10^5 points is
# drawn at 60 columns (braille parsed back), ASCII output, NaN/Inf and seam
# reporting, unknown metrics, usage errors, bad files, control characters.
set -u
. "$(dirname "$0")/lib.sh"

PY=$(find_h5py_python) || { skip all "no python3 with h5py (apt-get install python3-h5py)"; finish; exit; }
arch="$TS_TMP/plot.h5"
"$PY" - "$arch" <<'PYEOF'
import sys, h5py, numpy as np
rng = np.random.default_rng(11)
n = 100000
with h5py.File(sys.argv[1], "w") as f:
    f.attrs["trajscope_format"] = 1
    f.attrs["run_name"] = "plot\x1b[31m-run\x07"
    tr = f.create_group("scalars/train")
    steps = np.arange(n, dtype=np.int64)
    loss = rng.random(n)                # noise in [0, 1)
    loss[54321] = 100.0                 # one sample wide
    tr["step"] = steps
    tr["loss"] = loss
    tr["acc\x07bell"] = rng.random(n)
    nan = rng.random(n) + 1.0
    nan[[100, 200]] = np.nan
    nan[300] = np.inf
    nan[400] = -np.inf
    tr["nanny"] = nan
    rs = f.create_group("scalars/resumed")   # steps go back once: a seam
    rs["step"] = np.concatenate([np.arange(0, 600), np.arange(400, 1000)]).astype(np.int64)
    rs["val"] = np.concatenate([np.zeros(600), np.ones(600)])
PYEOF
[ -s "$arch" ] || { bad fixture "h5py did not write $arch"; finish; exit; }
export LC_ALL=C.UTF-8

# ---- the spike, in braille ----
out="$TS_TMP/spike.txt"
"$TS_BIN" plot "$arch" --metric train/loss --width 60 --height 20 >"$out" 2>"$TS_TMP/spike.err"; rc=$?
check "plot exits 0" test "$rc" -eq 0
check "20 lines of output" test "$(wc -l <"$out")" -eq 20
check "no line wider than 60 columns" "$PY" -c '
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
sys.exit(0 if all(len(l) <= 60 for l in lines) else 1)' "$out"
# Parse the plot: the first row after the title is the top row of the plot
# area (no NaN in train/loss, so no marker lane); its area starts after the
# axis glyph. Exactly one column there has ink, it has a dot in the top dot
# row, and it is the column whose step range holds step 54321.
if "$PY" - "$out" <<'PYEOF'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
top = lines[1]
axis = top.index("\u2524") if "\u2524" in top else top.index("\u2502")
xaxis = next(l for l in lines if "\u2514" in l)
area_x = xaxis.index("\u2514") + 1
assert area_x == axis + 1, (area_x, axis)
width = len(xaxis) - area_x
ink = [(i - area_x, ch) for i, ch in enumerate(top) if i >= area_x and ch != " "]
assert len(ink) == 1, ink
col, ch = ink[0]
bits = ord(ch) - 0x2800
assert 0 < bits <= 0xff, hex(ord(ch))
assert bits & 0x09, "no dot in the top dot row: %s" % hex(bits)
# columns cover [0, 99999] evenly
lo, hi = col * 99999 / width, (col + 1) * 99999 / width
assert lo <= 54321 < hi, (col, lo, hi)
# the noise (< 1 on a 0..100 axis) fills the bottom row
bottom = lines[lines.index(xaxis) - 1]
assert sum(1 for ch in bottom[area_x:] if ch != " ") >= width - 1, bottom
PYEOF
then ok "spike reaches the top row in its own column"; else bad "spike" "see $out"; cat "$out"; fi
check "footer counts the points" grep -q "100000 points" "$out"
check "footer says there are no NaN/Inf" grep -q "NaN 0, +Inf 0, -Inf 0" "$out"

# ---- ASCII ----
"$TS_BIN" plot "$arch" --metric train/loss --width 60 --height 20 --ascii >"$TS_TMP/ascii.txt"; rc=$?
check "--ascii exits 0" test "$rc" -eq 0
if grep -qP '[^\x00-\x7f]' "$TS_TMP/ascii.txt"; then bad "--ascii is pure ASCII" "non-ASCII bytes in output"; else ok "--ascii is pure ASCII"; fi
if "$PY" - "$TS_TMP/ascii.txt" <<'PYEOF'
import sys
lines = open(sys.argv[1]).read().splitlines()
top = lines[1]
xaxis = next(l for l in lines if l.lstrip().startswith("+-") or "++" in l)
area_x = xaxis.index("+") + 1
ink = [i - area_x for i, ch in enumerate(top) if i >= area_x and ch != " "]
width = len(xaxis) - area_x
assert len(ink) == 1, ink
lo, hi = ink[0] * 99999 / width, (ink[0] + 1) * 99999 / width
assert lo <= 54321 < hi, (ink, lo, hi)
PYEOF
then ok "ASCII spike in its column"; else bad "ASCII spike" "see $TS_TMP/ascii.txt"; fi
LC_ALL=C "$TS_BIN" plot "$arch" --metric train/loss --width 60 --height 12 >"$TS_TMP/c.txt"; rc=$?
check "C locale exits 0" test "$rc" -eq 0
if grep -qP '[^\x00-\x7f]' "$TS_TMP/c.txt"; then bad "C locale gives ASCII" "non-ASCII bytes"; else ok "C locale gives ASCII"; fi

# ---- NaN/Inf, seams, log axes, short names ----
"$TS_BIN" plot "$arch" --metric train/nanny --width 70 --height 16 >"$TS_TMP/nan.txt"; rc=$?
check "NaN metric exits 0" test "$rc" -eq 0
check "NaN/Inf counted in the footer" grep -q "NaN 2, +Inf 1, -Inf 1" "$TS_TMP/nan.txt"
check "NaN marker drawn in the top lane" grep -q "$(printf '\xc3\x97')" <(sed -n 2p "$TS_TMP/nan.txt")
check "-Inf marker drawn" grep -q "$(printf '\xe2\x96\xbc')" "$TS_TMP/nan.txt"
"$TS_BIN" plot "$arch" --metric resumed/val --width 70 --height 16 >"$TS_TMP/seam.txt"; rc=$?
check "resumed metric exits 0" test "$rc" -eq 0
check "seam counted" grep -q "1 seam" "$TS_TMP/seam.txt"
check "seam line drawn" grep -q "$(printf '\xe2\x94\x86')" "$TS_TMP/seam.txt"
"$TS_BIN" plot "$arch" --metric loss --logx --logy --width 60 --height 16 >"$TS_TMP/log.txt"; rc=$?
check "short name, --logx --logy exit 0" test "$rc" -eq 0
check "log y labels powers of ten" grep -qE "^ *100[^0-9k]" "$TS_TMP/log.txt"

# ---- errors ----
"$TS_BIN" plot "$arch" --metric train/nope >"$TS_TMP/o" 2>"$TS_TMP/e"; rc=$?
check "unknown metric exits 2" test "$rc" -eq 2
check "unknown metric lists the metrics" grep -q "train/loss" "$TS_TMP/e"
check "unknown metric prints nothing on stdout" test ! -s "$TS_TMP/o"
"$TS_BIN" plot "$arch" >/dev/null 2>"$TS_TMP/e"; rc=$?
check "missing --metric exits 1" test "$rc" -eq 1
"$TS_BIN" plot "$arch" --metric train/loss --width 5 >/dev/null 2>&1; rc=$?
check "bad --width exits 1" test "$rc" -eq 1
"$TS_BIN" plot --help >"$TS_TMP/help" 2>&1; rc=$?
check "--help exits 0" test "$rc" -eq 0
check "--help prints usage" grep -q "usage: trajscope plot" "$TS_TMP/help"
"$TS_BIN" plot "$TS_TMP/missing.h5" --metric x >/dev/null 2>"$TS_TMP/e"; rc=$?
check "missing file exits 2" test "$rc" -eq 2
check "missing file names the file" grep -q "missing.h5" "$TS_TMP/e"
printf 'not an archive\n' >"$TS_TMP/junk.h5"
"$TS_BIN" plot "$TS_TMP/junk.h5" --metric x >/dev/null 2>&1; rc=$?
check "junk file exits 2" test "$rc" -eq 2

# ---- control characters never reach the terminal ----
"$TS_BIN" plot "$arch" --metric $'train/acc\abell' --width 60 --height 12 >"$TS_TMP/ctl.txt" 2>"$TS_TMP/ctl.err"; rc=$?
check "metric with a BEL in its name plots" test "$rc" -eq 0
if grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$TS_TMP/ctl.txt" "$out" "$TS_TMP/nan.txt"; then
    bad "no control characters on stdout" "found some"
else
    ok "no control characters on stdout"
fi
check "run name shown sanitized" grep -q "plot?\[31m-run?" "$TS_TMP/ctl.txt"
"$TS_BIN" plot "$arch" --metric nope 2>"$TS_TMP/ctl2.err" >/dev/null
if grep -qP '[\x00-\x08\x0b-\x1f\x7f]' "$TS_TMP/ctl2.err"; then
    bad "no control characters on stderr" "metric list leaked one"
else
    ok "no control characters on stderr"
fi

finish
