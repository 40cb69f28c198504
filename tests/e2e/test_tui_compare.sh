#!/bin/bash
# test_tui_compare.sh - comparing runs in the explorer, in a real terminal
# (tmux) with the three sample runs of one seed group: the run list shows
# three rows with sparklines and the right last values; filtering by a
# configuration key leaves the right runs; side by side shows one column
# per run and one cursor step moves every column; the readout table lists
# every run's exact logged value at its nearest logged step. Expected
# numbers come from the archives (python3 + h5py).
set -u
export LC_ALL=C.UTF-8   # the patterns below hold braille and box-drawing characters
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null 2>&1 || { skip all "tmux is not installed"; finish; exit; }
PY=$(find_h5py_python) || { skip all "no python3 with h5py (apt-get install python3-h5py)"; finish; exit; }
: "${TS_ROOT:=$(cd "$(dirname "$0")/../.." && pwd)}"
RUNS=()
for k in 0 1 2; do RUNS+=("$TS_ROOT/sample-runs/grok-seed$k.h5"); done
for f in "${RUNS[@]}"; do [ -s "$f" ] || { skip all "missing sample run $f (make samples)"; finish; exit; }; done

SOCK="trajscope-cmp-$$"
WAIT_GREP=-P # wait_for takes Perl regexes here
. "$(dirname "$0")/tmux.sh"
trap tmux_kill EXIT
export XDG_CONFIG_HOME="$TS_TMP/xdg"   # no user config
mkdir -p "$XDG_CONFIG_HOME"

# wait_change SESSION BEFORE: polls until the pane differs from BEFORE.
wait_change() {
    local s=$1 before=$2 i
    for ((i = 0; i < 100; i++)); do
        [ "$(screen "$s")" != "$before" ] && return 0
        sleep 0.1
    done
    return 1
}
# type_text SESSION TEXT: sends TEXT literally.
type_text() { T send-keys -t "$1" -l -- "$2"; }

# Run list rows: " ● NAME  <sparkline>  last  best  step".
RUNROW='^ [●○] grok-seed[0-9] +[\x{2800}-\x{28FF}]{5,}'
runrows() { screen "$1" | grep -P -- "$RUNROW"; }

# ---- the run list ----
start main 200 50 "${RUNS[@]}"
if wait_for main "$RUNROW" && wait_for main '^ step [0-9]+'; then ok "explorer starts with three runs"; else bad "start" "$(screen main | tail -5)"; fi
# sparklines fill in a few per frame: wait for all three
for ((i = 0; i < 100; i++)); do [ "$(runrows main | wc -l)" -eq 3 ] && break; sleep 0.1; done
rows=$(runrows main)
if [ "$(echo "$rows" | wc -l)" -eq 3 ]; then ok "run list: three rows with sparklines"; else bad "run list rows" "$(screen main | tail -8)"; fi
# the last train/loss value and step of each row, against the archive
if echo "$rows" | "$PY" -c '
import sys, h5py, numpy as np
root = sys.argv[1]
bad = []
for line in sys.stdin:
    tok = line.split()
    name = tok[1]
    last, best, step = float(tok[-3]), float(tok[-2]), int(tok[-1])
    with h5py.File("%s/sample-runs/%s.h5" % (root, name), "r") as f:
        loss = f["scalars/train/loss"][:].astype(np.float64)
        steps = f["scalars/train/step"][:]
    want_last, want_best = loss[-1], np.nanmin(loss)
    for got, want in ((last, want_last), (best, want_best)):
        if abs(got - want) > 5e-4 * abs(want):
            bad.append("%s: %g vs %g" % (name, got, want))
    if step != int(steps.max()):
        bad.append("%s: step %d vs %d" % (name, step, steps.max()))
print("\n".join(bad))
sys.exit(1 if bad else 0)
' "$TS_ROOT" >"$TS_TMP/rows.out" 2>&1; then
    ok "run list: last and best train/loss and last step match the archives"
