#!/usr/bin/env bash
# make-samples.sh - regenerates every archive in sample-runs/ with the sample
# trainer (real training, fixed seeds): `make samples` runs
# `tools/make-samples.sh build`. Prints each run's measured phase-transition
# steps (the figures sample-runs/README.md documents) and checks that each
# run shows its phenomenon. Two runs at a time (TS_SAMPLES_JOBS to change).
# License: MIT.
set -euo pipefail

build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
case "$build" in /*) ;; *) build="$root/$build" ;; esac
trainer="$build/tools/trainer"
out="$root/sample-runs"
jobs=${TS_SAMPLES_JOBS:-2}

if [ ! -x "$trainer" ]; then
    echo "make-samples: $trainer not found (run 'make $build/tools/trainer' first)" >&2
    exit 1
fi
mkdir -p "$out"
logs=$(mktemp -d "${TMPDIR:-/tmp}/trajscope-samples.XXXXXX")
trap 'rm -rf "$logs"' EXIT

# name | preset and overrides (longest first, so two cores stay busy)
runs=(
    "grok-seed0|grok seed=0 run_name=grok-seed0"
    "grok-seed1|grok seed=1 run_name=grok-seed1"
    "grok-seed2|grok seed=2 run_name=grok-seed2"
    "lr-too-high|lr-too-high"
    "parity|parity"
    "resumed|resumed"
)

start=$(date +%s)
pids=()
names=()
failed=0
run_one() {
    local name=$1 args=$2 t0 t1
    t0=$(date +%s)
    # shellcheck disable=SC2086
    if "$trainer" $args -o "$out/$name.h5" >"$logs/$name.out" 2>"$logs/$name.err"; then
        t1=$(date +%s)
        echo "$((t1 - t0))" >"$logs/$name.time"
    else
        echo "make-samples: $name failed:" >&2
        cat "$logs/$name.err" >&2
        return 1
    fi
}
for entry in "${runs[@]}"; do
    name=${entry%%|*}
    args=${entry#*|}
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || failed=1; done
    echo "  TRAIN   sample-runs/$name.h5"
    run_one "$name" "$args" &
    pids+=($!)
    names+=("$name")
done
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
[ "$failed" = 0 ] || exit 1

echo
echo "measured steps (from the values written):"
for name in "${names[@]}"; do
    echo "  [$(cat "$logs/$name.time")s] $(tail -n 1 "$logs/$name.out")"
done

# Each run must show what it is there for.
check() {
    local name=$1 pattern=$2 what=$3
    if ! tail -n 1 "$logs/$name.out" | grep -Eq "$pattern"; then
        echo "make-samples: $name: $what not found" >&2
        failed=1
    fi
}
for s in 0 1 2; do
    check "grok-seed$s" 'train_acc>=0\.99@[0-9]+ ' "train accuracy reaching 99%"
    check "grok-seed$s" 'val_acc>=0\.9@[0-9]+ ' "validation accuracy reaching 90% (grokking)"
done
check parity 'eval_loss<0\.5ln2@[0-9]+ ' "the drop from the ln 2 plateau"
check resumed 'eval_loss<0\.5ln2@[0-9]+ ' "the drop from the ln 2 plateau"
check lr-too-high 'first_nan@[0-9]+' "divergence to NaN"
check lr-too-high 'spike@[0-9]+' "loss spikes"
[ "$failed" = 0 ] || exit 1

end=$(date +%s)
echo
echo "sample-runs: $(du -sh "$out" | cut -f1) in $(ls "$out"/*.h5 | wc -l) archives, $((end - start))s"
