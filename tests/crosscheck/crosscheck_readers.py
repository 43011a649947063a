#!/usr/bin/python3
"""Reads the synthetic crosscheck corpus with an independent reader and compares it with the manifest.

    crosscheck_readers.py --reader libvhdi|qemu (--generator GEN --work DIR [--large] | --manifest FILE)

libvhdi is used through pyvhdi (Debian python3-libvhdi; run with /usr/bin/python3, whose
site-packages hold it), opening every chain layer by layer with set_parent(). qemu-img opens each
file alone (it follows no VHD/VHDX parent). For every view of the manifest (a layer read with its
parents) the reader must return exactly the bytes the manifest expects: the spec's content, or,
for a documented reader bug, the emulated buggy content; a documented refusal must be a refusal.
A reader that suddenly agrees with the spec where a bug was documented also fails, so the
documentation stays true. The manifest format is described in README.md beside this script.

Exit status: 0 all views as expected, 1 a mismatch, 77 the reader is missing (ctest SKIP), unless
VHDCHAIN_REQUIRE_SHARED=1 or CI=true, where a missing reader is a failure.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid

SKIP_RETURN_CODE = 77

# Every deviation id the generator may emit, with what the reader does and why the spec wins.
# The generator (reader_expectations.cc) emulates each one byte for byte; docs/peers.md section 5
# records the measurements.
DOCUMENTED_BUGS = {
    # MS-VHDX 2.5.1.1: ZERO, UNMAPPED and UNDEFINED blocks read as zeros in every disk type; only
    # NOT_PRESENT and the 0 bits of a PARTIALLY_PRESENT block defer to the parent. libvhdi reads
    # every non-FULLY_PRESENT block of a child through the sector bitmap, whose bits are 0 there,
    # so it shows the parent's data where the guest trimmed or zeroed the disk.
    "libvhdi-vhdx-child-state-ignored": "libvhdi reads ZERO/UNMAPPED/UNDEFINED child blocks through "
    "the sector bitmap and shows the parent instead of zeros",
    # MS-VHDX 2.5.1.2: a chunk whose SB entry is SB_BLOCK_NOT_PRESENT has no bitmap, and its
    # NOT_PRESENT/ZERO blocks read from the parent / as zeros. libvhdi still reads a bitmap, at the
    # entry's file offset 0, i.e. the bytes of the file identifier ("vhdxfile" + creator): sectors
    # whose "bit" is set there read as zeros instead of the parent.
    "libvhdi-vhdx-child-without-sector-bitmap": "libvhdi takes the bitmap of a chunk without a "
    "sector-bitmap block from file offset 0",
    # VHD spec, "Block Bitmap": one bit per sector, MSB first. libvhdi shifts the bitmap byte right
    # by (7 - bit) without masking, so a sector counts as present when any earlier sector of the
    # same byte is, and it reads the child's (zero) data area instead of the parent.
    "libvhdi-vhd-unmasked-bitmap": "libvhdi tests VHD bitmap bits without masking: later sectors of "
    "a bitmap byte read from the child",
    # MS-VHDX 2.3.3: a non-zero LogGuid means the log MUST be replayed before the file is used
    # (in memory for read-only opens). libvhdi never replays, so it reads the stale BAT and the
    # old Virtual Disk Size.
    "libvhdi-vhdx-log-ignored": "libvhdi does not replay a pending VHDX log (stale BAT, old size)",
    # QEMU declines these VHDX variants (ENOTSUP); they are valid per MS-VHDX 2.6.2.4 / 2.6.2.6 / 2.3.
    "qemu-vhdx-differencing-refused": "qemu-img does not open differencing VHDX",
    "qemu-vhdx-4k-sectors-refused": "qemu-img does not open VHDX with 4096-byte logical sectors",
    "qemu-vhdx-pending-log-refused": "qemu-img refuses a read-only open of a VHDX with a pending log",
    # VHD spec, "Differencing Hard Disk Image": sectors whose bit is 0 and unallocated blocks come
    # from the parent. QEMU's vpc driver has no backing file: it reads a child as a dynamic disk.
    "qemu-vhd-parent-ignored": "qemu-img reads a differencing VHD without its parent (zeros instead "
    "of parent data)",
}


def reader_required():
    return os.environ.get("VHDCHAIN_REQUIRE_SHARED") == "1" or os.environ.get("CI") == "true"


def reader_unavailable(message):
    if reader_required():
        print(f"FAILED: {message} (VHDCHAIN_REQUIRE_SHARED=1 or CI=true requires it)")
        sys.exit(1)
    print(f"SKIPPED: {message}")
    sys.exit(SKIP_RETURN_CODE)


def digest(read, size, segment_size):
    """SHA-256 of the whole disk and of each segment, reading through read(offset, length)."""
    total = hashlib.sha256()
    segments = []
    offset = 0
    while offset < size:
        length = min(segment_size, size - offset)
        data = read(offset, length)
        if len(data) != length:
            raise IOError(f"short read at {offset}: {len(data)} of {length} bytes")
        total.update(data)
        segments.append(hashlib.sha256(data).hexdigest())
        offset += length
    return total.hexdigest(), segments


def differing_segments(got, want):
    if not want:
        return "no segment digests (large disk)"
    diff = [i for i, (a, b) in enumerate(zip(got, want)) if a != b]
    if len(got) != len(want):
        diff.append(f"count {len(got)} != {len(want)}")
    shown = ", ".join(str(d) for d in diff[:12]) + (" ..." if len(diff) > 12 else "")
    return f"segments [{shown}]"


class Report:
    def __init__(self, reader):
        self.reader = reader
        self.failures = 0
        self.checked = 0

    def ok(self, name, message):
        self.checked += 1
        print(f"ok    {self.reader:8} {name}: {message}")

    def fail(self, name, message):
        self.checked += 1
        self.failures += 1
        print(f"FAIL  {self.reader:8} {name}: {message}")


def judge(report, name, view, expectation, size, sha, segments):
    """Compares what a reader returned with the manifest's view and reader expectation."""
    want = expectation["expect"]
    matches_spec = size == view["size"] and sha == view["sha256"]
    if want == "equal":
        if matches_spec:
            report.ok(name, f"equal to the spec (sha256 {sha[:16]}...)")
        else:
            report.fail(name, f"differs from the spec: size {size} vs {view['size']}, "
                        f"{differing_segments(segments, view.get('segment_sha256'))}")
        return
    if want == "refuse":
        report.fail(name, f"expected a refusal ({', '.join(expectation['bugs'])}) but it read {size} bytes")
        return
    # A documented deviation: the reader must return exactly the emulated buggy bytes. The spec
    # is right and the reader wrong (see DOCUMENTED_BUGS); asserting the exact bytes makes sure
    # nothing but the documented bug differs.
    bugs = ", ".join(expectation["bugs"])
    unknown = [b for b in expectation["bugs"] if b not in DOCUMENTED_BUGS]
    if unknown:
        report.fail(name, f"manifest names undocumented bugs {unknown}")
    elif size == expectation["size"] and sha == expectation["sha256"]:
        where = differing_segments(segments, view.get("segment_sha256")) if size == view["size"] else "disk size"
        report.ok(name, f"documented deviation ({bugs}) in {where}; the spec wins")
    elif matches_spec:
        report.fail(name, f"now equal to the spec although {bugs} was expected: reader fixed? update the expectation")
    else:
        report.fail(name, f"neither the spec nor the documented deviation ({bugs}): size {size}, "
                    f"vs deviation {differing_segments(segments, expectation.get('segment_sha256'))}")


