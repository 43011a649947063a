#!/usr/bin/env python3
"""vhdchain benchmarks, reported as ratios against named baselines (never run as timed unit tests).

  info_64tib   `vhdchain info` of a 64 TiB dynamic VHDX (a sparse file made by qemu-img):
               wall time and peak RSS against the goals (50 ms, 64 MiB) and against `qemu-img info`.
  export_4gib  `vhdchain export --raw` of a 4 GiB fully allocated dynamic VHDX (random data, made by
               `qemu-img convert -O vhdx`) to a file: throughput against `cat` of the same 4 GiB to the
               same filesystem (goal >= 0.9x) and against `qemu-img convert -O raw` (goal: faster).

Every timed command includes a final `sync`, so a tool that leaves its data in the page cache is not
favoured over one that flushes. Each command runs --repeat times; the best run counts.

usage: bench/bench.py [--vhdchain build/cli/vhdchain] [--workdir /var/tmp/vhdchain-bench] [--only NAME]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

GiB = 1 << 30
MiB = 1 << 20


def timed(cmd, repeat, stdout=subprocess.DEVNULL):
    """Runs cmd repeat times; returns (best wall seconds, median wall seconds, max peak RSS in bytes)."""
    walls, rss = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, shell=isinstance(cmd, str))
        _, status, usage = os.wait4(proc.pid, 0)
        subprocess.run(["sync"])
        walls.append(time.perf_counter() - start)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"benchmark command failed: {cmd}\n{proc.stderr.read().decode(errors='replace')}")
        rss = max(rss, usage.ru_maxrss * 1024)
    return min(walls), statistics.median(walls), rss


def bench_info(vhdchain, work, repeat):
    image = work / "info-64tib.vhdx"
    if not image.exists():
        subprocess.run(["qemu-img", "create", "-q", "-f", "vhdx", "-o", "subformat=dynamic", str(image), "64T"],
                       check=True)
    ours = timed([vhdchain, "info", str(image)], repeat)
    ours_json = timed([vhdchain, "info", "--json", str(image)], repeat)
    qemu = timed(["qemu-img", "info", str(image)], repeat)
    print("info_64tib: 64 TiB dynamic VHDX (qemu-img, 64 MiB blocks)")
    print(f"  vhdchain info         best {ours[0] * 1e3:7.1f} ms  median {ours[1] * 1e3:7.1f} ms  "
          f"peak RSS {ours[2] / MiB:6.1f} MiB")
    print(f"  vhdchain info --json  best {ours_json[0] * 1e3:7.1f} ms  peak RSS {ours_json[2] / MiB:6.1f} MiB")
    print(f"  qemu-img info         best {qemu[0] * 1e3:7.1f} ms  peak RSS {qemu[2] / MiB:6.1f} MiB")
    print(f"  ratios: time / 50 ms goal = {ours[0] / 0.050:.2f} (<= 1 meets it); "
          f"RSS / 64 MiB goal = {ours[2] / (64 * MiB):.2f} (<= 1 meets it); "
          f"time vs qemu-img info = {ours[0] / qemu[0]:.2f}x")


def bench_export(vhdchain, work, repeat):
    raw = work / "export-4gib.raw"
    image = work / "export-4gib.vhdx"
    if not image.exists():
        if not raw.exists():
            subprocess.run(f"openssl rand -out '{raw}' {4 * GiB}", shell=True, check=True)
        subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "vhdx", "-o", "subformat=dynamic",
                        str(raw), str(image)], check=True)
    if not raw.exists():
        subprocess.run(["qemu-img", "convert", "-O", "raw", str(image), str(raw)], check=True)
    out = work / "out.raw"

    def clean():
        if out.exists():
            out.unlink()

    results = {}
    for name, cmd in [
        ("cat", f"cat '{raw}' > '{out}'"),
        ("vhdchain export --raw", [vhdchain, "export", str(image), "--raw", str(out), "--force"]),
        ("qemu-img convert -O raw", ["qemu-img", "convert", "-f", "vhdx", "-O", "raw", str(image), str(out)]),
    ]:
        clean()
        best, median, rss = timed(cmd, repeat)
        results[name] = (best, median, rss)
        clean()
    size = 4 * GiB
    print("export_4gib: 4 GiB fully allocated dynamic VHDX -> raw file on the same filesystem")
    for name, (best, median, rss) in results.items():
        print(f"  {name:25s} best {size / best / MiB:7.0f} MiB/s  median {size / median / MiB:7.0f} MiB/s  "
              f"peak RSS {rss / MiB:6.1f} MiB")
    ours = results["vhdchain export --raw"][0]
    print(f"  ratios: throughput vs cat = {results['cat'][0] / ours:.2f}x (goal >= 0.90); "
          f"vs qemu-img convert = {results['qemu-img convert -O raw'][0] / ours:.2f}x (goal > 1)")


def main():
    root = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser()
    ap.add_argument("--vhdchain", default=str(root / "build" / "cli" / "vhdchain"))
    ap.add_argument("--workdir", default="/var/tmp/vhdchain-bench")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", choices=["info_64tib", "export_4gib"])
    ap.add_argument("--clean", action="store_true", help="delete the generated images afterwards")
    args = ap.parse_args()
    if not shutil.which("qemu-img"):
        sys.exit("qemu-img is needed to make the benchmark images (Debian qemu-utils)")
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    if args.only in (None, "info_64tib"):
        bench_info(args.vhdchain, work, max(args.repeat, 5))
    if args.only in (None, "export_4gib"):
        bench_export(args.vhdchain, work, args.repeat)
    if args.clean:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