else bad "run list values" "$(cat "$TS_TMP/rows.out")"; fi
screen main | grep -q 'Runs 3/3 selected' && ok "run list title: 3/3 selected" || bad "run list title" "$(screen main | grep Runs)"
# the readout table is shown with several runs; r hides it
if screen main | grep -q '^ At cursor'; then
    T send-keys -t main r
    for ((i = 0; i < 50; i++)); do screen main | grep -q '^ At cursor' || break; sleep 0.1; done
    screen main | grep -q '^ At cursor' && bad "r" "the readout table stays" || ok "r hides the readout table"
else bad "readout table" "not shown with three runs"; fi

# ---- filtering by a configuration key ----
# expected membership, from the archives' configuration attributes
expect() { # EXPR(python over attrs a) -> sorted run names
    "$PY" - "$1" "${RUNS[@]}" <<'PYEOF'
import sys, h5py, os
expr = sys.argv[1]
names = []
for p in sys.argv[2:]:
    with h5py.File(p, "r") as f:
        a = {k: (v.item() if hasattr(v, "item") else v) for k, v in f.attrs.items()}
    if eval(expr, {}, {"a": a}):
        names.append(os.path.basename(p)[:-3])
print(" ".join(sorted(names)))
PYEOF
}
listed() { runrows main | awk '{print $2}' | sort | tr '\n' ' ' | sed 's/ $//'; }
apply_filter() { # TEXT: f, clear the prompt, type, Enter; waits for a new frame
    local before
    T send-keys -t main f
    wait_for main 'filter runs:' 30 || true
    for ((i = 0; i < 30; i++)); do T send-keys -t main BSpace; done
    type_text main "$1"
    before=$(screen main)
    T send-keys -t main Enter
    wait_change main "$before" || true
    sleep 0.3
}
check_filter() { # FILTER PYTHON-EXPR
    apply_filter "$1"
    local want got
    want=$(expect "$2")
    got=$(listed)
    if [ -n "$want" ] && [ "$got" = "$want" ]; then ok "filter '$1' leaves: $got"; else bad "filter '$1'" "got '$got', want '$want'"; fi
}
check_filter 'seed>=1' 'a["seed"] >= 1'
check_filter 'seed=0 optimizer=adamw' 'a["seed"] == 0 and a["optimizer"] == "adamw"'
check_filter 'lr=3e-3 seed!=1' 'abs(a["lr"] - 3e-3) < 1e-12 and a["seed"] != 1'
apply_filter 'seed>5'
if screen main | grep -q 'no run matches the filter' && [ -z "$(listed)" ]; then ok "filter 'seed>5' leaves no run"; else bad "empty filter result" "$(listed)"; fi
apply_filter ''
[ "$(listed)" = "grok-seed0 grok-seed1 grok-seed2" ] && ok "an empty filter clears it" || bad "clear filter" "$(listed)"

# ---- seed groups ----
T send-keys -t main b
if wait_for main 'grok-seed\*: mean of 3 seeds' 50; then ok "b: one seed group, legend 'mean of 3 seeds'"; else bad "seed group" "$(screen main | grep -m2 -- '──')"; fi
T send-keys -t main b b b
wait_for main '^ step' 10 || true

# ---- side by side: one column per run, one cursor ----
T send-keys -t main v
wait_for main 'side by side' 50 || true
scr=$(screen main)
legend=$(echo "$scr" | grep -E -- '── grok-seed0 .*── grok-seed1 .*── grok-seed2' | head -1)
ncols=$(echo "$scr" | grep -E '└' | head -1 | grep -o '└' | wc -l)
if [ -n "$legend" ] && [ "$ncols" -eq 3 ]; then ok "v: three columns, one per run"; else bad "side by side" "$ncols axes; $(echo "$scr" | head -12)"; fi
T send-keys -t main g l l l
sleep 0.5
before=$(screen main)
T send-keys -t main l
wait_change main "$before" || true
sleep 0.3
after=$(screen main)
# cells that changed in the plot rows: the cursor left column c and went to
# c + 1 in every column, the same offset in each
echo "$before" > "$TS_TMP/before.txt"
echo "$after" > "$TS_TMP/after.txt"
if "$PY" - "$TS_TMP/before.txt" "$TS_TMP/after.txt" >"$TS_TMP/cursor.out" 2>&1 <<'PYEOF'
import sys
a = open(sys.argv[1], encoding="utf-8").read().split("\n")
b = open(sys.argv[2], encoding="utf-8").read().split("\n")
cols = set()
for y, (la, lb) in enumerate(zip(a, b)):
    # plot rows only: not the header, the status line or the run list
    if y == 0 or la.startswith(" step") or lb.startswith(" step") or "Runs" in la or la.startswith(" ● ") or la.startswith(" ○ "):
        continue
    n = max(len(la), len(lb))
    la, lb = la.ljust(n), lb.ljust(n)
    for x in range(n):
        if la[x] != lb[x]:
            cols.add(x)