def guid_text(hex_bytes, fmt):
    # libvhdi prints VHDX GUIDs in Microsoft's mixed-endian form and VHD unique ids as a plain
    # big-endian reading of the 16 bytes (measured with vhdiinfo 20210425).
    raw = bytes.fromhex(hex_bytes)
    return str(uuid.UUID(bytes_le=raw) if fmt == "vhdx" else uuid.UUID(bytes=raw))


def check_libvhdi(manifest, root, report):
    try:
        import pyvhdi
    except ImportError:
        reader_unavailable("pyvhdi is not installed (Debian package python3-libvhdi, run with /usr/bin/python3)")
    segment_size = manifest["segment_size"]
    for chain in manifest["chains"]:
        layers = chain["layers"]
        for level, view in enumerate(chain["expected"]):
            name = layers[level]["file"]
            expectation = view["readers"]["libvhdi"]
            handles = []
            try:
                for i in range(level + 1):
                    handle = pyvhdi.file()
                    handle.open(os.path.join(root, layers[i]["file"]))
                    if i > 0:
                        handle.set_parent(handles[-1])
                    handles.append(handle)
                top = handles[-1]
                layer = layers[level]
                if top.get_identifier() != guid_text(layer["id_hex"], layer["format"]):
                    report.fail(name, f"identifier {top.get_identifier()} is not "
                                f"{guid_text(layer['id_hex'], layer['format'])}")
                    continue
                if layer["parent_id_hex"] and top.get_parent_identifier() != guid_text(
                        layer["parent_id_hex"], layer["format"]):
                    report.fail(name, f"parent identifier {top.get_parent_identifier()} is not the parent's")
                    continue
                size = top.get_media_size()
                sha, segments = digest(lambda off, n: top.read_buffer_at_offset(n, off), size, segment_size)
            except IOError as error:
                if expectation["expect"] == "refuse":
                    report.ok(name, f"refused as documented ({', '.join(expectation['bugs'])})")
                else:
                    report.fail(name, f"libvhdi error: {error}")
                continue
            finally:
                for handle in reversed(handles):
                    handle.close()
            judge(report, name, view, expectation, size, sha, segments)


