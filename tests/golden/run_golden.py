#!/usr/bin/env python3
"""Golden test of the vhdchain CLI on one real image from ../shared/testdata.

For the image named by --image (see images.py) it:
  1. decompresses the stored file into a fresh temp folder (images are never copied into the repo);
  2. runs `vhdchain info --json` and `vhdchain info` and compares them with tests/golden/expected/<key>.*,
     after masking the few values that depend on the host (bytes allocated on this filesystem);
  3. runs `vhdchain export --raw` to a sparse file (and, for images up to 1.5 GiB, to stdout) and checks
     the SHA-256 of the virtual disk against the ground truth, or, for an image whose parent is not
     included, that export fails with exit code 2 and the expected message;
  4. checks that every input file is byte-identical and has its mtime unchanged afterwards
     (read-only commands never write, even when a VHDX log must be replayed).

Exit status: 0 pass, 1 fail, 77 skipped (ctest SKIP_RETURN_CODE) when ../shared/testdata is missing and
VHDCHAIN_REQUIRE_SHARED is not 1. --update rewrites the expected files instead of comparing.
"""

import argparse
import bz2
import errno
import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from images import IMAGES  # noqa: E402

SKIP = 77
PIPE_LIMIT = 1536 * 1024 * 1024
# Values that depend on the filesystem the test runs on, not on the image.
VOLATILE_JSON_KEYS = {"allocated_on_host"}
VOLATILE_TEXT_LABELS = ("Allocated on host",)
MASK = "<host-dependent>"


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


def find_shared(arg):
    candidates = [os.environ.get("VHDCHAIN_SHARED"), arg]
    for c in candidates:
        if c and (Path(c) / "testdata").is_dir():
            return Path(c) / "testdata"
    return None


def decompress(src: Path, dst_dir: Path, member=None) -> Path:
    dst_dir.mkdir(parents=True, exist_ok=True)
    name = src.name
    if name.endswith(".gz"):
        out, opener = dst_dir / name[:-3], gzip.open
    elif name.endswith(".bz2"):
        out, opener = dst_dir / name[:-4], bz2.open
    elif name.endswith(".zip"):
        with zipfile.ZipFile(src) as z:
            z.extract(member, dst_dir)
        return dst_dir / member
    else:
        out = dst_dir / name
        shutil.copyfile(src, out)
        return out
    with opener(src, "rb") as fin, open(out, "wb") as fout:
        shutil.copyfileobj(fin, fout, 8 << 20)
    return out


ZEROS = bytes(8 << 20)


