#!/bin/bash
# run-fuzz.sh - builds every libFuzzer target tests/fuzz/fuzz_<name>.c with
# clang (-fsanitize=fuzzer,address,undefined) against the library sources,
# writes a small seed corpus for the known targets, and runs each briefly.
# `make fuzz` calls it. Work goes to build-fuzz/.
#   FUZZ_SECONDS  seconds per target (default 20; CI uses less)
#   FUZZ_TARGETS  space-separated names to run (default: all)
# Without clang it installs it with apt-get when root, else skips with a
# message. Exits non-zero when a target crashes (the input is kept in
# build-fuzz/crashes/).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/build-fuzz"
secs=${FUZZ_SECONDS:-20}
cd "$root" || exit 2

if ! command -v clang >/dev/null 2>&1 || ! dpkg-query -W libclang-rt-dev >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "run-fuzz: installing clang"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang libclang-rt-dev ||
            { echo "run-fuzz: could not install clang: fuzzing skipped"; exit 0; }
    else
        echo "run-fuzz: clang is not installed (apt-get install clang): fuzzing skipped"
        exit 0
    fi
fi
mkdir -p "$out/obj" "$out/gen" "$out/crashes"
probe="$out/probe.c"
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' > "$probe"
if ! clang -fsanitize=fuzzer "$probe" -o "$out/probe" 2>/dev/null; then
    echo "run-fuzz: clang has no libFuzzer here (Debian: apt-get install libclang-rt-dev): fuzzing skipped"
    exit 0
fi

PKGS=$(sed -n 's/^PKGS *:= *//p' Makefile) # the library's packages: one list, in the Makefile
CFLAGS_F="-std=c11 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined
          -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -DTS_VERSION=\"fuzz\" -Iinclude -Isrc -I$out/gen
          $(pkg-config --cflags $PKGS 2>/dev/null)"
LIBS_F="$(pkg-config --libs $PKGS 2>/dev/null) -lm"

