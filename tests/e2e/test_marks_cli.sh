#!/bin/bash
# test_marks_cli.sh - `trajscope mark` and `trajscope export` end to end:
# labels exact in files and sanitized on screen, usage and data errors,
# statistics recomputed with numpy, samples, archives per interval, the
# archive's /marks group, a corrupt sidecar left untouched, the fallback
# folder for read-only runs.
set -u
. "$(dirname "$0")/lib.sh"

PY=$(find_h5py_python) || { skip all "no python3 with h5py (apt-get install python3-h5py)"; finish; exit; }
B=$TS_BIN
quiet() { "$@" >/dev/null; }
d="$TS_TMP/cli"
mkdir -p "$d"
run="$d/run.h5"
side="$run.marks.json"
"$PY" - "$run" <<'PYEOF'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f.attrs["trajscope_format"] = 1
    f.attrs["run_name"] = "cli-run"
    f.attrs["lr"] = 0.001
    t = f.create_group("scalars/train")
    s = np.arange(0, 101, 10, dtype=np.int64)
    loss = (s / 10.0) ** 2
    loss[3] = np.nan
    t.create_dataset("step", data=s)
    t.create_dataset("loss", data=loss)
    t.create_dataset("acc", data=(s / 40.0).astype(np.float32))
    t.create_dataset("wall_time", data=1000.0 + 2.0 * s)
    e = f.create_group("scalars/eval")
    e.create_dataset("step", data=np.array([0, 50, 100], dtype=np.int64))
    e.create_dataset("acc", data=np.array([0.1, 0.5, 0.9]))
PYEOF
[ -s "$run" ] || { bad fixture "h5py did not write $run"; finish; exit; }

L1=$(printf 'p20 "q",comma\n\033[31mred\033[0m \xc3\xa9')
export L1

# ---- mark add / list / label / rm ----
out=$("$B" mark "$run" add --step 20 --label "$L1"); rc=$?
check "add point exits 0" test "$rc" -eq 0
check "add prints the id" test "$out" = "added mark 1"
out=$("$B" mark "$run" add --from 40 --to 10 --label iv --metric train/loss)
check "add interval (ends swapped)" test "$out" = "added mark 2"
"$B" mark "$run" add --step 60 --label sixty >/dev/null
check "sidecar written next to the run" test -s "$side"
if "$PY" - "$side" <<'PYEOF'
import json, os, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
assert doc["trajscope_marks"] == 1
m = {x["id"]: x for x in doc["marks"]}
assert m[1]["label"] == os.environ["L1"], repr(m[1]["label"])
assert m[1]["kind"] == "point" and m[1]["start_step"] == 20 == m[1]["end_step"]
assert m[2]["kind"] == "interval" and (m[2]["start_step"], m[2]["end_step"]) == (10, 40)
assert m[2]["metric"] == "train/loss" and m[2]["run"] == "*" and m[2]["source"] == "manual"
assert m[1]["created"].endswith("Z") and len(m[1]["created"]) == 20
import re
text = open(sys.argv[1], encoding="utf-8").read()
text = re.sub(r"\\u([0-9A-F]{4})", lambda m: "\\u" + m.group(1).lower(), text)  # jansson: \u001B
assert text == json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n", "not sorted/indented"
PYEOF
then ok "file: labels exact, sorted keys, indent 2"; else bad "file content" "see above"; fi

list=$("$B" mark "$run" list); rc=$?
check "list exits 0" test "$rc" -eq 0
if printf '%s' "$list" | grep -q $'\033'; then bad "list sanitized" "ESC reached stdout"; else ok "list: no ESC on screen"; fi
check "list: label on one line, controls replaced" grep -q 'p20 "q",comma??\[31mred?\[0m é' <<<"$list"
check "list: 3 marks + 2 header lines" test "$(printf '%s\n' "$list" | wc -l)" -eq 5
"$B" mark "$run" list --json > "$d/list.json"
if "$PY" - "$d/list.json" "$side" <<'PYEOF'
import json, os, sys
raw = open(sys.argv[1], "rb").read()
assert all(b < 0x80 for b in raw), "list --json is not ASCII-escaped"
doc = json.loads(raw)
assert doc["file"] == sys.argv[2], doc["file"]
assert [m["label"] for m in doc["marks"]] == ["iv", os.environ["L1"], "sixty"]
PYEOF
then ok "list --json: exact labels, ASCII on screen"; else bad "list --json" "see above"; fi

