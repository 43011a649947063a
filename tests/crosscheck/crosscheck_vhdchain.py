#!/usr/bin/env python3
"""Reads every view of the crosscheck corpus with `vhdchain export --raw -` and compares it with the
SHA-256 the specifications require (manifest.json, written by vhdchain_crosscheck_gen).

Unlike libvhdi and qemu-img (crosscheck_readers.py), vhdchain must match the specification in every
view, including the ones where those readers have documented bugs, so there are no exceptions here:
every expected[i] must be equal, with its size.

usage: crosscheck_vhdchain.py --vhdchain BIN --manifest corpus/manifest.json
"""
import argparse
import hashlib
import json
import subprocess
import sys
from pathlib import Path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vhdchain", required=True)
    ap.add_argument("--manifest", required=True)
    args = ap.parse_args()
    manifest = Path(args.manifest)
    doc = json.loads(manifest.read_text())
    failures, views = [], 0
    for chain in doc["chains"]:
        for layer, expected in zip(chain["layers"], chain["expected"]):
            views += 1
            path = manifest.parent / layer["file"]
            proc = subprocess.Popen([args.vhdchain, "export", str(path), "--raw", "-"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            h, n = hashlib.sha256(), 0
            for chunk in iter(lambda: proc.stdout.read(8 << 20), b""):
                h.update(chunk)
                n += len(chunk)
            err = proc.stderr.read().decode(errors="replace")
            if proc.wait() != 0:
                failures.append(f"{layer['file']}: export exited {proc.returncode}: {err.strip()}")
            elif n != expected["size"] or h.hexdigest() != expected["sha256"]:
                failures.append(f"{layer['file']}: read {n} bytes sha256 {h.hexdigest()}, "
                                f"want {expected['size']} bytes sha256 {expected['sha256']}")
    for f in failures:
        print("FAIL:", f)
    print(f"vhdchain crosscheck: {views - len(failures)} passed, {len(failures)} failed")
    sys.exit(1 if failures or views == 0 else 0)


if __name__ == "__main__":
    main()