cols = sorted(cols)
print("changed columns:", cols)
pairs = [(cols[i], cols[i + 1]) for i in range(0, len(cols) - 1, 2)]
ok = len(cols) == 6 and all(q == p + 1 for p, q in pairs)
gaps = [pairs[i + 1][0] - pairs[i][0] for i in range(len(pairs) - 1)]
ok = ok and len(set(gaps)) == 1
sys.exit(0 if ok else 1)
PYEOF
then ok "one cursor step moves the cursor one cell in all three columns ($(cat "$TS_TMP/cursor.out" | sed 's/changed columns: //'))"
else bad "synchronized cursor" "$(cat "$TS_TMP/cursor.out")"; fi
T send-keys -t main q

# ---- the readout table: exact values at each run's nearest logged step ----
start tab 200 50 "${RUNS[@]}"
wait_for tab "$RUNROW" || true
wait_for tab '^ step [0-9]+' || true
# the metric list gets the keys; show eval/acc too (logged every 10 steps)
T send-keys -t tab w
wait_for tab 'keys: metric list' 30 || true
T send-keys -t tab j j j j j j Space k k k k k k
sleep 0.3
wait_for tab '^ At cursor' 50 || true
T send-keys -t tab g . . . . . . .
sleep 0.3
before=$(screen tab)
T send-keys -t tab .
wait_change tab "$before" || true
sleep 0.5
screen tab > "$TS_TMP/table.txt"
if "$PY" - "$TS_TMP/table.txt" "$TS_ROOT" >"$TS_TMP/table.out" 2>&1 <<'PYEOF'
import sys, h5py, numpy as np
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
root = sys.argv[2]
head = [i for i, l in enumerate(lines) if l.startswith(" At cursor")]
if not head:
    print("no table"); sys.exit(1)
h = head[0]
metrics = lines[h].split()[3:]          # " At cursor  step  m1 m2 ..."
rows = {}
for l in lines[h + 1:]:
    t = l.split()
    if len(t) < 3 or t[0] not in ("●", "*"):
        break
    name, step, cells = t[1], int(t[2]), []
    for tok in t[3:]:
        if tok.startswith("@") and cells:
            cells[-1] = (cells[-1][0], int(tok[1:]))
        else:
            cells.append((tok, None))
    rows[name] = (step, cells)
bad = []
if sorted(rows) != ["grok-seed0", "grok-seed1", "grok-seed2"]:
    bad.append("rows: %s" % sorted(rows))
if "eval/acc" not in metrics or "train/loss" not in metrics:
    bad.append("columns: %s" % metrics)
best = {}
for name, (step, cells) in rows.items():
    if len(cells) != len(metrics):
        bad.append("%s: %d cells for %d metrics" % (name, len(cells), len(metrics)))
        continue
    with h5py.File("%s/sample-runs/%s.h5" % (root, name), "r") as f:
        for m, (text, at) in zip(metrics, cells):
            stream, metric = m.split("/")
            st = f["scalars/%s/step" % stream][:]
            v = f["scalars/%s/%s" % (stream, metric)][:]
            # the logged step nearest the row's step (a tie: the earlier)
            d = np.abs(st.astype(np.int64) - step)
            i = int(np.argmin(d))
            want_step = int(st[i])
            got_step = at if at is not None else step
            if got_step != want_step:
                bad.append("%s %s: step %d, nearest logged %d" % (name, m, got_step, want_step))
            if np.float32(float(text)) != np.float32(v[i]):
                bad.append("%s %s at %d: %s != %r" % (name, m, want_step, text, np.float32(v[i])))
            best.setdefault(m, []).append((float(text), name))
