"""The real images in ../shared/testdata and what they must read as.

Ground-truth SHA-256 values of each whole virtual disk are from shared/testdata/PROVENANCE.md section 4
("qemu" = qemu-img convert -O raw, "libvhdi" = pyvhdi), where the independent readers agree. Where they
are wrong (libvhdi ignores pending logs: it hashes the un-replayed view), the value after replay is the
one the spec requires (MS-VHDX 2.3.3: a non-empty log must be replayed before any read), and that is the
one listed here.
"""

from dataclasses import dataclass, field
from typing import List, Optional


@dataclass
class Image:
    key: str                      # test name, also the expected-output file stem
    stored: str                   # path under shared/testdata
    virtual_size: Optional[int] = None
    sha256: Optional[str] = None  # SHA-256 of the whole virtual disk, None = not hashed
    all_zero: bool = False        # no data anywhere: check the sparse export has no allocated bytes
    export_error: bool = False    # export must fail (parent not included, corrupt): exit code and message golden
    companions: List[str] = field(default_factory=list)  # other stored files that must sit beside it
    member: Optional[str] = None  # zip member
    open_error: bool = False      # the image itself is refused: info exits 2 with the error in its output


IMAGES = [
    Image("qemu_iotest-dynamic-1G", "qemu/iotest-dynamic-1G.vhdx.bz2", 1073741824,
          "d3d112d8dab7fd360609f7d5a7b769904b7a2a7d7b6b8c535f65a23293c05478"),
    Image("qemu_test-disk2vhd", "qemu/test-disk2vhd.vhdx.bz2", 268435456,
          "96d964042be9b58dda1725567abfb0cf9fd8380e2118754afa979c2ad445938a"),
    # Dirty log: libvhdi without replay hashes cc3d67a6...; the replayed view (qemu, and libvhdi after
    # qemu replayed a copy) is the correct one.
    Image("qemu_iotest-dirtylog-10G-4M", "qemu/iotest-dirtylog-10G-4M.vhdx.bz2", 10737418240,
          "179cefe8b0587f123393eedf2aa7aa8d25798591178e6bc3950a09762f38f96f"),
    Image("qemu_hyperv2012r2-dynamic", "qemu/hyperv2012r2-dynamic.vhd.bz2", 136365211648, all_zero=True),
    # qemu-img 7.2 reports the CHS size 136363130880 here; we report current_size (docs/vhd-notes.md).
    Image("qemu_virtualpc-dynamic", "qemu/virtualpc-dynamic.vhd.bz2", 136365211648, all_zero=True),
    Image("qemu_d2v-zerofilled", "qemu/d2v-zerofilled.vhd.bz2", 263454720,
          "1ba076be94a8a64541c25aae8d5a5f8b0da758c3797af597e03acb431ff8d143"),
    Image("dissect_differencing", "dissect/differencing.avhdx.gz", export_error=True),
    Image("dissect_dynamic-vhdx", "dissect/dynamic.vhdx.gz", 10485760,
          "8e2b5e9265d694b42b81819e3bff29770eff4ed0f4f9f311693ff3dbdc93efac"),
    Image("dissect_fixed-vhdx", "dissect/fixed.vhdx.gz", 10485760,
          "bc0be4623b15aa84216fb31ba24e3b621ec7f1c72d198c990ac0eced222d9f62"),
    Image("dissect_dynamic-vhd", "dissect/dynamic.vhd.gz", 10485760,
          "ecff2ef6615a3cddc6a6885f1c6d9cf13a232697e1dc6575f2c2f01f57247784"),
    Image("dissect_fixed-vhd", "dissect/fixed.vhd.gz", 10485760,
          "459325ab1fcd1d5ec9854cba790ee26378317cda177ffc1072008a1df88e6463"),
    # Dirty log: every BAT entry is NOT_PRESENT until replay (libvhdi: all zero, 49bc20df...).
    Image("discutils_vhdx-log-replay", "discutils/vhdx-log-replay.vhdx.gz", 1073741824,
          "3ba3b309425b7ff5e8e0199edceed95226250f880c53b24e8eae93865f3fad5e"),
    Image("discutils_btrfs", "discutils/btrfs.vhdx.gz", 1073741824,
          "0b959f9cb4e18348ad8b646f152178282542c8304f02fddf765e3fd1a1de6864"),
    Image("discutils_lvm2", "discutils/lvm2.vhdx.gz", 10737418240,
          "f7dc6812a3b12a35f3ec895ce981bd59ff4558270fc80cd812c9cd522bff1295"),
    Image("discutils_swap", "discutils/swap.vhdx.gz", 10737418240,
          "60dd30b4c74361427d1089510cabb36e2eeda0cc4747f467ea43173acd358c49"),
    Image("discutils_xfs", "discutils/xfs.vhdx.gz", 10737418240,
          "8ca2bd2d91f1c6ada47128fc2f8d38587e73954ede5a664fe2bb09c19606060e"),
    Image("discutils_xfs5", "discutils/xfs5.vhdx.gz", 10737418240,
          "edc5d630b2da0ddb08992afb58ded06ffb56b884e184b4974fda16e31b7e6817"),
    Image("coreos_config2_base", "coreos-hyperv/config2_base.vhdx.bz2", 104857600,
          "afce9cca367ebfa91a673d612bcb6fc32b12a80211207f7a7b1cd3aed3cac19d"),
    Image("velociraptor_test", "velociraptor/test.vhdx.zip", 5242880,
          "762ca4030df6cf834f5121ed2ecf52fe6cfd3294673406867ef94b9e0990143e", member="test.vhdx"),
    # Dirty log (libvhdi without replay: 80a37211...).
    Image("adiskreader_small_ntfs_test", "adiskreader/small_ntfs_test.vhdx.gz", 41943040,
          "759cc6aaf5af4887c977d8b0638e3f6567dea807a0b1b0cc7310bcaec36ed2fc"),
    Image("dfvfs_ext2", "dfvfs/ext2.vhd", 4212736,
          "870be7ae16c1fa8faab05c6eb9205dc9a7ae35c5f552c5cf8a267c0bc6a5cb99"),
    Image("dfvfs_fat-differential", "dfvfs/fat-differential.vhd", export_error=True),
    # Hand-edited QEMU images (PROVENANCE 2.7): both footer copies carry a stale checksum, so the
    # footer cannot be trusted and the image is refused (libvhdi checks no VHD checksum and reads them).
    Image("dfvfs_image", "dfvfs/image.vhd", open_error=True),
    Image("dfvfs_image-differential", "dfvfs/image-differential.vhd", open_error=True,
          companions=["dfvfs/image.vhd"]),
    Image("sleuthkit_image", "sleuthkit/image.vhd", 104448,
          "84c172cd6e864e2a2ca00b60b531a3c7b1376e5257174bfdc4987f3f6312ad3c"),
]
