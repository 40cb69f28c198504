#!/bin/bash
# test_detect_cli.sh - `trajscope detect`: usage and data errors, CSV input
# checked against an independent brute-force optimal partitioning, JSON
# numbers recomputed from the data, every method, CROPS, names from files,
# and the sample runs (grokking jump, drop after a plateau) against ground
# truth taken from the archives themselves.
set -u
. "$(dirname "$0")/lib.sh"

PY=$(find_h5py_python) || { skip all "no python3 with h5py (apt-get install python3-h5py)"; finish; exit; }
T=$TS_TMP

expect_rc() { # NAME RC COMMAND... : passes when the command exits with RC
    local name=$1 want=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"; local rc=$?
    if [ "$rc" -eq "$want" ]; then ok "$name"; else bad "$name" "exit $rc, wanted $want: $(head -c 300 "$T/err")"; fi
}

# ---- usage errors (exit 1) and help ----
expect_rc "no arguments" 1 "$TS_BIN" detect
expect_rc "no --metric" 1 "$TS_BIN" detect some.h5
expect_rc "unknown option" 1 "$TS_BIN" detect --bogus x.csv
expect_rc "bad penalty" 1 "$TS_BIN" detect --csv x.csv --penalty lots
expect_rc "negative penalty" 1 "$TS_BIN" detect --csv x.csv --penalty -3
expect_rc "bad method" 1 "$TS_BIN" detect --csv x.csv --method magic
expect_rc "bad cost" 1 "$TS_BIN" detect --csv x.csv --cost median
expect_rc "min-seg below the cost's floor" 1 "$TS_BIN" detect --csv x.csv --cost slope --min-seg 1
expect_rc "csv and FILE together" 1 "$TS_BIN" detect --csv x.csv other.h5
expect_rc "bad crops range" 1 "$TS_BIN" detect --csv x.csv --crops 5:2
expect_rc "crops needs pelt" 1 "$TS_BIN" detect --csv x.csv --crops 1:9 --method bocpd
expect_rc "grid without log-step" 1 "$TS_BIN" detect --csv x.csv --grid 100
expect_rc "hazard without bocpd" 1 "$TS_BIN" detect --csv x.csv --hazard 100
expect_rc "help" 0 "$TS_BIN" detect --help
grep -q "usage: trajscope detect" "$T/out" && ok "help text" || bad "help text" "no usage line"
"$TS_BIN" --help 2>&1 | grep -q "detect" && ok "listed in trajscope --help" || bad "listed in trajscope --help" "missing"

# ---- bad data (exit 2, one line) ----
expect_rc "missing file" 2 "$TS_BIN" detect --csv "$T/nope.csv"
[ "$(wc -l <"$T/err")" -eq 1 ] && grep -q "nope.csv" "$T/err" && ok "missing file: one line naming it" || bad "missing file message" "$(cat "$T/err")"
printf 'step,value\n1,2\n2,oops\n' >"$T/text.csv"
expect_rc "text in a value" 2 "$TS_BIN" detect --csv "$T/text.csv"
grep -q "text.csv:3" "$T/err" && ok "error names the line" || bad "error names the line" "$(cat "$T/err")"
printf '1,2,3\n4,5,6\n' >"$T/three.csv"
expect_rc "three columns" 2 "$TS_BIN" detect --csv "$T/three.csv"
printf 'nan\ninf\n-inf\nnan\n' >"$T/nan.csv"
expect_rc "only non-finite values" 2 "$TS_BIN" detect --csv "$T/nan.csv"
grep -q "no finite values" "$T/err" && ok "non-finite message" || bad "non-finite message" "$(cat "$T/err")"
printf '0\n-1\n0\n' >"$T/nonpos.csv"
expect_rc "log of non-positive values" 2 "$TS_BIN" detect --csv "$T/nonpos.csv" --log-values
printf 'step,value\n' >"$T/empty.csv"
expect_rc "header only" 2 "$TS_BIN" detect --csv "$T/empty.csv"
printf '1\n2\n9\n' >"$T/tiny.csv"
expect_rc "three points, despiked, log-step" 0 "$TS_BIN" detect --csv "$T/tiny.csv" --despike --log-step --log-values
printf '1.5,2\n2.5,3\n' >"$T/fracstep.csv"
expect_rc "fractional step" 2 "$TS_BIN" detect --csv "$T/fracstep.csv"
head -c 3000 /dev/urandom >"$T/junk.h5"
expect_rc "not a run" 2 "$TS_BIN" detect "$T/junk.h5" --metric loss