print("step", rows.get("grok-seed0", ("?",))[0], "metrics", metrics)
print("\n".join(bad))
sys.exit(1 if bad else 0)
PYEOF
then ok "readout table: every run's exact logged value of every shown metric at its nearest logged step ($(head -1 "$TS_TMP/table.out"))"
else bad "readout table" "$(cat "$TS_TMP/table.out")"; fi
# the best row names the run with the lowest train/loss there
if "$PY" - "$TS_TMP/table.txt" >"$TS_TMP/best.out" 2>&1 <<'PYEOF'
import sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
h = [i for i, l in enumerate(lines) if l.startswith(" At cursor")][0]
metrics = lines[h].split()[3:]
k = metrics.index("train/loss")
vals = {}
bestline = None
for l in lines[h + 1:]:
    t = l.split()
    if t and t[0] == "●":
        cells = [x for x in t[3:] if not x.startswith("@")]
        vals[t[1]] = float(cells[k])
    elif t and t[0] == "best":
        bestline = t[1:]
        break
want = min(vals, key=vals.get)
print("best", bestline, "want", want)
sys.exit(0 if bestline and bestline[k].startswith(want) else 1)
PYEOF
then ok "readout table: the best train/loss run is named ($(cat "$TS_TMP/best.out"))"
else bad "best row" "$(cat "$TS_TMP/best.out")"; fi
T send-keys -t tab q

# ---- a run still being written: the live marker (follow mode) ----
livedir="$TS_TMP/livedir"
mkdir -p "$livedir"
cp "${RUNS[0]}" "$livedir/"
live="$livedir/live.h5"
"$PY" - "$live" > "$TS_TMP/live.log" 2>&1 <<'PYEOF' &
import h5py, sys, time
path = sys.argv[1]
f = h5py.File(path, "w", libver="latest")
f.attrs["trajscope_format"] = 1
f.attrs["run_name"] = "live"
g = f.create_group("scalars/train")
loss = g.create_dataset("loss", (0,), maxshape=(None,), dtype="f8", chunks=(64,))
step = g.create_dataset("step", (0,), maxshape=(None,), dtype="i8", chunks=(64,))
f.swmr_mode = True
def add(i):  # metric column first, step last (docs/FORMAT.md)
    n = step.shape[0]
    loss.resize((n + 1,)); loss[n] = 1.0 / (i + 1); loss.flush()
    step.resize((n + 1,)); step[n] = i; step.flush()
for i in range(20):
    add(i)
open(path + ".ready", "w").close()
for i in range(20, 400):
    add(i)
    time.sleep(0.02)
f.close()
PYEOF
writer=$!
for ((i = 0; i < 100; i++)); do [ -f "$live.ready" ] && break; sleep 0.1; done
if [ -f "$live.ready" ]; then
    start live 160 40 --follow "$livedir"
    if wait_for live '^ [●○] live +.* live$' 100; then ok "follow: the growing run is marked live"; else bad "live marker" "$(screen live | grep -E '^ [●○] ')"; fi
    screen live | grep -P '^ [●○] grok-seed0 ' | grep -q ' live$' && bad "live marker" "the finished run is marked live too" || ok "the finished run is not marked live"
    wait "$writer" 2>/dev/null
    if wait_for live '^ [●○] live +(?!.* live$)' 100; then ok "the marker goes when the file stops growing"; else bad "live marker stays" "$(screen live | grep -E '^ [●○] live')"; fi
    T send-keys -t live q
else
    bad "live marker" "the SWMR writer did not start: $(cat "$TS_TMP/live.log")"
    wait "$writer" 2>/dev/null
fi

finish
