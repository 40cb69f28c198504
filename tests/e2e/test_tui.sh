#!/bin/bash
# test_tui.sh - the interactive explorer in a real terminal (tmux): plots
# and axes appear, the cursor reads exact values, zoom, log axes, resize,
# too-small screen, Ctrl-L, quit restores the pane (also on SIGTERM), and
# startup errors.
set -u
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null 2>&1 || { skip all "tmux is not installed"; finish; exit; }
PY=$(find_h5py_python) || { skip all "no python3 with h5py (apt-get install python3-h5py)"; finish; exit; }

arch="$TS_TMP/tui.h5"
nanarch="$TS_TMP/tui_nan.h5"
"$PY" - "$arch" "$nanarch" <<'PYEOF'
import sys, h5py, numpy as np
# train: steps 0..10000 every 10, loss = step/1000, acc = 1 - step/20000;
# eval: steps 0..10000 every 500, acc = step/10000.
with h5py.File(sys.argv[1], "w") as f:
    f.attrs["trajscope_format"] = 1
    f.attrs["run_name"] = "tui-e2e"
    tr = f.create_group("scalars/train")
    s = np.arange(0, 10001, 10, dtype=np.int64)
    tr["step"] = s
    tr["loss"] = s / 1000.0
    tr["acc"] = 1.0 - s / 20000.0
    tr["wall_time"] = 1.7e9 + s * 0.25
    ev = f.create_group("scalars/eval")
    e = np.arange(0, 10001, 500, dtype=np.int64)
    ev["step"] = e
    ev["acc"] = e / 10000.0
# a diverging run: loss is NaN from step 300 on
with h5py.File(sys.argv[2], "w") as f:
    f.attrs["trajscope_format"] = 1
    f.attrs["run_name"] = "diverged"
    tr = f.create_group("scalars/train")
    s = np.arange(0, 500, dtype=np.int64)
    loss = 1.0 / (s + 1.0)
    loss[300:] = np.nan
    tr["step"] = s
    tr["loss"] = loss
PYEOF
[ -s "$arch" ] && [ -s "$nanarch" ] || { bad fixture "h5py did not write the archives"; finish; exit; }

SOCK="trajscope-test-$$"
. "$(dirname "$0")/tmux.sh"
trap tmux_kill EXIT
export XDG_CONFIG_HOME="$TS_TMP/xdg"   # no user config unless a test writes one
mkdir -p "$XDG_CONFIG_HOME"

wait_gone() {
    local s=$1 re=$2
    for ((i = 0; i < 100; i++)); do
        screen "$s" | grep -qE -- "$re" || return 0
        sleep 0.1
    done
    return 1
}
has_braille() { LC_ALL=C grep -q $'\xe2[\xa0-\xa3]'; }
status_line() { screen "$1" | grep -E '^ step [0-9]+' | tail -1; }
# start SESSION W H ARGS...: as tmux.sh's, and also records whether the
# terminal settings came back, with a marker before and after so a
# restored pane shows.
start() {
    local s=$1 w=$2 h=$3; shift 3
    local args="" a
    for a in "$@"; do args+=" $(printf '%q' "$a")"; done
    T new-session -d -s "$s" -x "$w" -y "$h" \
        "ulimit -c 0; s0=\$(stty -g); printf 'MARK-BEFORE\n'; LC_ALL=C.UTF-8 $(printf '%q' "$TS_BIN")$args; rc=\$?; [ \"\$s0\" = \"\$(stty -g)\" ] && echo same > $(printf '%q' "$TS_TMP/$s.stty"); echo EXIT:\$rc > $(printf '%q' "$TS_TMP/$s.exit"); printf 'MARK-AFTER\n'; sleep 600"
}
# value_of STATUS LABEL: the value printed after LABEL in the status line
value_of() { echo "$1" | sed -nE "s|.*  $2 ([^ ]+).*|\1|p"; }
step_of() { echo "$1" | sed -nE 's/^ step ([0-9]+).*/\1/p'; }

