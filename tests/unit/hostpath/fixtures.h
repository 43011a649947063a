// Text fixtures shared by the hostpath tests: a Linux mount table and a Windows host's volumes.
#pragma once

#include <ostream>
#include <string_view>

#include "vhdchain/hostpath.h"

namespace vhdchain::hostpath {

// Readable gtest failure messages for findings.
inline void PrintTo(const AliasFinding& f, std::ostream* os) {
  auto index = [](size_t i) { return i == AliasFinding::kNone ? std::string("-") : std::to_string(i); };
  *os << "{" << to_string(f.code) << " " << index(f.first) << "," << index(f.second) << " canonical=\"" << f.canonical
      << "\" alias=\"" << f.alias << "\" detail=\"" << f.detail << "\"}";
}

}  // namespace vhdchain::hostpath

namespace vhdchain::hostpath::test {

// A Linux machine analysing a Hyper-V host's disks:
//   - the root filesystem 254:1, a bind of its /srv/src/sub at "/srv/dst x" (octal-escaped space), a
//     bind of its whole root at /mnt/rootbind;
//   - the Windows C: volume (8:2) at /mnt/host-c, the D: volume (8:17) at /mnt/host-d and a second
//     time at /mnt/host-c/Hyper-V (seed 000: one volume, two mount points);
//   - a CSV (8:33) at /mnt/host-c/ClusterStorage/Volume1 and again under a stale ClusterStorage.000;
//   - two tmpfs stacked on /mnt/stack, and names with tab and backslash escapes.
constexpr std::string_view kMountInfo =
    "21 1 254:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n"
    "22 21 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw\n"
    "30 21 254:1 /srv/src/sub /srv/dst\\040x rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n"
    "31 21 254:1 / /mnt/rootbind rw,relatime shared:1 - ext4 /dev/vda1 rw,errors=remount-ro\n"
    "40 21 8:2 / /mnt/host-c rw,relatime - fuseblk /dev/sdb2 rw,user_id=0,group_id=0,allow_other,blksize=4096\n"
    "41 21 8:17 / /mnt/host-d rw,relatime - fuseblk /dev/sdb3 rw,user_id=0,group_id=0,allow_other,blksize=4096\n"
    "42 40 8:17 / /mnt/host-c/Hyper-V rw,relatime - fuseblk /dev/sdb3 rw,user_id=0,group_id=0,allow_other,blksize=4096\n"
    "43 40 8:33 / /mnt/host-c/ClusterStorage/Volume1 rw,relatime - ntfs3 /dev/sdc1 rw,iocharset=utf8\n"
    "44 40 8:33 / /mnt/host-c/ClusterStorage.000/Volume1 rw,relatime - ntfs3 /dev/sdc1 rw,iocharset=utf8\n"
    "50 21 0:45 / /mnt/tab\\011and\\134back rw,relatime - tmpfs tmp\\040fs rw,size=1024k\n"
    "51 21 0:46 / /mnt/odd\\9x rw,relatime master:7 propagate_from:2 - tmpfs none rw\n"
    "70 21 0:50 / /mnt/stack rw,relatime - tmpfs lower rw\n"
    "71 70 0:51 / /mnt/stack rw,relatime - tmpfs upper rw\n";

// `mountvol` on that Hyper-V host (Windows Server 2022, English), usage text included as printed.
constexpr std::string_view kMountvol =
    "Creates, deletes, or lists a volume mount point.\r\n"
    "\r\n"
    "MOUNTVOL [drive:]path VolumeName\r\n"
    "MOUNTVOL [drive:]path /D\r\n"
    "MOUNTVOL [drive:]path /L\r\n"
    "MOUNTVOL [drive:]path /P\r\n"
    "MOUNTVOL /R\r\n"
    "MOUNTVOL /N\r\n"
    "MOUNTVOL /E\r\n"
    "MOUNTVOL drive: /S\r\n"
    "\r\n"
    "    path        Specifies the existing NTFS directory where the mount\r\n"
    "                point will reside.\r\n"
    "    VolumeName  Specifies the volume name that is the target of the mount\r\n"
    "                point.\r\n"
    "    /D          Removes the volume mount point from the specified directory.\r\n"
    "    /L          Lists the mounted volume name for the specified directory.\r\n"
    "\r\n"
    "Possible values for VolumeName along with current mount points are:\r\n"
    "\r\n"
    "    \\\\?\\Volume{6f1b3a52-0000-0000-0000-100000000000}\\\r\n"
    "        *** NO MOUNT POINTS ***\r\n"
    "\r\n"
    "    \\\\?\\Volume{6f1b3a52-0000-0000-0000-501f00000000}\\\r\n"
    "        C:\\\r\n"
    "\r\n"
    "    \\\\?\\Volume{A3B7C1D2-4E5F-4A6B-8C9D-0E1F2A3B4C5D}\\\r\n"
    "        D:\\\r\n"
    "        C:\\Hyper-V\\\r\n"
    "\r\n"
    "    \\\\?\\Volume{5d0c9e1a-2b3c-4d5e-8f90-a1b2c3d4e5f6}\\\r\n"
    "        C:\\ClusterStorage.000\\Volume1\\\r\n"
    "        C:\\ClusterStorage\\Volume1\\\r\n"
    "\r\n"
    "    \\\\?\\Volume{e2d1c0b9-0000-0000-0000-000000000000}\\\r\n"
    "        E:\\\r\n"
    "\r\n";

}  // namespace vhdchain::hostpath::test