check "label ID TEXT" quiet "$B" mark "$run" label 3 "p60"
check "label changed in the file" grep -q '"label": "p60"' "$side"
check "rm ID" quiet "$B" mark "$run" rm 3
cp "$side" "$d/before"
"$B" mark "$run" rm 3 2>"$d/err"; rc=$?
check "rm of a missing id exits 2" test "$rc" -eq 2
check "rm of a missing id names it" grep -q "no mark with id 3" "$d/err"
check "failed rm leaves the file alone" cmp -s "$side" "$d/before"
"$B" mark "$run" add --step 60 --label p60 >/dev/null   # id 4: ids are not reused
check "ids not reused" grep -q '"id": 4' "$side"

usage() { # NAME ARGS...: expects exit 1 and an unchanged file
    local name=$1; shift
    cp "$side" "$d/before"
    "$B" "$@" >/dev/null 2>&1; local rc=$?
    if [ "$rc" -eq 1 ] && cmp -s "$side" "$d/before"; then ok "usage: $name"; else bad "usage: $name" "exit $rc"; fi
}
usage "add without a step" mark "$run" add --label x
usage "add with a bad step" mark "$run" add --step 1e3
usage "add with --step and --from" mark "$run" add --step 1 --from 2 --to 3
usage "add with --from only" mark "$run" add --from 2
usage "invalid UTF-8 label" mark "$run" add --step 1 --label $'\xff\xfe'
usage "unknown action" mark "$run" frobnicate
usage "mark without action" mark "$run"
usage "rm without id" mark "$run" rm
usage "export unknown format" export "$run" --format xml
usage "export h5 without -o" export "$run" --format h5
usage "export --into-archive with -o" export "$run" --into-archive -o x.h5
"$B" mark "$run" add --step 1 --metric no/such >/dev/null 2>&1; rc=$?
check "add on an unknown metric exits 2" test "$rc" -eq 2
"$B" mark "$d/missing.h5" list >/dev/null 2>&1; rc=$?
check "list on a missing run exits 2" test "$rc" -eq 2
"$B" help mark | grep -q "usage: trajscope mark"; check "help mark" test "$?" -eq 0
"$B" help export | grep -q "usage: trajscope export"; check "help export" test "$?" -eq 0

# ---- export: statistics recomputed with numpy ----
"$B" export "$run" > "$d/stats.csv"; rc=$?
check "export csv exits 0" test "$rc" -eq 0
"$B" export "$run" --format json > "$d/stats.json"; rc=$?
check "export json exits 0" test "$rc" -eq 0
if "$PY" - "$run" "$d/stats.csv" "$d/stats.json" <<'PYEOF'
import csv, json, math, os, sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
def series(name):
    stream, metric = name.split("/", 1)
    g = f["scalars/" + stream]
    w = g["wall_time"][()] if "wall_time" in g else None
    return g["step"][()], g[metric][()].astype(np.float64), w
def expect(name, a, b, incl):
    s, v, w = series(name)
    inside = (s >= a) & ((s <= b) if incl else (s < b))
    fin = inside & np.isfinite(v)
    x, y = s[fin].astype(np.float64), v[fin]
    e = {"n_points": int(fin.sum()), "n_nonfinite": int((inside & ~np.isfinite(v)).sum())}
    if fin.any():
        e.update(start_value=y[0], end_value=y[-1], change=y[-1] - y[0], mean=y.mean(), min=y.min(), max=y.max())
    e["slope"] = np.polyfit(x, y, 1)[0] if fin.sum() >= 2 else None
    if w is not None and inside.any():
        e["start_wall_time"], e["end_wall_time"] = w[inside][0], w[inside][-1]
    return e
def close(got, want):
    if want is None:
        return got is None or got == "" or (isinstance(got, float) and math.isnan(got))
    return abs(float(got) - float(want)) <= 1e-9 * max(1.0, abs(float(want)))
