#!/usr/bin/env bash
# Builds bench/gpu/.carry/, everything bench/gpu/run.sh needs on a GPU machine that has neither
# Node.js nor network access (see ../shared/notes/GPU-DEVICE.md): the medseg bundles (dist/, no
# source maps), the bench driver bundled (gpu-bench.js), the node binary, the node_modules the
# bundles load at run time (onnxruntime-node for linux-x64 and sharp, nothing else), and the Vulkan
# loader packages (apt-get download, unpacked there with dpkg -x). Each as .tar.xz or .deb, so that
# the working tree and this folder together stay under the 64 MiB a device call carries; the sizes
# are printed at the end. Run from anywhere in the repository, after `npm ci`:
#
#   bash bench/gpu/prepare.sh
#
# then, on the GPU machine (the device tool: carry ["bench/gpu/.carry"]): bash bench/gpu/run.sh
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
CARRY="$ROOT/bench/gpu/.carry"
LIMIT=$((64 * 1024 * 1024))
cd "$ROOT"
if [ "$(uname -m)" != x86_64 ]; then
  echo "prepare.sh: this machine is $(uname -m); the GPU machine is x86-64 and needs x86-64 node and onnxruntime builds" >&2
  exit 1
fi

rm -rf "$CARRY"
mkdir -p "$CARRY/debs"
export XZ_OPT="-9 -T0"

echo "building dist/ ..."
npm run build --silent
npx --no-install esbuild bench/gpu/gpuBench.ts --bundle --platform=node --target=node20 --format=cjs \
  --external:onnxruntime-node --external:sharp --define:import.meta.url=importMetaUrl \
  "--banner:js=const importMetaUrl = require('url').pathToFileURL(__filename).href;" \
  --outfile="$CARRY/gpu-bench.js" --log-level=warning

echo "packing dist/ (no source maps) ..."
tar -C "$ROOT" -cJf "$CARRY/dist.tar.xz" --exclude='*.map' dist

# What the bundles require at run time (scripts/build.mjs keeps these external; .vscodeignore lists
# the same): onnxruntime-node with its linux-x64 binaries only, and sharp with its libvips.
echo "packing node_modules for linux-x64 ..."
MODULES=(
  node_modules/onnxruntime-node/package.json node_modules/onnxruntime-node/dist node_modules/onnxruntime-node/lib
  node_modules/onnxruntime-node/bin/napi-v6/linux/x64
  node_modules/onnxruntime-common
  node_modules/sharp node_modules/@img/sharp-linux-x64 node_modules/@img/sharp-libvips-linux-x64 node_modules/@img/colour
  node_modules/detect-libc node_modules/semver
)
for m in "${MODULES[@]}"; do [ -e "$m" ] || { echo "prepare.sh: $m is missing: run npm ci first" >&2; exit 1; }; done
tar -C "$ROOT" -cJf "$CARRY/node_modules.tar.xz" "${MODULES[@]}"

NODE_BIN=$(readlink -f "$(command -v node)")
echo "packing the node binary ($NODE_BIN, $(node --version)) ..."
tar -C "$(dirname "$NODE_BIN")" -cJf "$CARRY/node.tar.xz" "$(basename "$NODE_BIN")"
echo "$(basename "$NODE_BIN")" >"$CARRY/node-name"

# The Vulkan loader WebGPU (Dawn) needs, for amd64 whatever this machine is; the NVIDIA driver on
# the GPU machine brings the ICD. The GL packages are the device notes' set for headless GPU use.
echo "downloading the Vulkan loader packages ..."
APT_STATE=$(mktemp -d)
mkdir -p "$APT_STATE/partial"
APT_OPTS=(-o APT::Architecture=amd64 -o APT::Architectures=amd64 -o "Dir::State::Lists=$APT_STATE")
apt-get "${APT_OPTS[@]}" -qq update
(cd "$CARRY/debs" && apt-get "${APT_OPTS[@]}" -qq download libvulkan1 libglvnd0 libegl1 libgl1 libglx0 libopengl0 libgles2 2>&1 | grep -v 'unsandboxed' || true)
rm -rf "$APT_STATE"
ls "$CARRY"/debs/libvulkan1_*.deb >/dev/null

# Sizes: this folder plus what a device call sends anyway (tracked files, untracked ones not ignored).
carried=$(du -sb "$CARRY" | cut -f1)
tree=$( (git ls-files -z; git ls-files -z --others --exclude-standard) | xargs -0 -r stat -c %s -- 2>/dev/null | awk '{s += $1} END {print s + 0}')
total=$((carried + tree))
echo
echo "| part | MiB |"
echo "| --- | ---: |"
for f in "$CARRY"/*.xz "$CARRY"/gpu-bench.js; do printf '| %s | %.1f |\n' "$(basename "$f")" "$(echo "$(stat -c %s "$f") / 1048576" | bc -l)"; done
printf '| debs/ (%s packages) | %.1f |\n' "$(ls "$CARRY"/debs | wc -l)" "$(echo "$(du -sb "$CARRY/debs" | cut -f1) / 1048576" | bc -l)"
printf '| **bench/gpu/.carry/** | **%.1f** |\n' "$(echo "$carried / 1048576" | bc -l)"
printf '| working tree (tracked + untracked, not ignored) | %.1f |\n' "$(echo "$tree / 1048576" | bc -l)"
printf '| **total a device call carries** | **%.1f** (limit 64) |\n' "$(echo "$total / 1048576" | bc -l)"
if [ "$total" -ge "$LIMIT" ]; then
  echo "prepare.sh: $total bytes is over the 64 MiB a device call carries" >&2
  exit 1
fi
echo
echo "ready: carry [\"bench/gpu/.carry\"] and run: bash bench/gpu/run.sh"
