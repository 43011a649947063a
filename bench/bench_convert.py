"""convert benchmarks (bench.py --only convert_4gib), reported as ratios against qemu-img convert.

  convert_4gib  `vhdchain convert` of a 4 GiB fully allocated dynamic VHDX (random data, the image
                export_4gib uses) to a raw file, and of that raw file to a dynamic VHDX, each against
                `qemu-img convert` doing the same (goal: qemu-img time / vhdchain time >= 1.2), and
                peak RSS (goal <= 128 MiB). Every command is timed up to and including `sync OUT`.
"""
import subprocess

GiB = 1 << 30
MiB = 1 << 20


def bench_convert(vhdchain, work, repeat, rounds, summary, print_rows, random_4gib_images):
    raw, image = random_4gib_images(work)
    out_raw, out_vhdx = work / "convert-out.raw", work / "convert-out.vhdx"

    def clean():
        for f in (out_raw, out_vhdx):
            if f.exists():
                f.unlink()

    for f in (raw, image):  # both inputs in the page cache, whichever command runs first
        subprocess.run(f"cat '{f}' > /dev/null", shell=True, check=True)
    commands = [
        ("vhdchain convert vhdx->raw", [vhdchain, "convert", "--progress", "none", str(image), str(out_raw)], out_raw),
        ("qemu-img convert vhdx->raw", ["qemu-img", "convert", "-f", "vhdx", "-O", "raw", str(image), str(out_raw)],
         out_raw),
        ("vhdchain convert raw->vhdx", [vhdchain, "convert", "--progress", "none", str(raw), str(out_vhdx)], out_vhdx),
        ("qemu-img convert raw->vhdx", ["qemu-img", "convert", "-f", "raw", "-O", "vhdx", "-o", "subformat=dynamic",
                                        str(raw), str(out_vhdx)], out_vhdx),
    ]
    res = rounds(commands, repeat, before=clean)
    clean()
    size = 4 * GiB
    print(f"convert_4gib: 4 GiB of random data, dynamic VHDX <-> raw on the same filesystem, {repeat} rounds")
    print_rows(res, 27, lambda best, median: f"best {size / best / MiB:7.0f} MiB/s  median {size / median / MiB:7.0f} MiB/s")
    for direction in ("vhdx->raw", "raw->vhdx"):
        ours = summary(res[f"vhdchain convert {direction}"][0])
        qemu = summary(res[f"qemu-img convert {direction}"][0])
        print(f"  {direction}: vs qemu-img convert = {qemu[0] / ours[0]:.2f}x best, {qemu[1] / ours[1]:.2f}x median "
              f"(goal >= 1.2); peak RSS {res[f'vhdchain convert {direction}'][1] / MiB:.1f} MiB (goal <= 128)")
