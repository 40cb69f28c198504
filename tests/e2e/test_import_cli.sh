#!/bin/bash
# test_import_cli.sh - `trajscope import`: logs written here (CSV, JSON lines,
# TensorBoard event files framed and checksummed by python) become archives
# whose every point is checked with h5py; options, exit codes, no overwrite.
set -u
. "$(dirname "$0")/lib.sh"

PY=$(find_h5py_python) || { skip all "no python3 with h5py (apt-get install python3-h5py)"; finish; exit; }
T="$TS_TMP/import"
mkdir -p "$T"

# ---- fixtures ----
"$PY" - "$T" <<'PYEOF'
import os, struct, sys
T = sys.argv[1]

def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF

def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF

def varint(n):
    n &= (1 << 64) - 1
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])

def field(num, wire, payload):
    key = varint((num << 3) | wire)
    if wire == 2:
        return key + varint(len(payload)) + payload
    return key + payload

def event(wall, step, tag=None, value=None, session_start=False):
    e = field(1, 1, struct.pack("<d", wall)) + field(2, 0, varint(step))
    if tag is not None:
        v = field(1, 2, tag.encode()) + field(2, 5, struct.pack("<f", value))
        e += field(5, 2, field(1, 2, v))
    if session_start:
        e += field(7, 2, field(1, 0, varint(1)))
    return e

def record(payload):
    head = struct.pack("<Q", len(payload))
    return head + struct.pack("<I", masked(head)) + payload + struct.pack("<I", masked(payload))