def check_qemu(manifest, root, report):
    qemu_img = shutil.which("qemu-img")
    if not qemu_img:
        reader_unavailable("qemu-img is not installed (Debian package qemu-utils)")
    segment_size = manifest["segment_size"]
    with tempfile.TemporaryDirectory(prefix="vhdchain-qemu-") as tmp:
        for chain in manifest["chains"]:
            for layer, view in zip(chain["layers"], chain["expected"]):
                name = layer["file"]
                path = os.path.join(root, name)
                fmt = "vhdx" if layer["format"] == "vhdx" else "vpc"
                expectation = view["readers"]["qemu"]
                if expectation["expect"] == "refuse":
                    result = subprocess.run([qemu_img, "info", "-f", fmt, path], capture_output=True, text=True)
                    reason = (result.stderr.strip().splitlines() or ["?"])[-1]
                    if result.returncode != 0:
                        report.ok(name, f"refused as documented ({', '.join(expectation['bugs'])}): {reason}")
                    else:
                        report.fail(name, f"expected a refusal ({', '.join(expectation['bugs'])}) but qemu-img opened it")
                    continue
                raw = os.path.join(tmp, "out.raw")
                result = subprocess.run([qemu_img, "convert", "-f", fmt, "-O", "raw", path, raw],
                                        capture_output=True, text=True)
                if result.returncode != 0:
                    report.fail(name, f"qemu-img convert failed: {result.stderr.strip()}")
                    continue
                size = os.path.getsize(raw)
                with open(raw, "rb") as f:
                    def read(offset, length):
                        f.seek(offset)
                        return f.read(length)
                    sha, segments = digest(read, size, segment_size)
                os.remove(raw)
                judge(report, name, view, expectation, size, sha, segments)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reader", choices=["libvhdi", "qemu"], required=True)
    parser.add_argument("--generator", help="vhdchain_crosscheck_gen executable: build the corpus first")
    parser.add_argument("--work", help="folder for the generated corpus (emptied first)")
    parser.add_argument("--large", action="store_true", help="include the multi-GiB cases")
    parser.add_argument("--manifest", help="an already generated manifest.json")
    args = parser.parse_args()

    # Check the reader before spending time on the corpus.
    if args.reader == "libvhdi":
        try:
            import pyvhdi  # noqa: F401
        except ImportError:
            reader_unavailable("pyvhdi is not installed (Debian package python3-libvhdi, run with /usr/bin/python3)")
    elif not shutil.which("qemu-img"):
        reader_unavailable("qemu-img is not installed (Debian package qemu-utils)")

    if args.generator:
        if not args.work:
            parser.error("--generator needs --work")
        shutil.rmtree(args.work, ignore_errors=True)
        command = [args.generator, args.work] + (["--large"] if args.large else [])
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            print(f"FAILED: {' '.join(command)}: {result.stderr.strip()}")
            return 1
        manifest_path = os.path.join(args.work, "manifest.json")
    elif args.manifest:
        manifest_path = args.manifest
    else:
        parser.error("give --generator and --work, or --manifest")

    with open(manifest_path) as f:
        manifest = json.load(f)
    if manifest.get("manifest_version") != 1:
        print(f"FAILED: unsupported manifest_version {manifest.get('manifest_version')}")
        return 1
    root = os.path.dirname(os.path.abspath(manifest_path))
    report = Report(args.reader)
    (check_libvhdi if args.reader == "libvhdi" else check_qemu)(manifest, root, report)
    print(f"{report.checked - report.failures}/{report.checked} views as expected")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
