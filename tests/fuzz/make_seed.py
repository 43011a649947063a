#!/usr/bin/env python3
"""Turns disk image files into fuzz seeds in the sparse encoding of sparse_input.h.

Only the non-zero 4 KiB pages of each image are kept, so a 4 MiB synthetic VHDX becomes a seed of a
few KiB. With one IMAGE the seed is that image (vhdx_open, vhd_open). With several, it is a
chain_read input (chain_read_fuzzer.cc): a flags byte (image count - 1), then per image, leaf
first, its file name (u8 length + bytes) and its sparse encoding (u32 LE length + bytes), and no
read operations (the target's fixed program still reads). Name the images as the child's locators
name them (the file name is what parent resolution looks for).

usage: make_seed.py OUT IMAGE [IMAGE...]      (chain_read: OUT LEAF PARENT [GRANDPARENT])
"""
import os
import struct
import sys

PAGE = 4096
MAX_CHUNK = 0xFFFF // PAGE * PAGE


def encode(path):
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
    return bytes(out)


def chain_input(paths):
    if len(paths) > 3:
        sys.exit("chain_read takes at most 3 images")
    out = bytearray([len(paths) - 1])
    for p in paths:
        name = os.path.basename(p).encode()
        if len(name) >= 64:
            sys.exit(f"{p}: file name longer than 63 bytes")
        image = encode(p)
        out += bytes([len(name)]) + name + struct.pack("<I", len(image)) + image
    return bytes(out)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    images = sys.argv[2:]
    blob = encode(images[0]) if len(images) == 1 else chain_input(images)
    with open(sys.argv[1], "wb") as f:
        f.write(blob)


if __name__ == "__main__":
    main()
