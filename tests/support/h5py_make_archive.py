#!/usr/bin/python3
# h5py_make_archive.py - writes trajscope archives the way a Python user
# would with h5py alone (docs/FORMAT.md), for tests/unit/test_archive.c.
# Layer: tests. License: MIT.
#
# usage: h5py_make_archive.py basic PATH   # attributes of every kind, float32
#                                          # metrics, int32 step, NaN, a stream
#                                          # without step, unknown extras
#        h5py_make_archive.py swmr PATH    # the FORMAT.md SWMR recipe: appends
#                                          # rows in SWMR mode (libver latest)
# The C test recomputes every value below; keep both in step.
import json
import sys

import h5py
import numpy as np


def basic(path):
    with h5py.File(path, "w") as f:
        f.attrs["trajscope_format"] = 1
        f.attrs["run_name"] = "h5py run \u2713"          # variable-length UTF-8
        f.attrs["created"] = "2024-05-01T12:00:00Z"
        f.attrs["lr"] = 3e-4                              # float64
        f.attrs["lr32"] = np.float32(0.1)                 # float32
        f.attrs["batch_size"] = np.int32(64)
        f.attrs["seed"] = 7                               # int64
        f.attrs["steps_u"] = np.uint64(18446744073709551615)
        f.attrs["use_amp"] = np.bool_(True)               # enum FALSE/TRUE
        f.attrs["debug"] = False
        f.attrs["optimizer"] = "adamw"
        f.attrs["fixed"] = np.bytes_(b"fixed-len")        # fixed-length string
        f.attrs["betas"] = np.array([0.9, 0.999])
        f["config"] = json.dumps({"lr": 3e-4, "optimizer": "adamw"})

        train = f.create_group("scalars/train")
        n = 10
        train["step"] = np.arange(0, 10 * n, 10, dtype=np.int32)
        loss = np.array([1.0 / (i + 1) for i in range(n)], dtype=np.float32)
        loss[3] = np.nan
        train["loss"] = loss
        train["lr"] = np.array([1e-3 * (i + 1) for i in range(n)], dtype=np.float64)
        train["tokens"] = np.arange(n, dtype=np.int64) * 4096
        train.create_group("extra_subgroup")["junk"] = np.zeros(3)

        ev = f.create_group("scalars/eval")                # no step: row index
        ev["acc"] = np.array([0.5, 0.25, 0.75], dtype=np.float32)

        f.create_group("scalars/ctl\x01 \u00e9")["v"] = np.array([1, 2], dtype=np.int16)
        f.create_group("unknown/group")["data"] = np.arange(5)
        f["scalars_note"] = "not a stream"

        ck = f.create_group("checkpoints")
        ck["step"] = np.array([0, 50, 100], dtype=np.int32)
        ck["layers"] = np.array(["embed", "block.0", "head"], dtype=h5py.string_dtype())
        ck["weight_norm"] = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9.5]], dtype=np.float32)


def swmr(path):
    # The recipe of docs/FORMAT.md, section "Live appends from Python (SWMR)".
    f = h5py.File(path, "w", libver="latest")
    f.attrs["trajscope_format"] = 1
    f.attrs["run_name"] = "live"
    g = f.create_group("scalars/train")
    cols = {
        "loss": g.create_dataset("loss", (0,), maxshape=(None,), dtype="f4", chunks=(1024,)),
        "wall_time": g.create_dataset("wall_time", (0,), maxshape=(None,), dtype="f8", chunks=(1024,)),
    }
    step = g.create_dataset("step", (0,), maxshape=(None,), dtype="i8", chunks=(1024,))
    f.swmr_mode = True
    for i in range(100):
        n = step.shape[0]
        for name, value in (("loss", 2.0 ** -(i % 20)), ("wall_time", 1.7e9 + i)):
            cols[name].resize((n + 1,))
            cols[name][n] = value
            cols[name].flush()
        step.resize((n + 1,))
        step[n] = 5 * i
        step.flush()
    f.close()


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("basic", "swmr"):
        sys.exit("usage: h5py_make_archive.py basic|swmr PATH")
    {"basic": basic, "swmr": swmr}[sys.argv[1]](sys.argv[2])