# ---- synthetic CSV: two mean shifts at known steps ----
"$PY" - "$T" <<'PYEOF'
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(11)
steps = np.arange(0, 10000, 10)
v = np.where(steps < 3000, 1.0, np.where(steps < 6500, 2.5, 1.8)) + rng.normal(0, 0.3, steps.size)
v[100] = np.nan  # dropped and reported
with open(d + "/shift.csv", "w") as f:
    f.write("step,loss\n")
    for s, x in zip(steps, v):
        f.write(f"{s},{x!r}\n")
with open(d + "/onecol.csv", "w") as f:
    f.write("value\n")
    for x in v[~np.isnan(v)]:
        f.write(f"{x!r}\n")
# small series for the brute-force comparison
y = np.concatenate([rng.normal(0, 1, 25), rng.normal(2.2, 1, 20), rng.normal(-1, 1, 25)])
with open(d + "/small.csv", "w") as f:
    for x in y:
        f.write(f"{x!r}\n")
PYEOF

"$TS_BIN" detect --csv "$T/shift.csv" --json >"$T/shift.json"; rc=$?
check "csv --json exits 0" test "$rc" -eq 0
if "$PY" - "$T/shift.csv" "$T/shift.json" <<'PYEOF'
import sys, json, math
import numpy as np
rows = [l.strip().split(",") for l in open(sys.argv[1]).read().splitlines()[1:]]
st = np.array([int(r[0]) for r in rows]); v = np.array([float(r[1]) for r in rows])
doc = json.load(open(sys.argv[2]))
assert doc["source"]["csv"].endswith("shift.csv")
assert doc["method"] == "pelt" and doc["cost"] == "mean" and doc["penalty"]["kind"] == "mbic"
p = doc["preprocessing"]
assert p["nonfinite_dropped"] == 1 and p["first_nonfinite_step"] == 1000, p
assert p["used"] == 999 and p["analysed"] == 999, p
n = p["analysed"]
assert abs(doc["penalty"]["beta"] - 3 * math.log(n)) < 1e-9
cps = [c["step"] for c in doc["change_points"]]
assert len(cps) == 2 and abs(cps[0] - 3000) <= 30 and abs(cps[1] - 6500) <= 30, cps
keep = ~np.isnan(v)
for seg in doc["segments"]:
    m = keep & (st >= seg["start_step"]) & (st <= seg["end_step"])
    x = v[m]
    assert x.size == seg["length"], (x.size, seg["length"])
    assert abs(x.mean() - seg["mean"]) <= 1e-12 * max(1, abs(x.mean())), (x.mean(), seg["mean"])
    assert abs(x.std(ddof=1) - seg["std"]) <= 1e-9 * x.std(ddof=1)
    # mean cost of the segment in sigma^2 units
    c = ((x - x.mean()) ** 2).sum() / doc["sigma"] ** 2
    assert abs(c - seg["cost"]) <= 1e-8 * max(1, c), (c, seg["cost"])
for c in doc["change_points"]:
    assert c["strength"] > doc["penalty"]["beta"]
    assert c["after"]["start_step"] == c["step"] and c["before"]["end_step"] < c["step"]
    assert rows[c["src_index"] + 0][0] == str(c["step"]) or int(rows[c["src_index"]][0]) == c["step"]
fit = sum(s["cost"] for s in doc["segments"])
assert abs(fit - doc["fit_cost"]) <= 1e-9 * fit
assert abs(doc["total_cost"] - (fit + 2 * doc["penalty"]["beta"])) <= 1e-9 * fit
PYEOF
then ok "csv: 2 shifts found; JSON numbers match the data"; else bad "csv JSON" "see above"; fi