want_spans = [("lead", 0, 20, False, ""), ("interval", 10, 40, True, "iv"),
              ("phase", 20, 60, False, os.environ["L1"]), ("phase", 60, 100, True, "p60")]
rows = list(csv.DictReader(open(sys.argv[2], newline="", encoding="utf-8")))
assert len(rows) == 4 * 3, len(rows)
spans = []
for r in rows:
    key = (r["kind"], int(r["start_step"]), int(r["end_step"]), r["end_inclusive"] == "true", r["label"])
    if key not in spans: spans.append(key)
    e = expect(r["metric"], key[1], key[2], key[3])
    for k, v in e.items():
        assert close(r[k], v), (r["interval"], r["metric"], k, r[k], v)
    if "start_wall_time" not in e: assert r["start_wall_time"] == "", r
assert spans == want_spans, spans
doc = json.load(open(sys.argv[3]))
iv = doc["runs"][0]["intervals"]
assert [(s["kind"], s["start_step"], s["end_step"], s["end_inclusive"], s["label"]) for s in iv] == want_spans
for s in iv:
    for m in s["metrics"]:
        for k, v in expect(m["metric"], s["start_step"], s["end_step"], s["end_inclusive"]).items():
            assert close(m[k], v), (s["interval"], m["metric"], k, m[k], v)
        # CSV and JSON carry the same doubles.
        r = [r for r in rows if int(r["interval"]) == s["interval"] and r["metric"] == m["metric"]][0]
        for k in ("mean", "slope", "min", "max"):
            if m[k] is not None: assert float(r[k]) == m[k], (k, r[k], m[k])
PYEOF
then ok "csv and json statistics match numpy (NaN excluded, phases as documented)"; else bad "statistics" "see above"; fi

# --with-data: every sample inside each interval, non-finite kept.
"$B" export "$run" --with-data --metric train/loss > "$d/data.csv"
if "$PY" - "$run" "$d/data.csv" <<'PYEOF'
import csv, sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
s, v = f["scalars/train/step"][()], f["scalars/train/loss"][()]
rows = list(csv.DictReader(open(sys.argv[2], newline="", encoding="utf-8")))
assert list(rows[0].keys()) == ["run", "interval", "label", "metric", "step", "value"]
spans = {1: (0, 20, False), 2: (10, 40, True), 3: (20, 60, False), 4: (60, 100, True)}
for k, (a, b, incl) in spans.items():
    got = [(int(r["step"]), float(r["value"])) for r in rows if int(r["interval"]) == k]
    inside = (s >= a) & ((s <= b) if incl else (s < b))
    want = list(zip(s[inside].tolist(), v[inside].tolist()))
    assert len(got) == len(want), (k, got, want)
    for (gs, gv), (ws, wv) in zip(got, want):
        assert gs == ws and (gv == wv or (np.isnan(gv) and np.isnan(wv))), (k, gs, gv, ws, wv)
assert all(r["run"] == "cli-run" and r["metric"] == "train/loss" for r in rows)
PYEOF
then ok "--with-data csv holds exactly the samples inside each interval"; else bad "--with-data csv" "see above"; fi

# -o: atomic, same bytes as stdout; on error nothing written.
"$B" export "$run" -o "$d/out.csv"; rc=$?
check "export -o exits 0" test "$rc" -eq 0
check "export -o writes what stdout gets" cmp -s "$d/out.csv" "$d/stats.csv"
"$B" export "$run" --format json -o "$d/out.json"
check "-o with --format json" cmp -s "$d/out.json" "$d/stats.json"
"$B" export "$run" -o "$d/auto.json"
check "format from the -o extension" cmp -s "$d/auto.json" "$d/stats.json"
cp "$d/out.csv" "$d/before"
"$B" export "$run" --metric no/such -o "$d/out.csv" 2>"$d/err"; rc=$?
check "unknown metric exits 2" test "$rc" -eq 2
check "unknown metric named" grep -q "no/such" "$d/err"
check "failed export leaves -o untouched" cmp -s "$d/out.csv" "$d/before"
"$B" export "$run" --metric no/such -o "$d/never.csv" 2>/dev/null
check "failed export creates no file" test ! -e "$d/never.csv"
"$B" export "$run" "$d/missing.h5" -o "$d/never.csv" 2>/dev/null; rc=$?
check "a missing run among several: exit 2, no file" test "$rc" -eq 2 -a ! -e "$d/never.csv"
check "no temporary files left" test "$(find "$d" -name '*.tmp-*' | wc -l)" -eq 0

