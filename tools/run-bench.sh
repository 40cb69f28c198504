#!/bin/sh
# Runs every benchmark binary; each prints its own figures.
set -eu
export LC_ALL=C.UTF-8
root=$(cd "$(dirname "$0")/.." && pwd)
export TS_ROOT="$root" TS_BIN="$root/build/trajscope"
for b in "$@"; do
    echo "=== $(basename "$b")"
    "$b"
done
