#!/usr/bin/env python3
"""Turns disk image files into fuzz seeds in the sparse encoding of sparse_input.h.

Only the non-zero 4 KiB pages of each image are kept, so a 4 MiB synthetic VHDX becomes a seed of a
few KiB. For chain_read, several images are concatenated, each ended by the 0xFFFF terminator.

usage: make_seed.py OUT IMAGE [IMAGE...]
"""
import struct
import sys

PAGE = 4096
MAX_CHUNK = 0xFFFE


def encode(path, terminate):
    with open(path, "rb") as f:
        data = f.read()
    out = bytearray(struct.pack("<Q", len(data)))
    pos = 0
    while pos < len(data):
        page = data[pos:pos + PAGE]
        if page.strip(b"\0"):
            start = pos
            end = pos + len(page)
            while end < len(data) and end - start + PAGE <= MAX_CHUNK and data[end:end + PAGE].strip(b"\0"):
                end += PAGE
            chunk = data[start:min(end, len(data))]
            out += struct.pack("<QH", start, len(chunk)) + chunk
            pos = end
        else:
            pos += PAGE
    if terminate:
        out += struct.pack("<QH", 0, 0xFFFF)
    return bytes(out)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    images = sys.argv[2:]
    blob = b"".join(encode(p, terminate=len(images) > 1) for p in images)
    with open(sys.argv[1], "wb") as f:
        f.write(blob)


if __name__ == "__main__":
    main()
