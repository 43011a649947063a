#!/usr/bin/env python3
"""`vhdchain check` over a folder tree of 10,000 disks, against a loop of `qemu-img info` over the
same files (benchmark, never a timed test).

The tree (made by build/tools/vhdchain-mktree): 2,500 VM folders, each a dynamic base VHDX and three
checkpoints linked Hyper-V style; every checkpoint holds a partially present block and so a 1 MiB
sector bitmap block, as real ones do (issue 14: plain check kept one per checkpoint, 8 GB in all).
The cache is warmed by one untimed run. Goals: `check` finishes in 2 s or less on a 2-core machine,
and its peak RSS stays under 1 GiB (reported per run: the whole report, JSON text included). The baseline is what an admin scripts today: one `qemu-img info`
per file (it reports each file alone; it cannot link VHDX chains).

usage: bench/check_tree.py [--build build] [--workdir /var/tmp/vhdchain-check-bench] [--vms 2500]
                           [--depth 4] [--repeat 5] [--qemu-sample N]
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def timed(cmd, repeat):
    """Best and median wall time, least CPU time (user + system) and largest peak RSS (MiB)."""
    walls, cpus, rss = [], [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        stderr = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        rss = max(rss, usage.ru_maxrss / 1024)
        code = os.waitstatus_to_exitcode(status)
        if code not in (0, 1):
            sys.exit(f"{cmd[0]} failed ({code}): {stderr.decode(errors='replace')}")
    return min(walls), statistics.median(walls), min(cpus), rss


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--workdir", default="/var/tmp/vhdchain-check-bench")
    ap.add_argument("--vms", type=int, default=2500)
    ap.add_argument("--depth", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--qemu-sample", type=int, default=0,
                    help="time qemu-img info on only this many files and scale up (0: all)")
    args = ap.parse_args()

    build = Path(args.build)
    tree = Path(args.workdir) / f"tree-{args.vms}x{args.depth}"
    if not tree.exists():
        print(f"generating {args.vms * args.depth} disks in {tree} ...", flush=True)
        subprocess.run([str(build / "tools" / "vhdchain-mktree"), str(tree), str(args.vms), str(args.depth)], check=True)
    files = sorted(str(p) for p in tree.rglob("*") if p.suffix in (".vhdx", ".avhdx"))
    print(f"{len(files)} disk files, {os.cpu_count()} CPUs")

    medians = {}
    for fmt in ("human", "json"):
        vhdchain = [str(build / "cli" / "vhdchain"), "check", "--format", fmt, str(tree)]
        subprocess.run(vhdchain, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm the cache
        best, median, cpu, rss = timed(vhdchain, args.repeat)
        medians[fmt] = median
        print(f"vhdchain check --format {fmt}: best {best:.3f} s, median {median:.3f} s over {args.repeat} runs "
              f"(goal <= 2 s); CPU {cpu:.3f} s; peak RSS {rss:.0f} MiB (goal <= 1024)")
    median = max(medians.values())

    sample = files if args.qemu_sample <= 0 else files[: args.qemu_sample]
    start = time.perf_counter()
    for f in sample:
        subprocess.run(["qemu-img", "info", "-U", f], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    qemu = (time.perf_counter() - start) * len(files) / len(sample)
    scaled = "" if len(sample) == len(files) else f" (scaled from {len(sample)} files)"
    print(f"qemu-img info loop: {qemu:.1f} s{scaled}")
    print(f"ratio: check is {qemu / median:.0f}x faster than the qemu-img info loop (median)")
    print(f"goal {'MET' if median <= 2.0 else 'MISSED'}: median {median:.3f} s vs 2 s")
    print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())} "
          f"(a busy machine stretches wall time; CPU time does not)")


if __name__ == "__main__":
    main()