"$TS_BIN" detect --csv "$T/shift.csv" >"$T/shift.txt"; rc=$?
check "text exits 0" test "$rc" -eq 0
grep -q "^method    pelt   cost mean   penalty mbic" "$T/shift.txt" && ok "text header names method, cost, penalty" || bad "text header" "$(head -3 "$T/shift.txt")"
grep -q "dropped   1 non-finite values (first at step 1000)" "$T/shift.txt" && ok "text reports the dropped point" || bad "dropped line" "$(cat "$T/shift.txt")"
# rows of the change table are aligned: the separators sit in the same columns
awk '/^ +[0-9]+ +[0-9]+ .*\|/ { print index($0, "|") }' "$T/shift.txt" | sort -u | wc -l | grep -qx 1 \
    && ok "change table aligned" || bad "change table aligned" "$(cat "$T/shift.txt")"

"$TS_BIN" detect --csv "$T/onecol.csv" --json >"$T/one.json"
"$PY" -c "
import json,sys; d=json.load(open('$T/one.json')); c=[x['step'] for x in d['change_points']]
assert len(c)==2 and abs(c[0]-300)<=3 and abs(c[1]-649)<=3, c" && ok "one-column CSV: row index as step" || bad "one-column CSV" "$(head -c 400 "$T/one.json")"

for m in binseg bocpd; do
    "$TS_BIN" detect --csv "$T/shift.csv" --method "$m" --json >"$T/$m.json"
    "$PY" -c "
import json; d=json.load(open('$T/$m.json')); c=[x['step'] for x in d['change_points']]
assert d['method']=='$m' and len(c)==2 and abs(c[0]-3000)<=50 and abs(c[1]-6500)<=50, c" \
        && ok "--method $m finds both shifts" || bad "--method $m" "$(head -c 600 "$T/$m.json")"
done

# ---- independent check: brute-force optimal partitioning in Python ----
for cost in mean meanvar slope; do
    "$TS_BIN" detect --csv "$T/small.csv" --cost "$cost" --sigma 1 --penalty 4.5 --min-seg 3 --json >"$T/bf.json"
    if "$PY" - "$T/small.csv" "$T/bf.json" "$cost" <<'PYEOF'
import sys, json, math
import numpy as np
y = np.array([float(l) for l in open(sys.argv[1]) if l.strip()])
doc = json.load(open(sys.argv[2])); cost = sys.argv[3]
n, beta, L, floor = y.size, 4.5, 3, 1e-2
x = np.arange(n, dtype=float)
def C(a, b):
    s = y[a:b]; m = b - a
    if cost == "mean": return ((s - s.mean()) ** 2).sum()
    if cost == "meanvar":
        ss = ((s - s.mean()) ** 2).sum(); v = max(ss / m, floor)
        return m * math.log(v) + ss / v
    xs = x[a:b]; A = np.vstack([xs, np.ones(m)]).T
    r = s - A @ np.linalg.lstsq(A, s, rcond=None)[0]
    return (r ** 2).sum()
F = [math.inf] * (n + 1); F[0] = -beta; last = [0] * (n + 1)
for t in range(1, n + 1):
    for s in range(0, t - L + 1):
        if s != 0 and s < L: continue
        v = F[s] + C(s, t) + beta
        if v < F[t]: F[t], last[t] = v, s
cps, t = [], n
while t > 0:
    if last[t] > 0: cps.append(last[t])
    t = last[t]
cps.sort()
got = [c["index"] for c in doc["change_points"]]
assert got == cps, (cost, got, cps)
assert abs(doc["total_cost"] - F[n]) <= 1e-7 * max(1, abs(F[n])), (doc["total_cost"], F[n])
PYEOF
    then ok "$cost: same segmentation as a Python brute force"; else bad "$cost brute force" "see above"; fi
done

