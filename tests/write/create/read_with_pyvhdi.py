#!/usr/bin/python3
"""libvhdi's view of a differencing VHDX that vhdchain created: opens CHILD, attaches PARENT with
set_parent() and prints "<media size> <sha256 of the whole virtual disk>". Exit 77 when pyvhdi
cannot be imported (the test decides whether that is a skip or a failure)."""
import hashlib
import sys

try:
    import pyvhdi
except ImportError as error:
    print(f"pyvhdi not importable: {error}", file=sys.stderr)
    sys.exit(77)


def main(child_path, parent_path):
    parent = pyvhdi.file()
    parent.open(parent_path)
    child = pyvhdi.file()
    child.open(child_path)
    child.set_parent(parent)
    size = child.get_media_size()
    digest = hashlib.sha256()
    offset = 0
    while offset < size:
        length = min(1 << 20, size - offset)
        digest.update(child.read_buffer_at_offset(length, offset))
        offset += length
    print(size, digest.hexdigest())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
