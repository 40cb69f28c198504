#!/bin/bash
# test_marks_crash.sh - `trajscope mark FILE add` killed with SIGKILL at random
# moments: after every kill the marks file must be valid JSON holding every
# mark whose `add` had completed (exit status 0 seen), with exact labels.
# Bounded: at most ITERATIONS kills or ~30 s of killing, whichever comes first.
set -u
. "$(dirname "$0")/lib.sh"

ITERATIONS=${TS_CRASH_ITERATIONS:-150}
PY=$(find_h5py_python) || { skip all "no python3 with h5py (apt-get install python3-h5py)"; finish; exit; }

dir="$TS_TMP/crash"
mkdir -p "$dir"
run="$dir/run.h5"
side="$run.marks.json"
"$PY" - "$run" <<'PYEOF'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    f.attrs["trajscope_format"] = 1
    f.attrs["run_name"] = "crash"
    g = f.create_group("scalars/train")
    s = np.arange(0, 1000, dtype=np.int64)
    g.create_dataset("step", data=s)
    g.create_dataset("loss", data=np.exp(-s / 300.0))
PYEOF
[ -s "$run" ] || { bad fixture "h5py did not write $run"; finish; exit; }

# One long-lived validator (python starts slowly on a busy machine): each
# request "PATH<TAB>N<TAB>i,j,k" checks PATH is a valid marks file, that the
# labels of adds i, j, k (completed) are present exactly, and answers
# "ok <count>" or "bad <why>".
coproc VALIDATOR { "$PY" -u -c '
import json, re, sys
def label(i):
    return "m%d \"q\" \x1b[31m\n\\ \u00e9" % i
for line in sys.stdin:
    path, _, want = line.rstrip("\n").split("\t")
    try:
        with open(path, "rb") as f:
            raw = f.read()
        doc = json.loads(raw.decode("utf-8"))
        assert doc.get("trajscope_marks") == 1, "no version field"
        labels = [m["label"] for m in doc["marks"]]
        ids = [m["id"] for m in doc["marks"]]
        assert len(ids) == len(set(ids)), "duplicate ids"
        have = set(labels)
        missing = [i for i in want.split(",") if i and label(int(i)) not in have]
        assert not missing, "completed adds missing: %s" % missing
        for l in labels:  # nothing else, nothing mangled
            m = re.match(r"m([0-9]+) ", l)
            assert m and l == label(int(m.group(1))), "odd label %r" % l
        print("ok %d" % len(labels))
    except Exception as e:
        print("bad %s: %s" % (type(e).__name__, e))
' ; }

validate() { # path, completed-list -> sets $answer
    printf '%s\tx\t%s\n' "$1" "$2" >&"${VALIDATOR[1]}"
    IFS= read -r answer <&"${VALIDATOR[0]}"
}

# How long one add takes here (busy machines are slow): kill moments are
# spread uniformly over 0..1.2x that, so most adds die somewhere inside,
# some finish.
t0=$(date +%s%N)
for k in 1 2 3; do "$TS_BIN" mark "$run" list >/dev/null 2>&1; done
"$TS_BIN" mark "$run" add --step 0 --label "$(printf 'm%d "q" \033[31m\n\\ \xc3\xa9' 0)" >/dev/null ||
    { bad setup "a plain add failed"; finish; exit; }
t1=$(date +%s%N)
span_ms=$(( (t1 - t0) / 4000000 * 12 / 10 + 1 ))
echo "  one command takes ~$(( (t1 - t0) / 4000000 )) ms; killing within 0..$span_ms ms"

completed=",0"
n_completed=0 n_killed=0 n_checks=0 n_adds=0 broken=""
start=$SECONDS
for ((i = 1; i <= ITERATIONS; i++)); do
    [ $((SECONDS - start)) -ge 30 ] && break
    label=$(printf 'm%d "q" \033[31m\n\\ \xc3\xa9' "$i")
    "$TS_BIN" mark "$run" add --step "$i" --label "$label" >/dev/null 2>&1 &
    pid=$!
    n_adds=$((n_adds + 1))
    # A random moment within the command's lifetime (it takes tens of ms).
    ms=$((RANDOM % span_ms))
    sleep "$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))"
    kill -9 "$pid" 2>/dev/null
    { wait "$pid"; } 2>/dev/null
    rc=$?
    if [ "$rc" -eq 0 ]; then
        completed="$completed,$i"
        n_completed=$((n_completed + 1))
    else
        n_killed=$((n_killed + 1))
    fi
    if [ -e "$side" ]; then
        validate "$side" "$completed"
        n_checks=$((n_checks + 1))
        case "$answer" in
            ok*) ;;
            *) broken="after add $i (rc $rc): $answer"; cp "$side" "$TS_TMP/broken.json"; break ;;
        esac
    elif [ "$n_completed" -gt 0 ]; then
        broken="after add $i: marks file missing although $n_completed adds completed"
        break
    fi
done
echo "  $n_adds adds: $n_completed completed, $n_killed killed, $n_checks files checked"
if [ -z "$broken" ]; then ok "marks file valid and complete after every kill"; else bad "crash safety" "$broken"; fi

# The loop must have exercised both outcomes, or it proved nothing.
if [ "$n_killed" -gt 0 ] && [ "$n_completed" -gt 0 ]; then
    ok "both killed and completed adds happened"
else
    bad "kill timing" "$n_killed killed, $n_completed completed (timing never hit the command)"
fi

# One more add, uninterrupted: it succeeds and removes the temporaries of
# the killed writers.
final=$(printf 'm%d "q" \033[31m\n\\ \xc3\xa9' 99999)
if "$TS_BIN" mark "$run" add --step 99999 --label "$final" >/dev/null; then
    ok "add after the kills"
else
    bad "add after the kills" "exit $?"
fi
validate "$side" "$completed,99999"
case "$answer" in ok*) ok "final file holds every completed add ($answer)" ;; *) bad "final file" "$answer" ;; esac
left=$(find "$dir" -name 'run.h5.marks.json.tmp-*' | wc -l)
check "no temporary files left ($left)" test "$left" -eq 0

# Labels: exact in the file (checked above), sanitized on screen.
out=$("$TS_BIN" mark "$run" list)
if printf '%s' "$out" | grep -q $'\033'; then bad "list sanitizes" "ESC reached stdout"; else ok "list output has no ESC"; fi
lines=$(printf '%s\n' "$out" | grep -c 'm99999')
check "each label stays on one line" test "$lines" -eq 1

eval "exec ${VALIDATOR[1]}>&-"
wait "$VALIDATOR_PID" 2>/dev/null
finish
