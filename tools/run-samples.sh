#!/bin/sh
# `make run`: opens the sample runs. In the explorer when the terminal is
# interactive; otherwise (or when asked with TS_NO_TUI=1) prints `info` and a
# plot of each run's main curves.
set -eu
bin=$1
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
set -- sample-runs/*.h5
if [ ! -e "$1" ]; then
    echo "trajscope: no sample runs in sample-runs/ (make samples creates them)" >&2
    exit 2
fi
if [ -t 0 ] && [ -t 1 ] && [ "${TS_NO_TUI:-0}" != 1 ] && "$bin" --help-explorer >/dev/null 2>&1; then
    exec "$bin" "$@"
fi
"$bin" info "$@"
for f in "$@"; do
    for m in eval/acc train/loss; do
        "$bin" plot "$f" --metric "$m" --width 100 --height 16 || true
    done
done