# ---- archives, one per interval ----
"$B" export "$run" --with-data --format h5 -o "$d/slices/" > "$d/slices.out"; rc=$?
check "export h5 to a folder exits 0" test "$rc" -eq 0
check "four archives" test "$(ls "$d/slices" | wc -l)" -eq 4
if "$PY" - "$run" "$d/slices" <<'PYEOF'
import glob, sys, h5py, numpy as np
src = h5py.File(sys.argv[1], "r")
files = sorted(glob.glob(sys.argv[2] + "/*.h5"))
iv = [p for p in files if p.endswith("-02-iv.h5")][0]
with h5py.File(iv, "r") as f:
    assert f.attrs["trajscope_format"] == 1
    name = f.attrs["run_name"]
    name = name.decode() if isinstance(name, bytes) else name
    assert name == "cli-run [iv 10..40]", name
    s = f["scalars/train/step"][()]
    assert s.tolist() == [10, 20, 30, 40], s
    v = f["scalars/train/loss"][()]
    w = src["scalars/train/loss"][()][1:5]
    assert np.array_equal(np.isnan(v), np.isnan(w)) and np.array_equal(v[~np.isnan(v)], w[~np.isnan(w)])
    assert f["scalars/train/acc"].dtype == np.float32
    assert f["scalars/eval/step"].shape == (0,)