# ---- the main session ----
start main 120 40 "$arch"
if wait_for main '^ step [0-9]+'; then ok "explorer starts and shows a readout"; else bad "start" "no status line: $(screen main | tail -3)"; fi
scr=$(screen main)
echo "$scr" | has_braille && ok "braille curves drawn" || bad "braille" "no braille characters on screen"
echo "$scr" | grep -qE '(^|[ ])10k( |$)' && echo "$scr" | grep -qE '(^|[ ])5k( |$)' && ok "x tick labels with SI suffix (5k, 10k)" || bad "x ticks" "no 5k/10k labels"
echo "$scr" | grep -q 'tui-e2e' && echo "$scr" | grep -q 'x: step' && echo "$scr" | grep -q 'view: all' \
    && ok "header: run, x axis, view" || bad "header" "$(echo "$scr" | head -1)"
echo "$scr" | grep -q 'train/loss' && ok "metric list lists train/loss" || bad "list" "no train/loss"

# focus train/loss (third in the list), then scrub
T send-keys -t main j j g
if wait_for main '^ step 0  '; then ok "g: first step"; else bad "g" "$(status_line main)"; fi
st=$(status_line main)
[ "$(value_of "$st" train/loss)" = "0" ] && [ "$(value_of "$st" eval/acc)" = "0" ] && ok "values at step 0" || bad "values at 0" "$st"
T send-keys -t main .
wait_for main '^ step 10  ' && st=$(status_line main)
[ "$(value_of "$st" train/loss)" = "0.01" ] && [ "$(value_of "$st" train/acc)" = "0.9995" ] \
    && ok ". goes to the next logged point (step 10, exact values)" || bad ". (next point)" "$st"