# A TensorBoard run: train/loss and train/acc logged together, eval/acc
# at other steps; a restart (steps go back) in a second file.
os.makedirs(f"{T}/tb/run1", exist_ok=True)
with open(f"{T}/tb/run1/events.out.tfevents.1700000000.host.1.0", "wb") as f:
    f.write(record(field(1, 1, struct.pack("<d", 1700000000.0)) + field(3, 2, b"brain.Event:2")))
    for i in range(100):
        f.write(record(event(1700000001.0 + i, i, "train/loss", 1.0 / (i + 1))))
        f.write(record(event(1700000001.0 + i + 0.001, i, "train/acc", i / 100.0)))
        if i % 10 == 9:
            f.write(record(event(1700000001.5 + i, i, "eval/acc", 0.1 * (i // 10))))
with open(f"{T}/tb/run1/events.out.tfevents.1700000500.host.1.0", "wb") as f:
    f.write(record(event(1700000600.0, 50, session_start=True)))
    for i in range(50, 60):
        f.write(record(event(1700000601.0 + i, i, "train/loss", 5.0 + i)))
# A second run in the same folder tree, and an LFS pointer.
os.makedirs(f"{T}/tb/run2", exist_ok=True)
with open(f"{T}/tb/run2/events.out.tfevents.1700000000.host.2.0", "wb") as f:
    f.write(record(event(1.0, 7, "loss", 0.25)))
os.makedirs(f"{T}/lfs", exist_ok=True)
with open(f"{T}/lfs/events.out.tfevents.1.host", "w") as f:
    f.write("version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 10\n")
PYEOF

printf 'epoch,step,train_loss,val_loss\n0,49,2.5,\n0,99,2.0,\n0,99,,1.75\n1,149,1.5,\n1,199,,1.0\n' > "$T/metrics.csv"
printf '{"iteration": 19, "loss": 1.5, "lr": 0.1}\n{"iteration": 39, "loss": NaN, "lr": 0.2}\n{"iteration": 39, "bbox/AP": 30.5}\n' > "$T/metrics.json"

# ---- usage ----
"$TS_BIN" import --help > "$T/help.txt"; rc=$?
check "--help exits 0" test "$rc" -eq 0
check "--help shows usage" grep -q "usage: trajscope import SRC... -o OUT" "$T/help.txt"
"$TS_BIN" import "$T/metrics.csv" > /dev/null 2>&1; rc=$?
check "no -o is a usage error (1)" test "$rc" -eq 1
"$TS_BIN" import --bogus "$T/metrics.csv" -o "$T/x.h5" > /dev/null 2>&1; rc=$?
check "unknown option is a usage error (1)" test "$rc" -eq 1
"$TS_BIN" import "$T/nope.csv" -o "$T/x.h5" 2> "$T/err.txt"; rc=$?
check "missing source exits 2" test "$rc" -eq 2
check "missing source is named" grep -q "nope.csv: no such file or directory" "$T/err.txt"

# ---- CSV ----
"$TS_BIN" import "$T/metrics.csv" -o "$T/csv.h5" > "$T/out.txt" 2>&1; rc=$?
check "CSV import exits 0" test "$rc" -eq 0
check "CSV summary line" grep -q "csv.h5: 3 metrics in 3 streams, 10 points" "$T/out.txt"
if "$PY" - "$T/csv.h5" <<'PYEOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
s = f["scalars"]
got = {}
for stream in s:
    g = s[stream]
    for m in g:
        if m in ("step", "wall_time"): continue
        got[m] = (stream, list(g["step"][()]), list(g[m][()]))
assert got["train_loss"] == ("metrics#2", [49, 99, 149], [2.5, 2.0, 1.5]) or got["train_loss"][1:] == ([49, 99, 149], [2.5, 2.0, 1.5]), got
assert got["val_loss"][1:] == ([99, 199], [1.75, 1.0]), got
assert got["epoch"][1:] == ([49, 99, 99, 149, 199], [0, 0, 0, 1, 1]), got
assert len({got[k][0] for k in got}) == 3
PYEOF
then ok "CSV points exact, one stream per step sequence"; else bad "CSV points" "h5py check failed"; fi

# No overwrite without --force; the archive is untouched.
sum1=$(md5sum < "$T/csv.h5")
"$TS_BIN" import "$T/metrics.csv" -o "$T/csv.h5" 2> "$T/err.txt" > /dev/null; rc=$?
check "existing target exits 2" test "$rc" -eq 2
check "existing target message" grep -q "csv.h5: file exists (use --force to overwrite)" "$T/err.txt"
check "existing target untouched" test "$(md5sum < "$T/csv.h5")" = "$sum1"
"$TS_BIN" import --force --step-column epoch "$T/metrics.csv" -o "$T/csv.h5" > /dev/null 2>&1; rc=$?
check "--force overwrites" test "$rc" -eq 0
if "$PY" - "$T/csv.h5" <<'PYEOF'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
steps = {}
for stream in f["scalars"]:
    g = f["scalars"][stream]
    for m in g:
        if m not in ("step", "wall_time"): steps[m] = list(g["step"][()])
assert steps["train_loss"] == [0, 0, 1] and steps["step_"] == [0, 0, 0, 1, 1], steps  # "step" is reserved: step_
PYEOF
then ok "--step-column epoch"; else bad "--step-column" "steps are not the epochs"; fi
ls "$T"/csv.h5.tmp-* > /dev/null 2>&1 && bad "no temporary files" "$(ls "$T"/csv.h5.tmp-*)" || ok "no temporary files left"

# ---- JSON lines ----
"$TS_BIN" import "$T/metrics.json" -o "$T/json.h5" > /dev/null 2>&1; rc=$?
check "JSON lines import exits 0" test "$rc" -eq 0
if "$PY" - "$T/json.h5" <<'PYEOF'
import sys, math, h5py
f = h5py.File(sys.argv[1], "r")
g = f["scalars/metrics"]
assert list(g["step"][()]) == [19, 39]
assert g["loss"][0] == 1.5 and math.isnan(g["loss"][1]) and list(g["lr"][()]) == [0.1, 0.2]
b = f["scalars/bbox"]
assert list(b["step"][()]) == [39] and b["AP"][0] == 30.5
PYEOF
then ok "JSON lines points exact (NaN kept)"; else bad "JSON lines points" "h5py check failed"; fi

# ---- TensorBoard ----
"$TS_BIN" import "$T/tb/run1" -o "$T/tb1.h5" > "$T/out.txt" 2>&1; rc=$?
check "TensorBoard import exits 0" test "$rc" -eq 0
if "$PY" - "$T/tb1.h5" <<'PYEOF'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
tr = f["scalars/train"]
acc = f["scalars/train#2"]  # acc has no points after the restart: its own stream
assert tr["loss"].dtype == np.float32 and acc["acc"].dtype == np.float32, (tr["loss"].dtype, acc["acc"].dtype)
assert list(acc["step"][()]) == list(range(100)) and acc["acc"][37] == np.float32(0.37)
assert list(f["scalars/eval/step"][()]) == list(range(9, 100, 10))
steps = list(range(100)) + list(range(50, 60))
assert list(tr["step"][()]) == steps, list(tr["step"][()])[:5]
want = [np.float32(1.0 / (i + 1)) for i in range(100)] + [np.float32(5.0 + i) for i in range(50, 60)]
assert all(a == b for a, b in zip(tr["loss"][()], want)) and len(tr["loss"]) == 110
wall = tr["wall_time"][()]
assert wall[0] == 1700000001.0 and wall[100] == 1700000651.0
PYEOF
then ok "TensorBoard float32 exact, seam kept, wall times"; else bad "TensorBoard points" "h5py check failed"; fi
check "restart files read in order" grep -q "from $T/tb/run1, tfevents" "$T/out.txt"

"$TS_BIN" import --purge-restarts "$T/tb/run1" -o "$T/tb1p.h5" > "$T/out.txt" 2>&1; rc=$?
check "--purge-restarts exits 0" test "$rc" -eq 0
check "--purge-restarts reports dropped points" grep -q "105 points dropped by --purge-restarts" "$T/out.txt"
if "$PY" - "$T/tb1p.h5" <<'PYEOF'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
loss_steps = None
for stream in f["scalars"]:
    g = f["scalars"][stream]
    if "loss" in g: loss_steps = list(g["step"][()])
assert loss_steps == list(range(60)), loss_steps
PYEOF
then ok "--purge-restarts keeps steps 0..59 once"; else bad "--purge-restarts" "wrong steps"; fi

# ---- a folder of runs -> a folder of archives ----
"$TS_BIN" import "$T/tb" -o "$T/many" > "$T/out.txt" 2>&1; rc=$?
check "folder import exits 0" test "$rc" -eq 0
check "run1 archive" test -s "$T/many/run1.h5"
check "run2 archive" test -s "$T/many/run2.h5"
"$TS_BIN" info "$T/many/run2.h5" > "$T/info.txt" 2>&1
check "imported archive reads back" grep -q "metrics/loss" "$T/info.txt"

# ---- LFS pointer ----
"$TS_BIN" import "$T/lfs" -o "$T/lfs.h5" 2> "$T/err.txt" > /dev/null; rc=$?
check "LFS pointer exits 2" test "$rc" -eq 2
check "LFS pointer explained" grep -q "Git LFS pointer, not the log itself; run git lfs pull" "$T/err.txt"
check "nothing written for a failed source" test ! -e "$T/lfs.h5"

# ---- real logs ----
if [ -n "${TS_SHARED:-}" ] && [ -d "$TS_SHARED/realruns/tb-satd-comer-lrdrops" ]; then
    src="$TS_SHARED/realruns/tb-satd-comer-lrdrops"
    "$TS_BIN" import "$src" -o "$T/satd.h5" > /dev/null 2>&1; rc=$?
    check "real TensorBoard run imports" test "$rc" -eq 0
    if "$PY" - "$T/satd.h5" "$src"/*.expected.csv <<'PYEOF'
import sys, csv, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
cols = {}
for stream in f["scalars"]:
    g = f["scalars"][stream]
    for m in g:
        if m not in ("step", "wall_time"): cols[m] = (g["step"][()], g[m][()])
rows = list(csv.reader(open(sys.argv[2])))[1:]
seen = {}
for tag, step, value in rows:
    k = seen.get(tag, 0); seen[tag] = k + 1
    s, v = cols[tag]
    assert s[k] == int(step) and v[k] == np.float32(float(value)), (tag, k)
assert all(len(cols[t][0]) == n for t, n in seen.items())
PYEOF
    then ok "real run: every scalar exact in the archive"; else bad "real run" "archive differs from expected.csv"; fi
else
    skip "real logs" "TS_SHARED not set (no ../shared/realruns)"
fi

finish