def sha256_sparse(path: Path) -> str:
    """SHA-256 of the file's bytes. The holes of a sparse file (a 10 GiB export is mostly holes) are
    hashed from a buffer of zeros instead of being read: the same bytes (a hole reads as zeros),
    without the kernel copying gigabytes of zero pages (most of a golden test's time before)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        fd, size, pos = f.fileno(), os.fstat(f.fileno()).st_size, 0
        while pos < size:
            try:
                data = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError as e:
                if e.errno != errno.ENXIO:  # ENXIO: only a hole from pos to the end
                    raise
                data = size
            while pos < data:  # the hole [pos, data)
                n = min(len(ZEROS), data - pos)
                h.update(memoryview(ZEROS)[:n])
                pos += n
            if pos >= size:
                break
            hole = os.lseek(fd, pos, os.SEEK_HOLE)
            f.seek(pos)
            while pos < hole:
                chunk = f.read(min(8 << 20, hole - pos))
                if not chunk:
                    raise RuntimeError(f"{path}: ended at {pos} of {size} bytes")
                h.update(chunk)
                pos += len(chunk)
    return h.hexdigest()


def fingerprint(path: Path):
    digest = sha256_sparse(path)
    st = path.stat()
    return digest, st.st_mtime_ns, st.st_size


def run(cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def mask_json(value):
    if isinstance(value, dict):
        return {k: (MASK if k in VOLATILE_JSON_KEYS else mask_json(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_json(v) for v in value]
    return value


def mask_text(text: str) -> str:
    lines = []
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(VOLATILE_TEXT_LABELS):
            label = line.split(":", 1)[0]
            line = f"{label}: {MASK}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def compare(expected_file: Path, actual: str, update: bool, what: str):
    if update:
        expected_file.write_text(actual)
        return
    if not expected_file.exists():
        fail(f"{what}: no expected file {expected_file} (run with --update to create it)")
    expected = expected_file.read_text()
    if expected != actual:
        diff = subprocess.run(["diff", "-u", str(expected_file), "-"], input=actual.encode(),
                              stdout=subprocess.PIPE).stdout.decode(errors="replace")
        fail(f"{what} differs from {expected_file}:\n{diff}")


def sha256_of_stream(proc_stdout):
    h = hashlib.sha256()
    n = 0
    for chunk in iter(lambda: proc_stdout.read(8 << 20), b""):
        h.update(chunk)
        n += len(chunk)
    return h.hexdigest(), n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vhdchain", required=True)
    ap.add_argument("--image", required=True)
    ap.add_argument("--shared", default=str(Path(__file__).resolve().parents[3] / "shared"))
    ap.add_argument("--expected", default=str(Path(__file__).resolve().parent / "expected"))
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()

    image = next((i for i in IMAGES if i.key == args.image), None)
    if image is None:
        fail(f"unknown image key {args.image}")
    testdata = find_shared(args.shared)
    if testdata is None:
        if os.environ.get("VHDCHAIN_REQUIRE_SHARED") == "1":
            fail("../shared/testdata is missing and VHDCHAIN_REQUIRE_SHARED=1")
        print("SKIPPED: ../shared/testdata not found beside the checkout: real-image golden tests skipped")
        sys.exit(SKIP)

    vhdchain = str(Path(args.vhdchain).resolve())
    expected_dir = Path(args.expected)
    with tempfile.TemporaryDirectory(prefix=f"vhdchain-golden-{image.key}-") as tmp:
        tmp = Path(tmp)
        inputs = []
        for stored in [image.stored] + image.companions:
            src = testdata / stored
            inputs.append(decompress(src, tmp / Path(stored).parent, image.member if stored == image.stored else None))
        target = inputs[0].relative_to(tmp)
        before = {p: fingerprint(p) for p in inputs}

        # info --json
        want_rc = 2 if image.open_error else 0
        r = run([vhdchain, "info", "--json", str(target)], tmp)
        if r.returncode != want_rc:
            fail(f"info --json exited {r.returncode}, want {want_rc}: {r.stderr.decode(errors='replace')}")
        doc = mask_json(json.loads(r.stdout))
        compare(expected_dir / f"{image.key}.info.json", json.dumps(doc, indent=2, ensure_ascii=False) + "\n",
                args.update, "info --json")

        # info (human)
        r = run([vhdchain, "info", str(target)], tmp)
        if r.returncode != want_rc:
            fail(f"info exited {r.returncode}, want {want_rc}: {r.stderr.decode(errors='replace')}")
        compare(expected_dir / f"{image.key}.info.txt", mask_text(r.stdout.decode()), args.update, "info")
        if image.open_error:
            compare(expected_dir / f"{image.key}.info.err", r.stderr.decode(), args.update, "info error")

        # export
        out = tmp / "export.raw"
        r = run([vhdchain, "export", str(target), "--raw", str(out)], tmp)
        if image.export_error or image.open_error:
            if r.returncode != 2:
                fail(f"export of {target} should fail with exit code 2, got {r.returncode}")
            compare(expected_dir / f"{image.key}.export.err", r.stderr.decode(), args.update, "export error")
            if out.exists():
                fail("a failed export left its output behind")
        else:
            if r.returncode != 0:
                fail(f"export exited {r.returncode}: {r.stderr.decode(errors='replace')}")
            size = out.stat().st_size
            if size != image.virtual_size:
                fail(f"export wrote {size} bytes, virtual size is {image.virtual_size}")
            if image.all_zero:
                allocated = out.stat().st_blocks * 512
                if allocated > 1 << 20:
                    fail(f"all-zero disk exported with {allocated} bytes allocated: not sparse")
                with open(out, "rb") as f:  # spot-check that the holes read back as zeros
                    for pos in (0, size // 2, size - 4096):
                        f.seek(pos)
                        if f.read(4096).strip(b"\0"):
                            fail(f"non-zero bytes at {pos} of an all-zero disk")
            if image.sha256:
                digest = fingerprint(out)[0]
                if digest != image.sha256:
                    fail(f"export --raw SHA-256 {digest} != ground truth {image.sha256}")
            out.unlink()
            if image.sha256 and image.virtual_size <= PIPE_LIMIT:
                p = subprocess.Popen([vhdchain, "export", str(target), "--raw", "-"], cwd=tmp,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                digest, n = sha256_of_stream(p.stdout)
                err = p.stderr.read().decode(errors="replace")
                if p.wait() != 0:
                    fail(f"export --raw - exited {p.returncode}: {err}")
                if n != image.virtual_size or digest != image.sha256:
                    fail(f"export --raw - gave {n} bytes with SHA-256 {digest}, want {image.virtual_size} / {image.sha256}")

        after = {p: fingerprint(p) for p in inputs}
        for p in inputs:
            if before[p] != after[p]:
                fail(f"input {p.relative_to(tmp)} changed (sha256, mtime_ns, size): {before[p]} -> {after[p]}")
    print(f"PASS: {image.key}")


if __name__ == "__main__":
    main()