# Generated protobuf code.
for proto in src/io/*.proto; do
    [ -e "$proto" ] || continue
    base=$(basename "$proto" .proto)
    if [ ! -e "$out/gen/$base.pb-c.c" ] || [ "$proto" -nt "$out/gen/$base.pb-c.c" ]; then
        protoc-c --c_out="$out/gen" --proto_path=src/io "$proto" || exit 2
    fi
done

# Library objects (incremental, in parallel). A file that does not compile
# (someone is editing it) is reported; targets that need it then fail to link.
export CFLAGS_F out
compile_one() { # SRC OBJ
    # shellcheck disable=SC2086
    clang $CFLAGS_F -w -c "$1" -o "$2" 2>"$2.log" || { echo "run-fuzz: cannot compile $1 (see $2.log)"; rm -f "$2"; }
}
export -f compile_one
objs=() todo=()
newest_h=$(find include src -name '*.h' -printf '%T@ %p\n' 2>/dev/null | sort -n | tail -1 | cut -d' ' -f2-)
for src in src/util/*.c src/core/*.c src/io/*.c src/render/*.c "$out"/gen/*.pb-c.c; do
    [ -e "$src" ] || continue
    obj="$out/obj/$(echo "${src#"$out"/}" | tr '/' '_').o"
    objs+=("$obj")
    if [ ! -e "$obj" ] || [ "$src" -nt "$obj" ] || { [ -n "$newest_h" ] && [ "$newest_h" -nt "$obj" ]; }; then
        todo+=("$src" "$obj")
    fi
done
if [ ${#todo[@]} -gt 0 ]; then
    echo "run-fuzz: compiling $(( ${#todo[@]} / 2 )) files"
    printf '%s\n' "${todo[@]}" | xargs -d '\n' -n 2 -P "$(nproc 2>/dev/null || echo 2)" bash -c 'compile_one "$0" "$1"'
fi
built=()
for obj in "${objs[@]}"; do [ -e "$obj" ] && built+=("$obj"); done
objs=("${built[@]}")
rm -f "$out/libfuzz.a"
ar rcs "$out/libfuzz.a" "${objs[@]}"

# Seeds, written fresh each run.
seed_dir() { rm -rf "$out/seed/$1"; mkdir -p "$out/seed/$1"; echo "$out/seed/$1"; }
if command -v python3 >/dev/null 2>&1; then
    python3 - "$(seed_dir tfevents)" <<'PYEOF'
import struct, sys
d = sys.argv[1]
def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ (0x82F63B78 if c & 1 else 0)
    return c ^ 0xFFFFFFFF
def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF
def varint(n):
    n &= (1 << 64) - 1
    out = b""
    while True:
        b = n & 0x7F; n >>= 7
        if n: out += bytes([b | 0x80])
        else: return out + bytes([b])
def fld(num, wire, payload):
    k = varint((num << 3) | wire)
    return k + varint(len(payload)) + payload if wire == 2 else k + payload
def ev(step, value=None, tensor=None, session=False):
    e = fld(1, 1, struct.pack("<d", 1.7e9 + step)) + fld(2, 0, varint(step))
    if value is not None:
        tag, v = value
        e += fld(5, 2, fld(1, 2, fld(1, 2, tag) + fld(2, 5, struct.pack("<f", v))))
    if tensor is not None:
        tag, t, meta = tensor
        val = fld(1, 2, tag) + fld(8, 2, t)
        if meta: val += fld(9, 2, fld(1, 2, fld(1, 2, meta)))
        e += fld(5, 2, fld(1, 2, val))
    if session: e += fld(7, 2, fld(1, 0, varint(1)))
    return e
def rec(p):
    h = struct.pack("<Q", len(p))
    return h + struct.pack("<I", masked(h)) + p + struct.pack("<I", masked(p))
f32 = fld(1, 0, varint(1)) + fld(2, 2, b"") + fld(5, 2, struct.pack("<f", 0.5))
f64 = fld(1, 0, varint(2)) + fld(6, 2, struct.pack("<d", 0.25))
i64 = fld(1, 0, varint(9)) + fld(10, 2, varint(123456789))
hlf = fld(1, 0, varint(19)) + fld(13, 2, varint(0x3555))
raw = fld(1, 0, varint(3)) + fld(4, 2, struct.pack("<i", -7))
events = [fld(3, 2, b"brain.Event:2"), ev(1, (b"train/loss", 2.5)), ev(2, (b"lr", 0.1)),
          ev(3, tensor=(b"acc", f32, b"scalars")), ev(4, tensor=(b"acc", f32, None)),
          ev(5, tensor=(b"d", f64, b"scalars")), ev(6, tensor=(b"i", i64, b"scalars")),
          ev(7, tensor=(b"h", hlf, b"scalars")), ev(8, tensor=(b"c", raw, b"scalars")),
          ev(9, tensor=(b"txt", fld(1, 0, varint(7)), b"text")), ev(2, session=True),
          ev(1, (b"train/loss", 3.5))]
open(f"{d}/raw", "wb").write(b"\x00" + b"".join(rec(e) for e in events))
open(f"{d}/raw-purge", "wb").write(b"\x01" + b"".join(rec(e) for e in events))
open(f"{d}/framed", "wb").write(b"\x04" + b"".join(struct.pack("<H", len(e)) + e for e in events))
open(f"{d}/framed-purge", "wb").write(b"\x05" + b"".join(struct.pack("<H", len(e)) + e for e in events))
PYEOF
else
    d=$(seed_dir tfevents); printf '\0' > "$d/empty"
fi
d=$(seed_dir csv)
printf '\0epoch,step,train/loss,val_loss\n0,49,2.5,\n0,99,,1.75\n1,149,nan,\n' > "$d/sparse"
printf '\0\xef\xbb\xbf   epoch,  train/box_loss\r\n   0,   0.11\r\n   1,  -inf\r\n' > "$d/yolo"
printf '\2"step","a ""b""",c\n"1","2,5",x\n2,,3,4\n' > "$d/quoted"
printf '\0epoch,loss\n0.5,1\n1.5,2\n' > "$d/fractional"
d=$(seed_dir json)
printf '\0{"iteration": 19, "loss": 1.5, "lr": [0.1, 0.01]}\n{"iteration": 39, "bbox/AP": NaN, "x": {"y": -Infinity}}\n{"iter' > "$d/lines"
printf '\1{"log_history": [{"step": 5, "loss": 1.25, "epoch": 0.1}, {"step": 5, "eval_loss": 0.5}, {"step": 2, "loss": 9}], "train_batch_size": 32, "best": null}' > "$d/trainer_state"
printf '\2[{"epoch": 0, "acc": 0.5}, {"epoch": 1, "acc": 0.75, "t": 123456789012345678901234567890}, 7]' > "$d/array"

# Build and run each target.
status=0
for t in tests/fuzz/fuzz_*.c; do
    [ -e "$t" ] || continue
    name=$(basename "$t" .c)
    short=${name#fuzz_}
    if [ -n "${FUZZ_TARGETS:-}" ] && ! echo " $FUZZ_TARGETS " | grep -q " $short "; then continue; fi
    # shellcheck disable=SC2086
    if ! clang $CFLAGS_F -fsanitize=fuzzer,address,undefined "$t" "$out/libfuzz.a" $LIBS_F -o "$out/$name" 2>"$out/$name.log"; then
        echo "run-fuzz: cannot build $name (see $out/$name.log)"
        status=1
        continue
    fi
    corpus="$out/corpus/$short"
    mkdir -p "$corpus"
    seeds=()
    [ -d "$out/seed/$short" ] && seeds=("$out/seed/$short")
    echo "=== $name: ${secs}s"
    if ! "$out/$name" -max_total_time="$secs" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
            -print_final_stats=1 -artifact_prefix="$out/crashes/$short-" "$corpus" "${seeds[@]}" \
            >"$out/$name.out" 2>&1; then
        echo "run-fuzz: $name FAILED:"
        grep -E "ERROR|SUMMARY|Test unit written|artifact" "$out/$name.out" | head -20
        status=1
    else
        grep -E "stat::number_of_executed_units|cov:" "$out/$name.out" | tail -2 | sed 's/^/  /'
    fi
done
exit $status
