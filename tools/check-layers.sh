#!/bin/sh
# Enforces the include rules of docs/ARCHITECTURE.md:
#  - curses only in src/tui/term.c;
#  - hdf5.h only in src/io/archive*.c and src/io/writer*.c, never in a header;
#  - gsl only in numerics modules of src/core (never in a header);
#  - layers include downwards only: util < core < io < render < tui < cli.
set -u
cd "$(dirname "$0")/.." || exit 2
bad=0
fail() { echo "check-layers: $*" >&2; bad=1; }
for f in $(grep -rlE '#include *<(n?curses|ncursesw/)' src include 2>/dev/null); do
    [ "$f" = src/tui/term.c ] || fail "$f includes curses (only src/tui/term.c may)"
done
for f in $(grep -rlE '#include *<(hdf5|H5[A-Za-z]*)\.h>' src include 2>/dev/null); do
    case "$f" in src/io/archive*.c|src/io/writer*.c) ;; *) fail "$f includes HDF5 (only the archive and writer modules may)" ;; esac
done
for f in $(grep -rlE '#include *<gsl/' src include 2>/dev/null); do
    case "$f" in src/core/*.c) ;; *) fail "$f includes GSL (only numerics modules in src/core may)" ;; esac
done
# Downward includes only, judged by the project headers a layer includes.
layer_of() { case "$1" in util) echo 0;; core) echo 1;; io) echo 2;; render) echo 3;; tui) echo 4;; cli) echo 5;; *) echo 9;; esac; }
for dir in util core io render tui cli; do
    [ -d "src/$dir" ] || continue
    mine=$(layer_of $dir)
    for f in src/$dir/*.c src/$dir/*.h; do
        [ -e "$f" ] || continue
        for inc in $(sed -nE 's/^#include *"(tui|cli|render|io|core|util)\/.*/\1/p' "$f"); do
            [ "$(layer_of "$inc")" -le "$mine" ] || fail "$f (layer $dir) includes $inc/ (upward)"
        done
    done
done
# Public headers: which layer each belongs to is listed in docs/ARCHITECTURE.md;
# the core layer must not reach into the terminal or the files.
for f in src/core/*.c src/util/*.c; do
    [ -e "$f" ] || continue
    grep -qE '#include *"trajscope/(run|writer|archive|cellbuf|canvas|plot|term)\.h"' "$f" && \
        fail "$f (pure layer) includes an io/render header"
done
exit $bad
