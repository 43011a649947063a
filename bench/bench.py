#!/usr/bin/env python3
"""vhdchain benchmarks, reported as ratios against named baselines (never run as timed unit tests).

  info_64tib   `vhdchain info` of a 64 TiB dynamic VHDX (a sparse file made by qemu-img):
               wall time and peak RSS against the goals (50 ms, 64 MiB) and against `qemu-img info`.
  export_4gib  `vhdchain export --raw` of a 4 GiB fully allocated dynamic VHDX (random data, made by
               `qemu-img convert -O vhdx`) to a file: throughput against `cat` of the same 4 GiB to the
               same filesystem (goal >= 0.9x) and against `qemu-img convert -O raw` (goal: faster).

The commands of a benchmark run in rounds (--repeat rounds, each command once per round, the order
rotated every round), so load from other users of the machine spreads over all of them instead of
hitting one command's runs. Each export command is timed up to and including `sync OUT` (an fsync
of the output file: vhdchain fsyncs it itself, `cat` and `qemu-img convert`, whose default cache
mode is unsafe, do not), so a tool that leaves its data in the page cache is not favoured. OUT is
deleted before every run, outside the timing. Best, median and spread (worst / best) are printed;
the goals are judged on both best and median.

usage: bench/bench.py [--vhdchain build-rel/cli/vhdchain] [--workdir /var/tmp/vhdchain-bench]
                      [--repeat 5] [--only NAME] [--baseline OTHER_VHDCHAIN] [--clean]
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GiB = 1 << 30
MiB = 1 << 20


def run_once(cmd, sync_path=None):
    """Runs cmd once; returns (wall seconds, peak RSS in bytes).

    The peak RSS comes from GNU time (/usr/bin/time -f %M) when installed: a child forked from this
    Python process inherits its memory high-water mark across exec, so ru_maxrss of wait4 would
    report Python's size for any small command. GNU time's own fork starts small. Its few
    milliseconds of start-up are counted for every command alike."""
    gnu_time = Path("/usr/bin/time")
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile() as rss_file:
        argv = ["sh", "-c", cmd] if isinstance(cmd, str) else list(cmd)
        if gnu_time.exists():
            argv = [str(gnu_time), "-f", "%M", "-o", rss_file.name] + argv
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        if os.waitstatus_to_exitcode(status) == 0 and sync_path is not None:
            subprocess.run(["sync", str(sync_path)], check=True)
        wall = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            err.seek(0)
            sys.exit(f"benchmark command failed: {cmd}\n{err.read().decode(errors='replace')}")
        if gnu_time.exists():
            return wall, int(Path(rss_file.name).read_text().split()[-1]) * 1024
    return wall, usage.ru_maxrss * 1024


def rounds(commands, repeat, before=None, sync_path=None):
    """Runs every (name, cmd) once per round, rotating the order; returns name -> (walls, max RSS)."""
    walls = {name: [] for name, _ in commands}
    rss = {name: 0 for name, _ in commands}
    for r in range(repeat):
        shift = r % len(commands)
        for name, cmd in commands[shift:] + commands[:shift]:
            if before:
                before()
            wall, peak = run_once(cmd, sync_path)
            walls[name].append(wall)
            rss[name] = max(rss[name], peak)
    return {name: (walls[name], rss[name]) for name in walls}


def summary(walls):
    return min(walls), statistics.median(walls), max(walls) / min(walls)


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{platform.node()}: {os.cpu_count()} CPUs ({cpu}), kernel {platform.release()}, load average {load}"


def bench_info(vhdchain, work, repeat):
    image = work / "info-64tib.vhdx"
    if not image.exists():
        subprocess.run(["qemu-img", "create", "-q", "-f", "vhdx", "-o", "subformat=dynamic", str(image), "64T"],
                       check=True)
    res = rounds([
        ("vhdchain info", [vhdchain, "info", str(image)]),
        ("vhdchain info --json", [vhdchain, "info", "--json", str(image)]),
        ("qemu-img info", ["qemu-img", "info", str(image)]),
    ], repeat)
    info = json.loads(subprocess.run([vhdchain, "info", "--json", str(image)], check=True, capture_output=True).stdout)
    info = info["images"][0]
    print(f"info_64tib: 64 TiB dynamic VHDX (qemu-img, {info['block_size'] // MiB} MiB blocks, "
          f"{image.stat().st_blocks * 512 / MiB:.0f} MiB on disk), {repeat} rounds")
    for name, (walls, rss) in res.items():
        best, median, spread = summary(walls)
        print(f"  {name:22s} best {best * 1e3:7.1f} ms  median {median * 1e3:7.1f} ms  spread {spread:5.2f}x  "
              f"peak RSS {rss / MiB:6.1f} MiB")
    best, median, _ = summary(res["vhdchain info"][0])
    qbest, qmedian, _ = summary(res["qemu-img info"][0])
    rss = max(res["vhdchain info"][1], res["vhdchain info --json"][1])
    print(f"  ratios: time / 50 ms goal = {best / 0.050:.2f} best, {median / 0.050:.2f} median (<= 1 meets it); "
          f"RSS / 64 MiB goal = {rss / (64 * MiB):.2f} (<= 1 meets it); "
          f"time vs qemu-img info = {best / qbest:.2f}x best, {median / qmedian:.2f}x median")


def make_random(path, size):
    with open(path, "wb") as f:
        for _ in range(size // (64 * MiB)):
            f.write(os.urandom(64 * MiB))


def bench_export(vhdchain, work, repeat, baseline=None):
    raw = work / "export-4gib.raw"
    image = work / "export-4gib.vhdx"
    if not image.exists():
        if not raw.exists():
            make_random(raw, 4 * GiB)
        subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "vhdx", "-o", "subformat=dynamic",
                        str(raw), str(image)], check=True)
    if not raw.exists():
        subprocess.run(["qemu-img", "convert", "-O", "raw", str(image), str(raw)], check=True)
    out = work / "out.raw"

    def clean():
        if out.exists():
            out.unlink()

    # Both inputs in the page cache, so every command reads from memory, whichever ran first.
    for f in (raw, image):
        subprocess.run(f"cat '{f}' > /dev/null", shell=True, check=True)
    commands = [
        ("cat", f"cat '{raw}' > '{out}'"),
        ("vhdchain export --raw", [vhdchain, "export", str(image), "--raw", str(out), "--force"]),
        ("qemu-img convert -O raw", ["qemu-img", "convert", "-f", "vhdx", "-O", "raw", str(image), str(out)]),
    ]
    if baseline:
        commands.append(("baseline export --raw", [baseline, "export", str(image), "--raw", str(out), "--force"]))
    res = rounds(commands, repeat, before=clean, sync_path=out)
    clean()
    size = 4 * GiB
    print(f"export_4gib: 4 GiB fully allocated dynamic VHDX -> raw file on the same filesystem, {repeat} rounds")
    for name, (walls, rss) in res.items():
        best, median, spread = summary(walls)
        print(f"  {name:25s} best {size / best / MiB:7.0f} MiB/s  median {size / median / MiB:7.0f} MiB/s  "
              f"spread {spread:5.2f}x  peak RSS {rss / MiB:6.1f} MiB")
    ours = summary(res["vhdchain export --raw"][0])
    cat = summary(res["cat"][0])
    qemu = summary(res["qemu-img convert -O raw"][0])
    print(f"  ratios: throughput vs cat = {cat[0] / ours[0]:.2f}x best, {cat[1] / ours[1]:.2f}x median (goal >= 0.90); "
          f"vs qemu-img convert = {qemu[0] / ours[0]:.2f}x best, {qemu[1] / ours[1]:.2f}x median (goal > 1)")
    if baseline:
        base = summary(res["baseline export --raw"][0])
        print(f"  vs the baseline vhdchain: {base[0] / ours[0]:.2f}x best, {base[1] / ours[1]:.2f}x median")


def main():
    root = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser()
    ap.add_argument("--vhdchain", default=str(root / "build-rel" / "cli" / "vhdchain"))
    ap.add_argument("--workdir", default="/var/tmp/vhdchain-bench")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", choices=["info_64tib", "export_4gib"])
    ap.add_argument("--baseline", help="another vhdchain binary to time beside --vhdchain in export_4gib")
    ap.add_argument("--clean", action="store_true", help="delete the workdir afterwards")
    args = ap.parse_args()
    if not shutil.which("qemu-img"):
        sys.exit("qemu-img is needed to make the benchmark images (Debian qemu-utils)")
    if not os.access(args.vhdchain, os.X_OK):
        sys.exit(f"{args.vhdchain}: not found; build it first (docs/benchmarks.md)")
    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    print(machine())
    print(f"vhdchain: {args.vhdchain}; workdir: {work}; {time.strftime('%Y-%m-%d %H:%M %Z')}")
    try:
        if args.only in (None, "info_64tib"):
            bench_info(args.vhdchain, work, max(args.repeat, 5))
        if args.only in (None, "export_4gib"):
            bench_export(args.vhdchain, work, args.repeat, args.baseline)
    finally:
        if args.clean:
            shutil.rmtree(work)


if __name__ == "__main__":
    main()
