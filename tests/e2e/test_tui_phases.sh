#!/bin/bash
# test_tui_phases.sh - change points and marks in the explorer, in a real
# terminal (tmux): marking a point and an interval, labels (UTF-8 typed in
# the prompt; control characters and quotes sanitized on screen, kept
# exactly in the sidecar), reopening, the marks panel, export, d on
# eval/acc with } { and a, detection in slices cancelled with Esc, a
# corrupt sidecar (reported with its line; moved aside only after y), the
# fallback folder for a run in a read-only folder, and marks added with
# `trajscope mark` while the explorer is open (merged into its saves, shown
# after Ctrl-L and by follow mode, never lost; u undoes only its own).
set -u
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null 2>&1 || { skip all "tmux is not installed"; finish; exit; }
JPY=/usr/bin/python3
[ -x "$JPY" ] || JPY=$(command -v python3) || { skip all "no python3 to read JSON"; finish; exit; }
ROOT=${TS_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
sample="$ROOT/sample-runs/grok-seed0.h5"
[ -f "$sample" ] || { skip all "no $sample"; finish; exit; }

SOCK="trajscope-phases-$$"
. "$(dirname "$0")/tmux.sh"
cleanup() {
    tmux_kill
    [ -n "${ro_immutable:-}" ] && chattr -i "$ro_immutable" 2>/dev/null
    return 0
}
trap cleanup EXIT
export XDG_CONFIG_HOME="$TS_TMP/xdg-config" # no user config
export XDG_DATA_HOME="$TS_TMP/xdg-data"     # the fallback folder for marks
mkdir -p "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"

status_line() { screen "$1" | tail -1; }
# wait_status SESSION REGEX: the status line (last row) matches.
wait_status() {
    local s=$1 re=$2
    for ((i = 0; i < 100; i++)); do
        status_line "$s" | grep -qE -- "$re" && return 0
        sleep 0.1
    done
    return 1
}
step_now() { status_line "$1" | sed -nE 's/^ step ([0-9]+).*/\1/p'; }
# wait_step_change SESSION OLD: waits until the readout's step differs from OLD.
wait_step_change() {
    local s=$1 old=$2 cur
    for ((i = 0; i < 100; i++)); do
        cur=$(step_now "$s")
        [ -n "$cur" ] && [ "$cur" != "$old" ] && { echo "$cur"; return 0; }
        sleep 0.1
    done
    echo "$old"
    return 1
}
# json_check FILE PYTHON-EXPR: the expression over `d` (the parsed sidecar) is true.
json_check() {
    "$JPY" - "$1" "$2" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
m = {x["id"]: x for x in d["marks"]}
sys.exit(0 if eval(sys.argv[2]) else 1)
PYEOF
}

run="$TS_TMP/grok.h5"
side="$run.marks.json"
cp "$sample" "$run"

# ---- marks: a point, an interval, a label typed in the prompt ----
start m 140 40 "$run"
if wait_for m '^ step [0-9]+'; then ok "explorer opens the copy of grok-seed0"; else bad "start" "$(screen m | tail -2)"; fi
T send-keys -t m g
s0=$(wait_step_change m none)
T send-keys -t m L L L
s1=$(wait_step_change m "$s0")
T send-keys -t m m
if wait_status m "marked step $s1: mark 1"; then ok "m marks the cursor step ($s1)"; else bad "m" "$(status_line m)"; fi
T send-keys -t m L L
s2=$(wait_step_change m "$s1")
T send-keys -t m i
wait_status m "interval starts at step $s2" && ok "i starts an interval" || bad "i (start)" "$(status_line m)"
T send-keys -t m L L
s3=$(wait_step_change m "$s2")
T send-keys -t m i
if wait_status m "marked steps $s2\.\.$s3: mark 2"; then ok "a second i ends it ($s2..$s3)"; else bad "i (end)" "$(status_line m)"; fi
T send-keys -t m e
wait_status m 'label of mark 2:' && ok "e opens the label prompt for the mark under the cursor" || bad "e" "$(status_line m)"
T send-keys -t m -l 'grok "phase" é✓'
wait_status m 'label of mark 2: grok "phase" é✓' && ok "the prompt takes UTF-8 input" || bad "prompt UTF-8" "$(status_line m)"
T send-keys -t m Enter
wait_status m 'label of mark 2 set' && ok "Enter saves the label" || bad "label saved" "$(status_line m)"
screen m | grep -q 'grok "phase" é✓' && ok "the label is drawn beside the mark" || bad "label drawn" "not on screen"
T send-keys -t m q
[ "$(wait_exit m)" = "EXIT:0" ] && ok "q quits" || bad "quit" "$(cat "$TS_TMP/m.exit" 2>/dev/null)"

if "$JPY" -m json.tool "$side" >/dev/null 2>&1; then ok "the sidecar is valid JSON (json.tool)"; else bad "sidecar JSON" "$(head -c 300 "$side" 2>&1)"; fi
json_check "$side" "len(m) == 2 and m[1]['kind'] == 'point' and m[1]['start_step'] == $s1 and m[2]['kind'] == 'interval' and m[2]['start_step'] == $s2 and m[2]['end_step'] == $s3" \
    && ok "sidecar: the point and the interval at the right steps" || bad "sidecar steps" "$(cat "$side")"
json_check "$side" "m[2]['label'] == 'grok \"phase\" \u00e9\u2713' and m[1]['source'] == 'manual'" \
    && ok "sidecar: the label's exact text" || bad "sidecar label" "$(grep label "$side")"
"$TS_BIN" mark "$run" list > "$TS_TMP/list.txt" 2>&1
grep -qE "^ +2 +interval +$s2 +$s3 .*grok \"phase\" é✓$" "$TS_TMP/list.txt" && ok "trajscope mark list sees them" || bad "mark list" "$(cat "$TS_TMP/list.txt")"

# ---- a label with control characters and quotes (written by the CLI) ----
"$TS_BIN" mark "$run" label 1 $'ctl\x1b[31mred\x07"q"' >/dev/null
start m2 140 40 "$run"
wait_for m2 '^ step [0-9]+' || bad "reopen" "$(screen m2 | tail -2)"
T send-keys -t m2 M
if wait_for m2 'Marks \(2\)'; then ok "reopened: the marks panel lists both marks"; else bad "marks panel" "$(screen m2 | head -5)"; fi
scr=$(screen m2)
echo "$scr" | grep -qE "^.*1 point +$s1  ctl\?\[31mred\?\"q\"" && ok "control characters are shown as ? (quotes kept)" || bad "sanitized label" "$(echo "$scr" | grep -a 'point' | head -2)"
echo "$scr" | grep -qE "2 interval +$s2\.\.$s3  grok \"phase\" é✓" && ok "the panel shows steps and labels" || bad "panel rows" "$(echo "$scr" | grep -a interval | head -2)"
T send-keys -t m2 j Enter
wait_status m2 "mark 2 at step $s2" && ok "Enter in the panel jumps to the mark" || bad "panel Enter" "$(status_line m2)"
[ "$(step_now m2)" = "$s2" ] && ok "the cursor is on the mark's step" || bad "jump step" "$(status_line m2)"
json_check "$side" "m[1]['label'] == 'ctl\x1b[31mred\x07\"q\"'" && ok "the sidecar keeps the control characters exactly" || bad "exact bytes" "$(grep label "$side")"

# ---- export ----
T send-keys -t m2 E
wait_status m2 'export to: .*grok-stats\.csv' && ok "E asks for a path (a default next to the run)" || bad "E prompt" "$(status_line m2)"
T send-keys -t m2 C-u
T send-keys -t m2 -l "$TS_TMP/export.csv"
T send-keys -t m2 Enter
abs=$(realpath -m "$TS_TMP/export.csv")
wait_status m2 "exported statistics over the marked spans to $abs" && ok "the status line says where it wrote" || bad "export message" "$(status_line m2)"
if [ -s "$TS_TMP/export.csv" ]; then
    head -1 "$TS_TMP/export.csv" | grep -q '^run,interval,kind,mark_id,end_mark_id,label,start_step,end_step' && ok "export: the statistics header" || bad "export header" "$(head -1 "$TS_TMP/export.csv")"
    grep -q ",interval,2,,\"grok \"\"phase\"\" é✓\",$s2,$s3,true,eval/acc," "$TS_TMP/export.csv" && ok "export: the interval's rows with its label" || bad "export rows" "$(grep -a interval "$TS_TMP/export.csv" | head -3)"
    grep -q $'ctl\x1b\\[31mred' "$TS_TMP/export.csv" && ok "export keeps the label's bytes" || bad "export bytes" "no raw label"
else
    bad "export file" "not written"
fi
T send-keys -t m2 q
wait_exit m2 >/dev/null

# ---- change points on eval/acc ----
det="$TS_TMP/det.h5"
cp "$sample" "$det"
start d 140 40 "$det"
wait_for d '^ step [0-9]+' || bad "det start" "$(screen d | tail -2)"
T send-keys -t d /
T send-keys -t d -l 'eval/acc'
T send-keys -t d Enter Enter
wait_for d '│ eval/acc ' || bad "focus eval/acc" "$(screen d | head -1)"
sleep 0.3
before=$(screen d | grep -c '┊')
T send-keys -t d d
if wait_status d 'pelt, cost mean, (most stable \()?penalty mbic.*: [0-9]+ change points? in eval/acc'; then
    ok "d: the status names method, cost and penalty"
else bad "d status" "$(status_line d)"; fi
n=$(status_line d | sed -nE 's/.*: ([0-9]+) change points? in eval\/acc.*/\1/p')
after=$(screen d | grep -c '┊')
[ "$before" -eq 0 ] && [ "$after" -gt 5 ] && ok "change points drawn as vertical markers ($after rows with markers)" || bad "markers" "before $before, after $after"
# MBIC cuts this smooth rise into a staircase of more than 10 changes; the
# explorer starts at the most stable segmentation of the path instead: the
# one grokking transition (val acc passes 50% at step 3480 in this run).
status_line d | grep -qE 'most stable \(penalty mbic=[0-9.e+]+ asks for over 10\): 1 change point in eval/acc' \
    && ok "d starts at the most stable segmentation, not MBIC's staircase" || bad "most stable" "$(status_line d)"
T send-keys -t d '{'
sleep 0.3
n2=$(status_line d | sed -nE 's/.*: ([0-9]+) change points? in eval\/acc.*/\1/p')
[ -n "$n" ] && [ -n "$n2" ] && [ "$n2" -lt "$n" ] && ok "{ shows fewer ($n -> $n2)" || bad "{" "$n -> $n2: $(status_line d)"
T send-keys -t d '}'
sleep 0.3
n3=$(status_line d | sed -nE 's/.*: ([0-9]+) change points? in eval\/acc.*/\1/p')
[ "$n3" = "$n" ] && ok "} shows more again ($n3)" || bad "}" "$n2 -> $n3"
T send-keys -t d '}' '}' '}'
sleep 0.3
n4=$(status_line d | sed -nE 's/.*: ([0-9]+) change points? in eval\/acc.*/\1/p')
[ "$n4" = 4 ] && ok "} steps along the path (4 changes)" || bad "}}}" "$(status_line d)"
T send-keys -t d a
if wait_status d 'accepted the change point at step [0-9]+: mark 1'; then ok "a accepts the nearest change point as a mark"; else bad "a" "$(status_line d)"; fi
cp_step=$(status_line d | sed -nE 's/.*change point at step ([0-9]+).*/\1/p')
T send-keys -t d M
wait_for d "1 point +$cp_step  change in eval/acc  \[detector\]" && ok "it appears in the marks panel" || bad "accepted in panel" "$(screen d | grep -a 'point' | head -2)"
T send-keys -t d M # closes the panel
json_check "$det.marks.json" "m[1]['source'].startswith('detector:pelt cost=mean penalty=mbic') and 'changes=$n4' in m[1]['source'] and m[1]['metric'] == 'eval/acc' and m[1]['start_step'] == $cp_step" \
    && ok "the mark's source names the detector and its settings" || bad "detector source" "$(grep source "$det.marks.json")"
T send-keys -t d c
wait_status d 'pelt, cost meanvar, (most stable \()?penalty mbic' && ok "c cycles the cost and detects again" || bad "c" "$(status_line d)"
T send-keys -t d C
wait_status d 'binseg, cost meanvar' && ok "C cycles the method" || bad "C" "$(status_line d)"
T send-keys -t d q
wait_exit d >/dev/null

# ---- detection runs in slices: the screen answers, Esc cancels ----
PY=$(find_h5py_python) || PY=""
if [ -n "$PY" ]; then
    ramp="$TS_TMP/ramp.h5"
    "$PY" - "$ramp" <<'PYEOF'
import sys, h5py, numpy as np
# 5000 points of a smooth ramp: PELT with the meanvar cost over CROPS takes
# about a second here (docs/DETECTION.md), long enough to watch.
with h5py.File(sys.argv[1], "w") as f:
    f.attrs["trajscope_format"] = 1
    f.attrs["run_name"] = "ramp"
    g = f.create_group("scalars/train")
    s = np.arange(5000, dtype=np.int64)
    g["step"] = s
    g["loss"] = s / 5000.0 + 0.001 * np.random.default_rng(3).standard_normal(5000)
PYEOF
    start r 120 30 "$ramp"
    wait_for r '^ step 4999' || bad "ramp start" "$(status_line r)"
    T send-keys -t r c
    wait_status r 'cost meanvar' || bad "ramp c" "$(status_line r)"
    T send-keys -t r d
    seen=0
    for ((i = 0; i < 100; i++)); do
        status_line r | grep -q 'detecting in train/loss\.\.\. [0-9]+% (Esc cancels)' && { seen=1; break; }
        status_line r | grep -qE 'detecting in train/loss' && { seen=1; break; }
        status_line r | grep -q 'change points in' && break
        sleep 0.02
    done
    if [ "$seen" = 1 ]; then
        ok "d on a slow case shows 'detecting in train/loss... (Esc cancels)'"
        T send-keys -t r h
        st=$(wait_step_change r 4999)
        if [ "$st" != 4999 ] && status_line r | grep -q 'detecting'; then
            ok "keys still work while it detects (cursor moved to $st)"
        elif [ "$st" != 4999 ]; then
            skip "responsive while detecting" "the detection ended before the check"
        else bad "responsive" "$(status_line r)"; fi
        T send-keys -t r Escape
        if wait_status r 'detection cancelled'; then ok "Esc cancels the detection"
        elif status_line r | grep -q 'change points in'; then skip "Esc cancels" "the detection ended first"
        else bad "Esc cancel" "$(status_line r)"; fi
    else
        skip "detection in slices" "finished before it could be seen: $(status_line r)"
    fi
    T send-keys -t r q
    wait_exit r >/dev/null
else
    skip "detection in slices" "no python3 with h5py to write the fixture"
fi

# ---- a corrupt sidecar: reported with its line, left alone, moved only after y ----
bad_run="$TS_TMP/bad.h5"
cp "$sample" "$bad_run"
printf '{\n  "marks": [\n    {oops\n' > "$bad_run.marks.json"
cp "$bad_run.marks.json" "$TS_TMP/bad.orig"
start c 220 40 "$bad_run"
if wait_status c 'bad\.h5\.marks\.json:3:[0-9]+:'; then ok "a corrupt sidecar is reported with its line"; else bad "corrupt report" "$(status_line c)"; fi
LC_ALL=C grep -q $'\xe2[\xa0-\xa3]' <(screen c) && ok "the run still opens (curves drawn)" || bad "corrupt: run" "no curves"
T send-keys -t c m
wait_status c 'cannot be read; move it to \.bad and start afresh\? \[y/N\]' && ok "m asks before moving the file aside" || bad "consent prompt" "$(status_line c)"
T send-keys -t c n
wait_status c 'left .*bad\.h5\.marks\.json as it is' && ok "n leaves it" || bad "n" "$(status_line c)"
cmp -s "$bad_run.marks.json" "$TS_TMP/bad.orig" && [ ! -e "$bad_run.marks.json.bad" ] && ok "the corrupt file is untouched" || bad "untouched" "changed or moved"
T send-keys -t c m
wait_status c '\[y/N\]' || bad "consent again" "$(status_line c)"
T send-keys -t c y
wait_status c 'moved .*bad\.h5\.marks\.json to .*bad\.h5\.marks\.json\.bad; marked step' && ok "y moves it to .bad, then marks" || bad "y" "$(status_line c)"
cmp -s "$bad_run.marks.json.bad" "$TS_TMP/bad.orig" && ok ".bad holds the original bytes" || bad ".bad" "differs"
json_check "$bad_run.marks.json" "len(m) == 1 and m[1]['kind'] == 'point'" && ok "then the mark is made and saved" || bad "after quarantine" "$(cat "$bad_run.marks.json" 2>&1 | head -5)"
T send-keys -t c q
wait_exit c >/dev/null

# ---- a run in a read-only folder: the fallback, and the status line says where ----
ro="$TS_TMP/ro"
mkdir -p "$ro"
cp "$sample" "$ro/run.h5"
chmod 555 "$ro"
how="chmod 555"
if touch "$ro/probe" 2>/dev/null; then
    rm -f "$ro/probe"
    how=""
    if command -v chattr >/dev/null 2>&1 && chattr +i "$ro" 2>/dev/null; then
        ro_immutable="$ro"
        if touch "$ro/probe" 2>/dev/null; then rm -f "$ro/probe"; chattr -i "$ro"; ro_immutable=""; else how="chattr +i"; fi
    fi
fi
if [ -z "$how" ]; then
    skip "read-only folder" "cannot make a folder unwritable here (root without chattr +i)"
else
    start f 200 40 "$ro/run.h5"
    wait_for f '^ step [0-9]+' || bad "ro start" "$(status_line f)"
    T send-keys -t f m
    if wait_status f "marks saved in $XDG_DATA_HOME/trajscope/marks/run\.h5-[0-9a-f]{16}\.marks\.json"; then
        ok "read-only folder ($how): the status line names the fallback file"
    else bad "fallback message" "$(status_line f)"; fi
    [ ! -e "$ro/run.h5.marks.json" ] && ok "nothing written next to the run" || bad "ro sidecar" "written"
    T send-keys -t f q
    wait_exit f >/dev/null
    start f2 200 40 "$ro/run.h5"
    wait_for f2 '^ step [0-9]+' || true
    T send-keys -t f2 M
    wait_for f2 'Marks \(1\)' && ok "reopened: the mark comes back from the fallback file" || bad "fallback reload" "$(screen f2 | head -3)"
    T send-keys -t f2 M # closes the panel (q there would close it too)
    T send-keys -t f2 q
    wait_exit f2 >/dev/null
    [ "$how" = "chattr +i" ] && chattr -i "$ro" && ro_immutable=""
fi
chmod 755 "$ro"

# ---- trajscope mark in another terminal while the explorer is open ----
mrun="$TS_TMP/merge.h5"
mside="$mrun.marks.json"
cp "$sample" "$mrun"
start g 140 40 "$mrun"
wait_for g '^ step [0-9]+' || bad "merge start" "$(screen g | tail -2)"
T send-keys -t g g
g1=$(wait_step_change g none)
T send-keys -t g L L L
g1=$(wait_step_change g "$g1")
T send-keys -t g m
wait_status g "marked step $g1: mark 1" && ok "explorer: m makes mark 1 (step $g1)" || bad "merge m" "$(status_line g)"
if "$TS_BIN" mark "$mrun" add --step 123 --label "from the CLI" > "$TS_TMP/cli1.txt" 2>&1 && grep -q 'added mark 2' "$TS_TMP/cli1.txt"; then
    ok "meanwhile the CLI adds mark 2"
else bad "CLI add" "$(cat "$TS_TMP/cli1.txt")"; fi
T send-keys -t g L L
g2=$(wait_step_change g "$g1")
T send-keys -t g m
# The explorer's own second mark took id 2 in memory; the file's 2 stays the CLI's.
if wait_status g "marked step $g2: mark 3; merged 1 change made elsewhere"; then
    ok "explorer: the next m merges the CLI's mark and says so"
else bad "merge message" "$(status_line g)"; fi
"$TS_BIN" mark "$mrun" list > "$TS_TMP/mlist.txt" 2>&1
if grep -qE "^ +1 +point +$g1 " "$TS_TMP/mlist.txt" && grep -qE '^ +2 +point +123 .*from the CLI$' "$TS_TMP/mlist.txt" &&
    grep -qE "^ +3 +point +$g2 " "$TS_TMP/mlist.txt" && [ "$(grep -cE '^ +[0-9]+ +(point|interval) ' "$TS_TMP/mlist.txt")" = 3 ]; then
    ok "trajscope mark list: all three marks are in the file"
else bad "nothing lost" "$(cat "$TS_TMP/mlist.txt")"; fi
json_check "$mside" "sorted(m) == [1, 2, 3] and m[2]['label'] == 'from the CLI' and m[3]['start_step'] == $g2 and d['next_id'] == 4" \
    && ok "sidecar: ids 1..3, next id 4" || bad "merge sidecar" "$(cat "$mside")"
T send-keys -t g M
wait_for g 'Marks \(3\)' && ok "the marks panel shows the three" || bad "panel 3" "$(screen g | grep -a Marks)"
"$TS_BIN" mark "$mrun" add --step 456 --label "after ctrl-l" >/dev/null 2>&1
"$TS_BIN" mark "$mrun" rm 1 >/dev/null 2>&1
sleep 0.3
if screen g | grep -q 'after ctrl-l'; then bad "before Ctrl-L" "the new mark is shown without asking"; else ok "a CLI change is not shown before Ctrl-L (no polling)"; fi
T send-keys -t g C-l
if wait_for g '4 point +456  after ctrl-l'; then ok "Ctrl-L: the CLI's new mark appears in the marks panel"; else bad "Ctrl-L" "$(screen g | grep -a -A5 Marks)"; fi
wait_for g 'Marks \(3\)' && ! screen g | grep -qE "^.* 1 point +$g1 " && ok "Ctrl-L: the mark removed with the CLI is gone" || bad "Ctrl-L rm" "$(screen g | grep -a -A5 Marks)"
status_line g | grep -q 'marks: merged 2 changes made elsewhere' && ok "Ctrl-L says what came in" || bad "Ctrl-L message" "$(status_line g)"
T send-keys -t g M
# u undoes the explorer's own last add (mark 3), not a CLI mark.
T send-keys -t g u
wait_status g 'undo: removed the added mark 3' && ok "u undoes the explorer's own mark 3" || bad "u" "$(status_line g)"
T send-keys -t g u
wait_status g 'undo: mark 1 was changed elsewhere since; left as it is' && ok "u does not bring back the mark removed elsewhere" || bad "u stale" "$(status_line g)"
json_check "$mside" "sorted(m) == [2, 4] and m[4]['label'] == 'after ctrl-l'" \
    && ok "sidecar: the CLI's marks survive the undos" || bad "after undo" "$(cat "$mside")"
# Follow mode re-reads marks files too (every 2 s, no new timer).
T send-keys -t g F
wait_status g 'follow: re-reading' || bad "follow on" "$(status_line g)"
"$TS_BIN" mark "$mrun" add --from 500 --to 600 --label "seen by follow" >/dev/null 2>&1
T send-keys -t g M
if wait_for g '5 interval +500\.\.600  seen by follow' 60; then ok "follow mode shows a CLI mark without a key"; else bad "follow" "$(screen g | grep -a -A5 Marks)"; fi
T send-keys -t g M
T send-keys -t g q
[ "$(wait_exit g)" = "EXIT:0" ] && ok "q quits" || bad "merge quit" "$(cat "$TS_TMP/g.exit" 2>/dev/null)"
json_check "$mside" "sorted(m) == [2, 4, 5]" && ok "sidecar: nothing lost" || bad "final sidecar" "$(cat "$mside")"

T kill-server >/dev/null 2>&1
finish
