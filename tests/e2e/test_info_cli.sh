#!/bin/bash
# test_info_cli.sh - `trajscope info`: text and --json against the data,
# bad input, control characters in names.
set -u
. "$(dirname "$0")/lib.sh"

PY=$(find_h5py_python) || { skip all "no python3 with h5py (apt-get install python3-h5py)"; finish; exit; }
arch="$TS_TMP/info.h5"
"$PY" - "$arch" <<'PYEOF'
import sys, h5py, numpy as np
rng = np.random.default_rng(7)
with h5py.File(sys.argv[1], "w") as f:
    f.attrs["trajscope_format"] = 1
    f.attrs["run_name"] = "info\x1b[31m-test"
    f.attrs["lr"] = 0.001
    f.attrs["seed"] = np.int64(3)
    f.attrs["optimizer"] = "adamw"
    tr = f.create_group("scalars/train")
    steps = np.concatenate([np.arange(0, 500), np.arange(300, 800)]).astype(np.int64)  # one seam
    loss = rng.normal(1.0, 0.1, steps.size)
    loss[10] = np.nan; loss[20] = np.inf; loss[30] = -np.inf
    tr.create_dataset("step", data=steps, maxshape=(None,), chunks=True)
    tr.create_dataset("loss", data=loss, maxshape=(None,), chunks=True)
    tr.create_dataset("acc\x07bell", data=rng.random(steps.size).astype(np.float32), maxshape=(None,), chunks=True)
    ev = f.create_group("scalars/eval")
    ev.create_dataset("step", data=np.arange(0, 800, 100, dtype=np.int32))
    ev.create_dataset("acc", data=np.linspace(0.1, 0.9, 8))
PYEOF
[ -s "$arch" ] || { bad fixture "h5py did not write $arch"; finish; exit; }

"$TS_BIN" info --json "$arch" > "$TS_TMP/info.json"; rc=$?
check "info --json exits 0" test "$rc" -eq 0
# Every number in the JSON is recomputed from the file with numpy.
if "$PY" - "$arch" "$TS_TMP/info.json" <<'PYEOF'
import sys, json, h5py, numpy as np
doc = json.load(open(sys.argv[2]))
run = doc["runs"][0]
f = h5py.File(sys.argv[1], "r")
assert run["name"] == "info\x1b[31m-test", run["name"]
assert run["config"]["lr"] == 0.001 and run["config"]["seed"] == 3 and run["config"]["optimizer"] == "adamw", run["config"]
by = {m["name"]: m for m in run["metrics"]}
assert set(by) == {"train/loss", "train/acc\x07bell", "eval/acc"}, set(by)
for name, m in by.items():
    stream, metric = name.split("/", 1)
    g = f["scalars/" + stream]
    v = g[metric][()].astype(np.float64); s = g["step"][()]
    fin = np.isfinite(v)
    assert m["points"] == v.size, (name, m["points"])
    assert m["min"] == v[fin].min() and m["max"] == v[fin].max(), (name, m["min"], v[fin].min())
    assert m["nan"] == int(np.isnan(v).sum()) and m["posinf"] == int(np.isposinf(v).sum())
    assert m["neginf"] == int(np.isneginf(v).sum())
    assert m["step_min"] == s.min() and m["step_max"] == s.max()
    assert m["step_reversals"] == int((np.diff(s) < 0).sum()), (name, m["step_reversals"])
    last = v[-1]
    assert (m["last"] is None and not np.isfinite(last)) or m["last"] == last
assert by["train/loss"]["first_nonfinite_step"] == 10
assert by["train/loss"]["step_reversals"] == 1
assert by["eval/acc"]["dtype"] in ("float64",), by["eval/acc"]["dtype"]
assert by["train/acc\x07bell"]["dtype"] == "float32"
PYEOF
then ok "info --json numbers match numpy"; else bad "info --json numbers match numpy" "see above"; fi

text=$("$TS_BIN" info "$arch"); rc=$?
check "info text exits 0" test "$rc" -eq 0
if printf '%s' "$text" | LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]'; then
    bad "no control characters in text output" "found one"
else ok "no control characters in text output"; fi
case "$text" in *"info?[31m-test"*) ok "run name shown sanitized";; *) bad "run name shown sanitized" "$text";; esac
case "$text" in *"first non-finite at step 10"*) ok "first non-finite step reported";; *) bad "first non-finite step reported" "missing";; esac

# Bad input: one line naming the file, exit 2, nothing on stdout.
printf 'not hdf5 at all\n' > "$TS_TMP/plain.h5"
head -c 3000 "$arch" > "$TS_TMP/truncated.h5"
for f in "$TS_TMP/missing.h5" "$TS_TMP/plain.h5" "$TS_TMP/truncated.h5"; do
    err=$("$TS_BIN" info "$f" 2>&1 >/dev/null); rc=$?
    lines=$(printf '%s\n' "$err" | wc -l)
    if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && [[ "$err" == *"$f"* ]]; then
        ok "bad input $(basename "$f"): exit 2, one line naming the file"
    else
        bad "bad input $(basename "$f")" "rc=$rc lines=$lines: $err"
    fi
done
# Several files: good ones are still reported, status says one failed.
"$TS_BIN" info "$arch" "$TS_TMP/missing.h5" >/dev/null 2>&1; rc=$?
check "mixed good and bad files exit 2" test "$rc" -eq 2
"$TS_BIN" info >/dev/null 2>&1; rc=$?
check "no FILE is a usage error (exit 1)" test "$rc" -eq 1
"$TS_BIN" info --help | grep -q 'usage: trajscope info'; check "info --help" test $? -eq 0
finish