PYEOF
then ok "slice archive: run name, samples, dtypes"; else bad "slice archive" "see above"; fi
if "$B" help info >/dev/null 2>&1; then
    for f in "$d"/slices/*.h5; do
        "$B" info "$f" > "$d/info.out" 2>&1 || { bad "info on $(basename "$f")" "exit $?"; continue; }
        grep -q "run cli-run \[" "$d/info.out" && ok "info shows $(basename "$f") as a run" ||
            bad "info on $(basename "$f")" "$(head -3 "$d/info.out")"
    done
else
    skip "info on slices" "the info command is not built in"
fi
"$B" export "$run" --with-data --format h5 -o "$d/one.h5" 2>"$d/err"; rc=$?
check "four intervals into one file: exit 2" test "$rc" -eq 2 -a ! -e "$d/one.h5"
"$B" export "$run" --format h5 --mark 4 -o "$d/one.h5" >/dev/null; rc=$?
check "one interval into one file" test "$rc" -eq 0 -a -s "$d/one.h5"

# ---- marks into the archive's /marks ----
"$PY" -c 'import h5py,sys; print(h5py.File(sys.argv[1],"r")["scalars/train/loss"][()].tobytes().hex())' "$run" > "$d/data.before"
"$B" export "$run" --format h5 --into-archive > "$d/into.out"; rc=$?
check "--into-archive exits 0" test "$rc" -eq 0
if "$PY" - "$run" <<'PYEOF'
import os, sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    g = f["marks"]
    assert g.attrs["trajscope_marks"] == 1
    lab = [x.decode() if isinstance(x, bytes) else x for x in g["label"][()]]
    assert sorted(lab) == sorted(["iv", os.environ["L1"], "p60"]), lab
    assert sorted(g["id"][()].tolist()) == [1, 2, 4]
PYEOF
then ok "/marks holds the marks, labels exact"; else bad "/marks" "see above"; fi
"$PY" -c 'import h5py,sys; print(h5py.File(sys.argv[1],"r")["scalars/train/loss"][()].tobytes().hex())' "$run" > "$d/data.after"
check "the archive's data is unchanged" cmp -s "$d/data.before" "$d/data.after"
"$B" export "$d/stats.csv" --into-archive >/dev/null 2>&1; rc=$?
check "--into-archive on a non-archive fails" test "$rc" -ne 0

# ---- a corrupt sidecar: reported with its line, left untouched ----
printf '{\n  "trajscope_marks": 1,\n  "marks": [ {"id": 1 "kind": "point"} ]\n}\n' > "$side"
cp "$side" "$d/corrupt"
"$B" mark "$run" list > /dev/null 2>"$d/err"; rc=$?
check "corrupt sidecar: list exits 2" test "$rc" -eq 2
check "corrupt sidecar: error has file:line:column" grep -q "run.h5.marks.json:3:[0-9]*:" "$d/err"
"$B" mark "$run" add --step 5 >/dev/null 2>&1; rc=$?
check "corrupt sidecar: add exits 2" test "$rc" -eq 2
"$B" export "$run" -o "$d/never.csv" 2>/dev/null; rc=$?
check "corrupt sidecar: export exits 2, writes nothing" test "$rc" -eq 2 -a ! -e "$d/never.csv"
check "corrupt sidecar left byte for byte" cmp -s "$side" "$d/corrupt"
if "$B" help info >/dev/null 2>&1; then
    check "the run still opens (info)" quiet "$B" info "$run"
else
    skip "the run still opens (info)" "the info command is not built in"
fi
"$B" mark "$run" quarantine > "$d/q.out"; rc=$?
check "quarantine exits 0" test "$rc" -eq 0
check "quarantine keeps the bytes in .bad" cmp -s "$side.bad" "$d/corrupt"
check "quarantine moved the file" test ! -e "$side"
# Without a sidecar the archive's /marks are used.
"$B" mark "$run" list > "$d/list2" 2>&1
check "marks come from run.h5:/marks now" grep -q "run.h5:/marks" "$d/list2"
"$B" mark "$run" add --step 70 --label new >/dev/null
check "add works again after quarantine" grep -q '"label": "new"' "$side"

# ---- a read-only folder: the fallback ----
# chmod 555 when that stops us; as root (CI) it does not, so use the
# immutable attribute (chattr +i stops root too), removed again on exit.
ro="$d/ro"
mkdir -p "$ro"
cp "$run" "$ro/run.h5"
chmod 555 "$ro"
how="chmod 555"
if touch "$ro/probe" 2>/dev/null; then
    rm -f "$ro/probe"
    how=""
    if command -v chattr >/dev/null 2>&1 && chattr +i "$ro" 2>/dev/null; then
        trap 'chattr -i "$ro" 2>/dev/null' EXIT
        if touch "$ro/probe" 2>/dev/null; then rm -f "$ro/probe"; chattr -i "$ro"; else how="chattr +i"; fi
    fi
fi
if [ -z "$how" ]; then
    skip "read-only folder" "cannot make a folder unwritable here (root, no chattr +i); the unit test covers the fallback via /sys"
else
    export XDG_DATA_HOME="$d/xdg"
    "$B" mark "$ro/run.h5" add --step 3 --label ro > /dev/null 2>"$d/err"; rc=$?
    check "read-only folder ($how): add exits 0" test "$rc" -eq 0
    check "read-only folder: says where" grep -q "marks saved in $d/xdg/trajscope/marks/run.h5-" "$d/err"
    check "read-only folder: nothing written next to the run" test ! -e "$ro/run.h5.marks.json"
    check "read-only folder: list finds it" grep -q " ro$" <("$B" mark "$ro/run.h5" list)
    "$B" mark "$ro/run.h5" label 1 "ro2" > /dev/null 2>&1
    check "read-only folder: changes go there too" grep -q " ro2$" <("$B" mark "$ro/run.h5" list)
    "$B" export "$ro/run.h5" --marks-only > "$d/ro.csv"
    check "read-only folder: export finds the marks" grep -q ",ro2," "$d/ro.csv"
    unset XDG_DATA_HOME
    [ "$how" = "chattr +i" ] && chattr -i "$ro"
fi
chmod 755 "$ro"

# ---- CSV on a terminal is sanitized ----
if command -v script >/dev/null 2>&1; then
    script -qec "$(printf '%q ' "$B" export "$run")" /dev/null > "$d/tty.out" 2>&1
    if grep -q "cli-run" "$d/tty.out"; then
        if grep -q $'\033\[31m' "$d/tty.out"; then bad "csv on a tty" "ESC reached the terminal"; else ok "csv on a tty: labels sanitized"; fi
    else
        skip "csv on a tty" "script(1) gave no output here"
    fi
else
    skip "csv on a tty" "no script(1)"
fi
finish