# ---- CROPS ----
"$TS_BIN" detect --csv "$T/shift.csv" --crops 0:inf --max-cp 5 --json >"$T/crops.json"; rc=$?
check "--crops 0:inf --max-cp 5 exits 0" test "$rc" -eq 0
"$PY" -c "
import json; d=json.load(open('$T/crops.json'))['crops']; s=d['segmentations']
assert d['complete'] and s[0]['n_cp']==0 and s[0]['beta_hi'] is None, s[0]
ns=[e['n_cp'] for e in s]; assert ns==sorted(ns) and len(set(ns))==len(ns) and max(ns)<=5 and 2 in ns, ns
for a,b in zip(s,s[1:]): assert abs(a['beta_lo']-b['beta_hi'])<=1e-9*a['beta_lo']
two=[e for e in s if e['n_cp']==2][0]; c=[x['step'] for x in two['change_points']]
assert abs(c[0]-3000)<=30 and abs(c[1]-6500)<=30, c" && ok "CROPS: 0..5 changes, contiguous penalties" || bad "CROPS JSON" "$(head -c 600 "$T/crops.json")"
"$TS_BIN" detect --csv "$T/shift.csv" --crops 1:1000 >"$T/crops.txt"
grep -q "^CROPS: " "$T/crops.txt" && grep -q '\*' "$T/crops.txt" && ok "CROPS text table" || bad "CROPS text" "$(tail -5 "$T/crops.txt")"

# ---- a run whose names carry control characters; seams; --log-values ----
"$PY" - "$T/names.h5" <<'PYEOF'
import sys, h5py, numpy as np
rng = np.random.default_rng(3)
with h5py.File(sys.argv[1], "w") as f:
    f.attrs["trajscope_format"] = 1
    f.attrs["run_name"] = "detect-test"
    g = f.create_group("scalars/train")
    steps = np.concatenate([np.arange(0, 600), np.arange(400, 1200)]).astype(np.int64)  # resumed at 400
    loss = np.where(steps < 800, 2.0, 0.05) * np.exp(rng.normal(0, 0.05, steps.size))
    loss[700:705] = 0.0  # steps 500..504 of the resumed part: dropped by --log-values
    g.create_dataset("step", data=steps)
    g.create_dataset("lo\x1b[2Jss", data=loss)
PYEOF
if [ -s "$T/names.h5" ]; then
    "$TS_BIN" detect "$T/names.h5" --metric "train/lo"$'\x1b'"[2Jss" --log-values >"$T/names.txt" 2>&1; rc=$?
    check "archive text exits 0" test "$rc" -eq 0
    if grep -q $'\x1b' "$T/names.txt"; then bad "names sanitized" "escape byte in output"; else ok "names sanitized in text"; fi
    grep -q "steps sorted: the run has seams" "$T/names.txt" && ok "seams reported" || bad "seams reported" "$(head -6 "$T/names.txt")"
    "$TS_BIN" detect "$T/names.h5" --metric "train/lo"$'\x1b'"[2Jss" --log-values --json >"$T/names.json"
    "$PY" -c "
import json; d=json.load(open('$T/names.json'))
assert d['source']['metric']=='train/lo\x1b[2Jss', d['source']
p=d['preprocessing']; assert p['duplicate_steps_dropped']==200 and not p['steps_sorted'], p
assert p['nonpositive_dropped']==5 and p['first_nonpositive_step']==500, p
c=[x['step'] for x in d['change_points']]; assert c==[800], c" \
        && ok "archive JSON: exact name, seams, drop at step 800" || bad "archive JSON" "$(head -c 800 "$T/names.json")"
    expect_rc "unknown metric" 2 "$TS_BIN" detect "$T/names.h5" --metric nope
    grep -q "available:" "$T/err" && ok "unknown metric lists the metrics" || bad "unknown metric message" "$(cat "$T/err")"
else
    bad "fixture" "h5py did not write names.h5"
fi