T send-keys -t main l l l
sleep 0.3
wait_gone main '^ step 10  '
st=$(status_line main); n=$(step_of "$st")
if [ -n "$n" ] && [ "$n" -gt 10 ] && [ $((n % 10)) -eq 0 ]; then
    want=$(awk -v s="$n" 'BEGIN { printf "%.17g", s / 1000 }')
    got=$(value_of "$st" train/loss)
    if awk -v a="$got" -v b="$want" 'BEGIN { exit !(a + 0 == b + 0) }'; then
        ok "l moves the cursor; train/loss = step/1000 exactly at step $n"
    else bad "l readout" "step $n: train/loss $got, expected $want"; fi
    # eval is logged every 500 steps: its nearest step and value
    ev=$(awk -v s="$n" 'BEGIN { e = int((s + 250) / 500) * 500; if (s - int(s / 500) * 500 == 250) e = int(s / 500) * 500; printf "%d %.17g", e, e / 10000 }')
    evstep=${ev% *}; evval=${ev#* }
    got=$(value_of "$st" eval/acc)
    if awk -v a="$got" -v b="$evval" 'BEGIN { exit !(a + 0 == b + 0) }'; then ok "eval/acc at its own nearest step ($evstep)"; else bad "eval readout" "$st (want $evval)"; fi
else
    bad "l moves the cursor" "$st"
fi
T send-keys -t main G
if wait_for main '^ step 10000  '; then
    st=$(status_line main)
    [ "$(value_of "$st" train/loss)" = "10" ] && [ "$(value_of "$st" eval/acc)" = "1" ] && ok "G: last step, exact values" || bad "G values" "$st"
else bad "G" "$(status_line main)"; fi

# zoom around the cursor: the header's view range and the tick labels change
T send-keys -t main g +
if wait_for main 'view: 0'; then ok "+ zooms (header shows the range)"; else bad "zoom header" "$(screen main | head -1)"; fi
screen main | grep -qE '(^|[ ])10k( |$)' && bad "zoom ticks" "10k still shown after zooming in" || ok "zoomed x tick labels change"
T send-keys -t main 0
wait_for main 'view: all' && ok "0 resets the zoom" || bad "zoom reset" "$(screen main | head -1)"
T send-keys -t main x
wait_for main 'log-x' && ok "x: header shows log-x" || bad "log-x" "$(screen main | head -1)"
T send-keys -t main x y
wait_for main 'log-y' && ok "y: header shows log-y" || bad "log-y" "$(screen main | head -1)"
T send-keys -t main y
T send-keys -t main s
wait_for main 'smooth: ema 0.60' && ok "s: EMA smoothing in the header" || bad "smoothing" "$(screen main | head -1)"
T send-keys -t main s s s s
wait_for main 'smooth: off' || bad "smoothing cycle" "$(screen main | head -1)"

# resize: smaller, too small, back. The old content stays on screen until
# the explorer repaints, so each check waits for a line only a repaint at
# the new size can put there: the status line on the new last row.
last_line_is() { # SESSION REGEX: waits until the pane's last row matches
    for ((i = 0; i < 100; i++)); do
        screen "$1" | tail -1 | grep -qE -- "$2" && return 0
        sleep 0.1
    done
    return 1
}
T resize-window -t main -x 60 -y 20
if last_line_is main '^ step [0-9]+' && screen main | has_braille && ! screen main | grep -q 'too small'; then
    ok "60x20: repainted at the new size, still plots"
else bad "resize 60x20" "$(screen main)"; fi
screen main | grep -qE '(^|[ ])10k( |$)' && ok "60x20: x tick labels re-fitted" || bad "60x20 ticks" "no 10k label"
T resize-window -t main -x 30 -y 8
wait_for main 'too small' && ok "30x8: terminal too small screen" || bad "too small" "$(screen main)"
T resize-window -t main -x 120 -y 40
if last_line_is main '^ step [0-9]+' && screen main | has_braille && ! screen main | grep -q 'too small'; then
    ok "back to 120x40"
else bad "resize back" "$(screen main | tail -3)"; fi
T send-keys -t main C-l
sleep 0.3
screen main | has_braille && screen main | grep -q 'tui-e2e' && ok "Ctrl-L: screen intact after a forced repaint" || bad "Ctrl-L" "screen lost"
T send-keys -t main '?'
wait_for main 'move the time cursor one column left' && ok "? shows the help from the key table" || bad "help" "$(screen main | head -5)"
T send-keys -t main '?'
wait_gone main 'move the time cursor one column left' || bad "help close" "help still shown"

# idle: blocked in poll(), no busy loop (CPU ticks over 2 s of idling)
pane_pid=$(T display-message -p -t main '#{pane_pid}')
ts_pid=$(pgrep -P "$pane_pid" | head -1)
if [ -n "$ts_pid" ]; then
    t0=$(awk '{print $14 + $15}' "/proc/$ts_pid/stat")
    sleep 2
    t1=$(awk '{print $14 + $15}' "/proc/$ts_pid/stat")
    [ $((t1 - t0)) -le 5 ] && ok "idle costs no CPU ($((t1 - t0)) ticks in 2 s)" || bad "idle CPU" "$((t1 - t0)) ticks in 2 s"
else bad "idle CPU" "no process"; fi

T send-keys -t main q
ex=$(wait_exit main)
[ "$ex" = "EXIT:0" ] && ok "q quits with status 0" || bad "q exit status" "$ex"
[ -f "$TS_TMP/main.stty" ] && ok "tty modes after q are what they were (stty -g)" || bad "stty after q" "modes changed"
wait_for main 'MARK-AFTER' || true
scr=$(screen main)
if echo "$scr" | grep -q 'MARK-BEFORE' && ! echo "$scr" | has_braille && ! echo "$scr" | grep -q 'tui-e2e'; then
    ok "the pane is restored after q"
else bad "restore after q" "$scr"; fi

# ---- SIGTERM restores the terminal too ----
start term 100 30 "$arch"
wait_for term '^ step [0-9]+' || bad "term start" "no readout"
pane_pid=$(T display-message -p -t term '#{pane_pid}')
ts_pid=$(pgrep -P "$pane_pid" | head -1)
if [ -n "$ts_pid" ]; then
    kill -TERM "$ts_pid"
    ex=$(wait_exit term)
    [ "$ex" = "EXIT:143" ] && ok "SIGTERM ends it (status 143)" || bad "SIGTERM status" "$ex"
    [ -f "$TS_TMP/term.stty" ] && ok "tty modes restored after SIGTERM" || bad "stty after SIGTERM" "modes changed"
    wait_for term 'MARK-AFTER' || true
    scr=$(screen term)
    echo "$scr" | grep -q 'MARK-BEFORE' && ! echo "$scr" | has_braille && ok "the pane is restored after SIGTERM" || bad "restore after SIGTERM" "$scr"
else
    bad "SIGTERM" "no trajscope process under pane $pane_pid"
fi

# ---- SIGINT (kill -INT; Ctrl-C would also stop the test's shell) ----
start int 100 30 "$arch"
wait_for int '^ step [0-9]+' || bad "int start" "no readout"
pane_pid=$(T display-message -p -t int '#{pane_pid}')
ts_pid=$(pgrep -P "$pane_pid" | head -1)
if [ -n "$ts_pid" ]; then
    kill -INT "$ts_pid"
    ex=$(wait_exit int)
    [ "$ex" = "EXIT:130" ] && [ -f "$TS_TMP/int.stty" ] && ok "SIGINT ends it (status 130), tty modes restored" || bad "SIGINT" "$ex"
else
    bad "SIGINT" "no trajscope process under pane $pane_pid"
fi

# ---- a crash (SIGSEGV) restores the terminal, then dies by the signal ----
start segv 100 30 "$arch"
wait_for segv '^ step [0-9]+' || bad "segv start" "no readout"
pane_pid=$(T display-message -p -t segv '#{pane_pid}')
ts_pid=$(pgrep -P "$pane_pid" | head -1)
if [ -n "$ts_pid" ]; then
    kill -SEGV "$ts_pid"
    ex=$(wait_exit segv)
    [ "$ex" = "EXIT:139" ] && ok "SIGSEGV: the crash handler re-raises (status 139)" || bad "SIGSEGV status" "$ex"
    [ -f "$TS_TMP/segv.stty" ] && ok "tty modes restored after a crash" || bad "stty after SIGSEGV" "modes changed"
    wait_for segv 'MARK-AFTER' || true
    scr=$(screen segv)
    echo "$scr" | grep -q 'MARK-BEFORE' && ! echo "$scr" | has_braille && ok "the pane is restored after a crash" || bad "restore after SIGSEGV" "$scr"
else
    bad "SIGSEGV" "no trajscope process under pane $pane_pid"
fi

# ---- NaN: gap, marker and the status note ----
start nan 120 30 "$nanarch"
if wait_for nan 'first non-finite at step 300'; then ok "status says: first non-finite at step 300"; else bad "NaN note" "$(screen nan | tail -2)"; fi
screen nan | grep -q 'NaN' && ok "NaN marker/legend shown" || bad "NaN marker" "no NaN on screen"
T send-keys -t nan q
wait_exit nan >/dev/null

# ---- follow mode: a file still being written (SWMR) ----
live="$TS_TMP/live.h5"
"$PY" - "$live" > "$TS_TMP/live.log" 2>&1 <<'PYEOF' &
import h5py, sys, time
path = sys.argv[1]
f = h5py.File(path, "w", libver="latest")
f.attrs["trajscope_format"] = 1
f.attrs["run_name"] = "live"
g = f.create_group("scalars/train")
loss = g.create_dataset("loss", (0,), maxshape=(None,), dtype="f8", chunks=(1024,))
step = g.create_dataset("step", (0,), maxshape=(None,), dtype="i8", chunks=(1024,))
f.swmr_mode = True
def add(i):  # metric column first, step last (docs/FORMAT.md)
    n = step.shape[0]
    loss.resize((n + 1,)); loss[n] = i / 100.0; loss.flush()
    step.resize((n + 1,)); step[n] = i; step.flush()
for i in range(50):
    add(i)
open(path + ".ready", "w").close()
for i in range(50, 150):
    add(i)
    time.sleep(0.02)
f.close()
PYEOF
writer=$!
for ((i = 0; i < 100; i++)); do [ -f "$live.ready" ] && break; sleep 0.1; done
if [ -f "$live.ready" ]; then
    start follow 100 30 --follow "$live"
    wait_for follow '^ step [0-9]+' || true
    if wait_for follow '^ step 149  train/loss 1.49' 150; then
        ok "--follow re-reads a growing SWMR file; the cursor stays on the last point"
    else bad "follow" "$(status_line follow)"; fi
    screen follow | grep -q 'follow' && ok "header shows follow" || bad "follow header" "$(screen follow | head -1)"
    T send-keys -t follow q
else
    bad "follow" "the SWMR writer did not start: $(cat "$TS_TMP/live.log")"
fi
wait "$writer" 2>/dev/null

# ---- startup errors ----
out=$("$TS_BIN" "$TS_TMP/missing.h5" 2>&1 >/dev/null); rc=$?
[ "$rc" -eq 2 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q 'missing.h5' \
    && ok "missing file: one error line, exit 2" || bad "missing file" "rc=$rc: $out"
out=$("$TS_BIN" --theme nosuch "$arch" 2>&1 >/dev/null); rc=$?
[ "$rc" -eq 1 ] && echo "$out" | grep -q "unknown theme 'nosuch'" && ok "--theme nosuch: exit 1" || bad "bad theme" "rc=$rc: $out"
"$TS_BIN" --help-explorer | grep -q -- '--dump-screen' && ok "--help-explorer prints the options" || bad "help text" "no options"

mkdir -p "$XDG_CONFIG_HOME/trajscope"
printf 'set smoothing ema 0.8\nbind q no-such-action\n' > "$XDG_CONFIG_HOME/trajscope/config"
start cfg 120 30 "$arch" "$TS_TMP/missing.h5"
if wait_for cfg '1 of 2 could not be opened'; then ok "one of two files failing: the rest opens, error on the status line"; else bad "partial open" "$(screen cfg | tail -1)"; fi
screen cfg | grep -q 'smooth: ema 0.80' && ok "config: set smoothing applies" || bad "config set" "$(screen cfg | head -1)"
T send-keys -t cfg j
wait_gone cfg 'could not be opened' || bad "note clears" "note stays after a key"
start cfg2 120 30 "$arch"
if wait_for cfg2 "config:2: unknown action 'no-such-action'"; then ok "config error names file and line"; else bad "config error" "$(screen cfg2 | tail -1)"; fi
T send-keys -t cfg q
T send-keys -t cfg2 q
ex=$(wait_exit cfg2)
[ "$ex" = "EXIT:0" ] && ok "q still quits (the bad bind line was skipped)" || bad "cfg2 exit" "$ex"
rm -f "$XDG_CONFIG_HOME/trajscope/config"

# ---- no UTF-8: ASCII curves ----
T new-session -d -s ascii -x 100 -y 30 "LC_ALL=C $(printf '%q' "$TS_BIN") $(printf '%q' "$arch"); sleep 600"
if wait_for ascii '^ step [0-9]+'; then
    scr=$(screen ascii)
    ! echo "$scr" | has_braille && echo "$scr" | grep -qE '[-.|'"'"':]{3}' && ok "C locale: ASCII curves, no braille" || bad "ascii" "$scr"
else bad "ascii start" "$(screen ascii | tail -2)"; fi

finish
