#!/usr/bin/env python3
"""Peak memory of `adv` training on a full-size PCam (make pcam-memory).

PCam's training file holds 262,144 patches of 96x96x3 bytes (7.2 GB). Without the real files
this writes synthetic ones in the real layout (`camelyonpatch_level_2_split_{train,test}_{x,y}.h5`,
datasets `x` N x 96 x 96 x 3 uint8 and `y` N x 1 x 1 x 1 uint8), then runs `adv` on a script that
loads every patch, trains a model on them and evaluates it, and reads the peak resident memory
(VmHWM) of `adv` and of its PCam reader process (`adv read-pcam`) while they run. It exits 1
when `adv` peaks above the limit (2 GiB).

The synthetic patches are noise, with a brighter centre square on label 1 (the centre 32x32
defines PCam's label), so a model can learn them.

    .venv/bin/python scripts/pcam_memory.py [--dir DIR] [--train N] [--test N] [--model ARCH]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np


def write_split(directory, split, n, rng):
    import h5py
    xs = os.path.join(directory, f"camelyonpatch_level_2_split_{split}_x.h5")
    ys = os.path.join(directory, f"camelyonpatch_level_2_split_{split}_y.h5")
    if os.path.exists(xs) and os.path.exists(ys):
        return  # real files, or synthetic ones written before: used as they are
    labels = (rng.random(n) < 0.5).astype(np.uint8)
    for path, name in [(xs, "x"), (ys, "y")]:
        tmp = path + ".partial"
        with h5py.File(tmp, "w") as f:
            if name == "y":
                f.create_dataset("y", data=labels.reshape(n, 1, 1, 1))
            else:
                x = f.create_dataset("x", shape=(n, 96, 96, 3), dtype=np.uint8)
                step = 2048
                for start in range(0, n, step):
                    end = min(n, start + step)
                    block = rng.integers(0, 160, size=(end - start, 96, 96, 3), dtype=np.uint8)
                    bright = labels[start:end] == 1
                    block[bright, 32:64, 32:64, :] += 80
                    x[start:end] = block
        os.replace(tmp, path)


def children(pid):
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:
        pass
    return found


def peak_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dir", default=".build/pcam-synthetic", help="where the (synthetic) PCam files are or go")
    p.add_argument("--train", type=int, default=262144, help="training patches (PCam: 262,144)")
    p.add_argument("--test", type=int, default=32768, help="test patches (PCam: 32,768)")
    p.add_argument("--model", default="mlp", help="architecture trained for one epoch")
    p.add_argument("--adv", default=".build/release/adv")
    p.add_argument("--limit-gib", type=float, default=2.0)
    args = p.parse_args()

    os.makedirs(args.dir, exist_ok=True)
    rng = np.random.default_rng(20261207)
    t0 = time.time()
    write_split(args.dir, "train", args.train, rng)
    write_split(args.dir, "test", args.test, rng)
    size = sum(os.path.getsize(os.path.join(args.dir, f)) for f in os.listdir(args.dir) if f.endswith(".h5"))
    print(f"PCam files in {args.dir}: {size / 2**30:.2f} GiB ({args.train} train, {args.test} test patches; "
          f"{time.time() - t0:.0f} s to write or check)")

    work = tempfile.mkdtemp(prefix="adv-pcam-memory-")
    script = os.path.join(work, "pcam-memory.adv")
    with open(script, "w") as f:
        f.write("# Written by scripts/pcam_memory.py: every PCam patch, one epoch.\n"
                f"seed 1\nload pcam from \"{os.path.abspath(args.dir)}\"\n"
                f"model m = train {args.model} epochs=1\nevaluate m\nreport\n")
    out = os.path.join(work, "out")
    env = dict(os.environ, ADV_PROGRESS_INTERVAL="30")
    start = time.time()
    proc = subprocess.Popen([args.adv, "run", script, "--out", out, "--no-cache", "--progress", "lines"], env=env)
    main_peak = helper_peak = 0
    while proc.poll() is None:
        main_peak = max(main_peak, peak_kib(proc.pid))
        for c in children(proc.pid):
            helper_peak = max(helper_peak, peak_kib(c))
        time.sleep(0.1)
    seconds = time.time() - start
    limit = args.limit_gib * 2**20
    print(f"adv: exit {proc.returncode} in {seconds:.0f} s; peak RSS {main_peak / 2**20:.2f} GiB "
          f"(limit {args.limit_gib:.1f}); its PCam reader process {helper_peak / 2**20:.2f} GiB")
    if proc.returncode != 0:
        return proc.returncode
    if main_peak > limit:
        print("FAIL: adv's peak RSS is over the limit", file=sys.stderr)
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