# ---- the sample runs: ground truth from the archives ----
SR="$TS_ROOT/sample-runs"
truth() { # FILE METRIC: first step where a running median crosses halfway
    "$PY" - "$1" "$2" <<'PYEOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
stream, metric = sys.argv[2].split("/", 1)
g = f["scalars/" + stream]
v = g[metric][()].astype(float); s = g["step"][()]
k = np.isfinite(v); v, s = v[k], s[k]
n = v.size; w = max(1, n // 200) | 1
med = np.array([np.median(v[max(0, i - w // 2): i + w // 2 + 1]) for i in range(n)])
a, b = np.median(v[: n // 5]), np.median(v[-n // 10:])
mid = 0.5 * (a + b)
i = np.argmax(med > mid) if b > a else np.argmax(med < mid)
print(s[i], s[-1] - s[0])
PYEOF
}
near_truth() { # NAME FILE METRIC ARGS... : one change point within 2% of the run from the truth
    local name=$1 file=$2 metric=$3; shift 3
    read -r want span < <(truth "$file" "$metric")
    local tol=$((span / 50))
    "$TS_BIN" detect "$file" --metric "$metric" "$@" --json >"$T/s.json" 2>"$T/s.err"
    local got
    got=$("$PY" -c "import json; print(' '.join(str(c['step']) for c in json.load(open('$T/s.json'))['change_points']))" 2>/dev/null)
    for g in $got; do
        if [ $((g > want ? g - want : want - g)) -le "$tol" ]; then ok "$name: change at $g (truth $want +- $tol)"; return; fi
    done
    bad "$name" "changes at [$got], truth $want +- $tol $(cat "$T/s.err")"
}
if [ -f "$SR/grok-seed0.h5" ] && [ -f "$SR/parity.h5" ]; then
    for s in 0 1 2; do
        f="$SR/grok-seed$s.h5"
        [ -f "$f" ] || { skip "grok-seed$s" "missing $f"; continue; }
        near_truth "grok-seed$s eval/acc jump (pelt)" "$f" eval/acc --max-cp 1
        near_truth "grok-seed$s eval/acc jump (binseg)" "$f" eval/acc --method binseg --max-cp 1
    done
    near_truth "parity train/loss drop after plateau" "$SR/parity.h5" train/loss --max-cp 1
    near_truth "parity eval/loss drop after plateau" "$SR/parity.h5" eval/loss --max-cp 1
    near_truth "parity eval/acc jump" "$SR/parity.h5" eval/acc --max-cp 1
    # at the default penalty (100+ changes) the strongest one is the drop
    read -r want span < <(truth "$SR/parity.h5" train/loss)
    strongest=$("$TS_BIN" detect "$SR/parity.h5" --metric train/loss --log-values --despike --json |
        "$PY" -c "import json,sys; c=json.load(sys.stdin)['change_points']; print(max(c, key=lambda x: x['strength'])['step'], len(c))")
    read -r sstep scount <<<"$strongest"
    if [ -n "${sstep:-}" ] && [ $((sstep > want ? sstep - want : want - sstep)) -le $((span / 50)) ]; then
        ok "parity, log values, despiked, default penalty: strongest of $scount changes at $sstep (truth $want)"
    else
        bad "parity strongest change" "got '$strongest', truth $want"
    fi
    # CROPS from the explorer's point of view: 0..4 phases
    "$TS_BIN" detect "$SR/grok-seed0.h5" --metric eval/acc --crops 0:inf --max-cp 4 --json >"$T/gc.json" \
        && "$PY" -c "
import json; s=json.load(open('$T/gc.json'))['crops']['segmentations']
assert [e['n_cp'] for e in s][:2]==[0,1], [e['n_cp'] for e in s]" && ok "grok CROPS steps through 0, 1, ... phases" || bad "grok CROPS" "$(head -c 300 "$T/gc.json")"
    # the most stable segmentation (+): recomputed from the penalty ranges
    "$TS_BIN" detect "$SR/grok-seed0.h5" --metric eval/acc --crops 0:inf --max-cp 10 --json >"$T/gs.json" \
        && "$PY" -c "
import json, math; c=json.load(open('$T/gs.json'))['crops']; s=c['segmentations']
w=[(math.log(e['beta_hi']/e['beta_lo']), i) for i, e in enumerate(s) if e['n_cp'] > 0 and e['beta_lo'] and e['beta_lo'] > 0 and e['beta_hi'] is not None and math.isfinite(e['beta_hi'])]
best=max(w)[1]
assert c['stable']==best and c['penalty_below'] is True, (c['stable'], best, c['penalty_below'])
st=s[best]; assert st['n_cp']==1 and abs(st['change_points'][0]['step']-3480)<=60, st['change_points']" \
        && ok "grok CROPS: the most stable segmentation is the one transition" || bad "grok stable" "$(head -c 300 "$T/gs.json")"
    "$TS_BIN" detect "$SR/grok-seed0.h5" --metric eval/acc --crops 0:inf --max-cp 10 | grep -qE '^ +2\+ .* 1 +[0-9.e+]+ +35[0-9]{2}$' \
        && ok "CROPS text table marks it with +" || bad "CROPS +" "$("$TS_BIN" detect "$SR/grok-seed0.h5" --metric eval/acc --crops 0:inf --max-cp 10 | grep -F '+' | head -3)"
else
    skip "sample runs" "sample-runs/grok-seed0.h5 or parity.h5 not there yet (make samples)"
fi

# ---- the same runs against the steps documented in sample-runs/README.md ----
readme_steps() { # prints "name step" lines parsed from the README, nothing when absent
    "$PY" - "$SR/README.md" <<'PYEOF'
import re, sys
try:
    t = open(sys.argv[1]).read()
except OSError:
    sys.exit(0)
for m in re.finditer(r"^\| (grok-seed\d) \| \d+ \| (\d+) \|", t, re.M):
    print(m.group(1), m.group(2))          # val acc >= 50%
for key, pat in [("plateau_end", r"step (\d+) \(plateau end\)"), ("drop", r"(\d+) \(the drop\)"),
                 ("inf", r"Inf at step (\d+)"), ("resumed_drop", r"below\s+0\.5 ln 2 from \*\*step (\d+)")]:
    m = re.search(pat, t)
    if m: print(key, m.group(1))
PYEOF
}
declare -A doc
while read -r k v; do doc[$k]=$v; done < <(readme_steps)
changes() { # FILE METRIC ARGS... : the change steps, space separated
    local file=$1 metric=$2; shift 2
    "$TS_BIN" detect "$file" --metric "$metric" "$@" --json 2>/dev/null |
        "$PY" -c "import json,sys; print(' '.join(str(c['step']) for c in json.load(sys.stdin)['change_points']))" 2>/dev/null
}
has_near() { # WANT TOL STEPS... : true when a step is within TOL of WANT
    local want=$1 tol=$2 g; shift 2
    for g in "$@"; do [ $((g > want ? g - want : want - g)) -le "$tol" ] && return 0; done
    return 1
}
if [ ${#doc[@]} -eq 0 ] || [ ! -f "$SR/parity.h5" ]; then
    skip "README steps" "sample-runs/README.md or the archives not there (or their wording changed)"
else
    for s in 0 1 2; do
        w=${doc[grok-seed$s]:-}
        if [ -z "$w" ]; then skip "README grok-seed$s" "no 'val acc >= 50%' step in the README table"; continue; fi
        got=$(changes "$SR/grok-seed$s.h5" eval/acc --max-cp 1)
        has_near "$w" 120 $got && ok "grok-seed$s: jump at $got, README says val acc >= 50% at $w" \
            || bad "grok-seed$s vs README" "changes [$got], README $w"
    done
    if [ -n "${doc[plateau_end]:-}" ] && [ -n "${doc[drop]:-}" ]; then
        got=$(changes "$SR/parity.h5" train/loss --max-cp 2)
        if has_near "${doc[plateau_end]}" 320 $got && has_near "${doc[drop]}" 320 $got; then
            ok "parity: plateau end and drop at [$got], README ${doc[plateau_end]} and ${doc[drop]}"
        else
            bad "parity vs README" "changes [$got], README plateau end ${doc[plateau_end]}, drop ${doc[drop]}"
        fi
    fi
    if [ -n "${doc[inf]:-}" ] && [ -f "$SR/lr-too-high.h5" ]; then
        got=$("$TS_BIN" detect "$SR/lr-too-high.h5" --metric train/loss --json |
            "$PY" -c "import json,sys; print(json.load(sys.stdin)['preprocessing']['first_nonfinite_step'])")
        [ "$got" = "${doc[inf]}" ] && ok "lr-too-high: first non-finite step $got as documented" \
            || bad "lr-too-high first non-finite" "got $got, README ${doc[inf]}"
    fi
    if [ -n "${doc[resumed_drop]:-}" ] && [ -f "$SR/resumed.h5" ]; then
        got=$(changes "$SR/resumed.h5" eval/loss --max-cp 1)
        has_near "${doc[resumed_drop]}" 240 $got && ok "resumed: drop at $got (last writes win at the seam), README ${doc[resumed_drop]}" \
            || bad "resumed vs README" "changes [$got], README ${doc[resumed_drop]}"
    fi
fi

finish
