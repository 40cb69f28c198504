# tmux.sh - what the explorer's end-to-end scripts share: a private tmux
# server and helpers to start the binary and read its screen.
# Source after lib.sh; set SOCK (the server's name) first. Layer: tests.
# License: MIT.

T() { tmux -L "$SOCK" -f /dev/null "$@"; }
tmux_kill() { tmux -L "$SOCK" kill-server >/dev/null 2>&1; }
screen() { T capture-pane -p -t "$1"; }

# wait_for SESSION REGEX [TRIES]: polls the pane 0.1 s apart until the
# regex matches (extended; set WAIT_GREP=-P for Perl syntax); fails after
# TRIES polls (default 100 = 10 s).
wait_for() {
    local s=$1 re=$2 n=${3:-100} i
    for ((i = 0; i < n; i++)); do
        screen "$s" | grep -q "${WAIT_GREP:--E}" -- "$re" && return 0
        sleep 0.1
    done
    return 1
}

# start SESSION W H ARGS...: runs the binary in a new W x H session and
# records its exit status for wait_exit.
start() {
    local s=$1 w=$2 h=$3; shift 3
    local args="" a
    for a in "$@"; do args+=" $(printf '%q' "$a")"; done
    T new-session -d -s "$s" -x "$w" -y "$h" \
        "LC_ALL=C.UTF-8 $(printf '%q' "$TS_BIN")$args; echo EXIT:\$? > $(printf '%q' "$TS_TMP/$s.exit"); sleep 600"
}

# wait_exit SESSION: prints "EXIT:<status>" once the binary ended (or
# "EXIT:none" after 10 s).
wait_exit() {
    local f="$TS_TMP/$1.exit" i
    for ((i = 0; i < 100; i++)); do
        [ -s "$f" ] && { cat "$f"; return 0; }
        sleep 0.1
    done
    echo "EXIT:none"
}
