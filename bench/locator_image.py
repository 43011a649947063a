"""A differencing VHDX whose parent locator holds 65,535 keys (issue 13 case 7), for bench.py.

`vhdchain create CHILD --parent BASE` makes an ordinary child; its parent locator item is then
rewritten in place: the child's own keys (parent_linkage and the paths, so it still resolves its
parent) followed by distinct one-code-unit keys (two units once the BMP's non-surrogate units run
out) with empty values, up to KeyValueCount's maximum. The item (about 900 KiB) stays within the
1 MiB bound of MS-VHDX 2.6.1.2 and is placed 4 KiB after the metadata table, past the other items.
The metadata table carries no checksum, so only its entry for the locator changes."""
import struct
import subprocess

METADATA_REGION = bytes.fromhex("06a27c8b90479a4bb8fe575f050f886e")
PARENT_LOCATOR_ITEM = bytes.fromhex("2d5fd3a80bb34d45abf7d3d84834ab0c")
MAX_KEYS = 65535


def _metadata_region(f):
    f.seek(0x30000)
    table = f.read(0x10000)
    count = struct.unpack_from("<I", table, 8)[0]
    for i in range(count):
        guid, offset, length, _ = struct.unpack_from("<16sQII", table, 16 + 32 * i)
        if guid == METADATA_REGION:
            return offset, length
    raise SystemExit("no metadata region")


def _filler_keys(n):
    keys, unit, second = [], 1, 0
    for _ in range(n):
        if unit == 0xD800:
            unit = 0xE000  # surrogates are not characters
        if unit <= 0xFFFF:
            keys.append(struct.pack("<H", unit))
            unit += 1
        else:
            second += 1
            keys.append(struct.pack("<HH", ord("A"), second))
    return keys


def make_locator_child(vhdchain, base, child):
    """Makes BASE (64 MiB dynamic) and CHILD with a 65,535-key locator."""
    for path in (base, child):
        if path.exists():
            path.unlink()
    subprocess.run([vhdchain, "create", str(base), "--size", "64M"], check=True, capture_output=True)
    subprocess.run([vhdchain, "create", str(child), "--parent", str(base)], check=True, capture_output=True)
    with open(child, "r+b") as f:
        region, region_length = _metadata_region(f)
        f.seek(region)
        table = bytearray(f.read(0x10000))
        count = struct.unpack_from("<H", table, 10)[0]
        for i in range(count):
            at = 32 + 32 * i
            if table[at:at + 16] == PARENT_LOCATOR_ITEM:
                entry = at
        offset, length = struct.unpack_from("<II", table, entry + 16)
        f.seek(region + offset)
        old = f.read(length)
        header, old_count = old[:18], struct.unpack_from("<H", old, 18)[0]
        pairs = []
        for i in range(old_count):
            ko, vo, kl, vl = struct.unpack_from("<IIHH", old, 20 + 12 * i)
            pairs.append((old[ko:ko + kl], old[vo:vo + vl]))
        pairs += [(key, b"") for key in _filler_keys(MAX_KEYS - old_count)]
        strings_at = 20 + 12 * len(pairs)
        entries, strings = bytearray(), bytearray()
        for key, value in pairs:
            entries += struct.pack("<IIHH", strings_at + len(strings), strings_at + len(strings) + len(key),
                                   len(key), len(value))
            strings += key + value
        item = header + struct.pack("<H", len(pairs)) + entries + strings
        new_offset = 0x11000
        assert len(item) <= 1 << 20 and new_offset + len(item) <= region_length, len(item)
        f.seek(region + new_offset)
        f.write(item)
        struct.pack_into("<II", table, entry + 16, new_offset, len(item))
        f.seek(region)
        f.write(table)
