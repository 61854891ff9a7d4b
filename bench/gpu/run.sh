#!/usr/bin/env bash
# The GPU check of issue 15, in one call on a GPU machine (no Node.js, no network there): unpacks
# what bench/gpu/prepare.sh packed into bench/gpu/.carry/ (node, dist/, the runtime node_modules,
# the Vulkan loader), then runs `medseg evaluate` with --provider cpu and --provider webgpu on the
# same images and models (bench/gpu/gpuBench.ts) and prints a Markdown table: provider, images/s,
# the providers' per-image agreement (max |Δp|, Dice), what `auto` chose, and the projection for 30
# models × 59,967 images. On a machine without a GPU it says so and still exits 0 after the CPU
# part; it exits non-zero only when the CPU part itself fails.
#
#   bash bench/gpu/run.sh [images=500] [--gpu-provider cpu]
#
# (`--gpu-provider cpu` runs the GPU half on CPU: a check of this script's comparison where no GPU is.)
# The report is also written to $OUT/gpu-bench.md when $OUT is set (the device tool brings it back).
# Nothing is unpacked into /: the Vulkan packages go to a folder on LD_LIBRARY_PATH.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CARRY="$ROOT/bench/gpu/.carry"
WORK=${MEDSEG_GPU_WORK:-${TMPDIR:-/tmp}/medseg-gpu}
IMAGES=${1:-500}
shift || true

if [ ! -f "$CARRY/node.tar.xz" ]; then
  echo "run.sh: $CARRY is empty: run bash bench/gpu/prepare.sh here first, and carry bench/gpu/.carry" >&2
  exit 1
fi
rm -rf "$WORK"
mkdir -p "$WORK/app" "$WORK/bench" "$WORK/sysroot"
start=$(date +%s)
for a in node dist node_modules; do
  tar -C "$WORK/app" -xJf "$CARRY/$a.tar.xz" || { echo "run.sh: cannot unpack $a.tar.xz" >&2; exit 1; }
done
cp "$CARRY/gpu-bench.js" "$WORK/app/"
NODE="$WORK/app/$(cat "$CARRY/node-name")"

# Vulkan: the system's loader if there is one, else the carried one. NVIDIA's ICD names its
# library by file name, so the driver's folders go on the library path too.
vulkan="the system's"
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1 '; then
  for f in "$CARRY"/debs/*.deb; do dpkg -x "$f" "$WORK/sysroot"; done
  export LD_LIBRARY_PATH="$WORK/sysroot/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  vulkan="carried ($(basename "$CARRY"/debs/libvulkan1_*.deb))"
fi
for d in /usr/local/nvidia/lib64 /usr/local/nvidia/lib; do
  [ -d "$d" ] && export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$d"
done
icd=""
for f in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
  if [ -f "$f" ]; then icd=$f; break; fi
done
if [ -n "$icd" ]; then export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"; fi

report="${OUT:-$WORK}/gpu-bench.md"
{
  echo "- unpacked in $(( $(date +%s) - start )) s into $WORK; node $("$NODE" --version)"
  echo "- Vulkan loader: $vulkan; NVIDIA Vulkan ICD: ${icd:-none found}"
  if command -v nvidia-smi >/dev/null; then echo "- nvidia-smi: $(nvidia-smi -L 2>&1 | head -n 2 | tr '\n' ' ')"; else echo "- nvidia-smi: not found (no NVIDIA driver here)"; fi
  echo
} | tee "$report"
"$NODE" "$WORK/app/gpu-bench.js" --dist "$WORK/app/dist" --work "$WORK/bench" --images "$IMAGES" "$@" 2>&1 | tee -a "$report"
status=${PIPESTATUS[0]}
echo "(run.sh: $(( $(date +%s) - start )) s in all; report: $report)"
exit "$status"
