#!/usr/bin/env bash
# SupCon Lab's measurements on a real GPU, in one run: PyTorch's step on the
# same card (bench/torch_step.py), the training step on WebGPU (convnet 256 and
# 1024, resnet18 32 and 256), the GPU profile (per-kernel GPU times,
# dispatches, readbacks and CPU time per step), the demo budget end to end,
# and (VIEWS_STUDY=1) the views study on the built-in data.
#
#   here (after npm ci):  bash bench/gpu.sh pack      -> .gpu/carry, about 62 MB
#   on the GPU machine:   bash bench/gpu.sh run       (with .gpu/carry beside)
#
# The packing follows ../shared/tools/gpu/pack.sh: a Node binary, the product's
# own bundles (scripts/build.mjs --bench), the shipped Fashion-MNIST, Dawn's
# linux-x64 binary, the wasm files and the Vulkan/EGL loader packages. What
# rarely changes is packed once and kept. Nothing is installed on the GPU
# machine beyond those loaders (under /, as the machine is a throwaway).
set -euo pipefail
cd "$(dirname "$0")/.."
out=.gpu

pack() {
  node scripts/build.mjs --bench
  local app="$out/app" M=node_modules
  rm -rf "$app" && mkdir -p "$app/bench" "$out/carry/gl"
  cp dist/cli.js "$app/" && cp dist/bench/*.js "$app/bench/"
  cp bench/torch_step.py "$out/carry/"
  tar -C "$out" -cf - app | xz -T2 -6 >"$out/carry/app.tar.xz"
  # the shipped data is gzipped already
  rm -rf "$app" && mkdir -p "$app" && cp -r dist/data "$app/"
  tar -C "$out" -cf "$out/carry/data.tar" app
  rm -rf "$app"
  if [ ! -f "$out/carry/base.tar.gz" ]; then
    local base="$out/base/app"
    rm -rf "$out/base" && mkdir -p "$base/node_modules/webgpu/dist/linux-x64" "$base/node_modules/@tensorflow/tfjs-backend-wasm/dist"
    cp $M/webgpu/index.js $M/webgpu/package.json "$base/node_modules/webgpu/"
    cp $M/webgpu/dist/linux-x64/dawn.node "$base/node_modules/webgpu/dist/linux-x64/"
    # setWasmPaths finds the .wasm files beside the package's main file; version look-ups read package.json.
    cp $M/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$base/node_modules/@tensorflow/tfjs-backend-wasm/dist/"
    echo '' >"$base/node_modules/@tensorflow/tfjs-backend-wasm/dist/index.js"
    for p in @tensorflow/tfjs-core @tensorflow/tfjs-backend-cpu @tensorflow/tfjs-backend-wasm @tensorflow/tfjs-backend-webgpu; do
      mkdir -p "$base/node_modules/$p"
      node -e "const p=require('$p/package.json');console.log(JSON.stringify({name:p.name,version:p.version,main:'$p'.endsWith('wasm')?'dist/index.js':'index.js'}))" >"$base/node_modules/$p/package.json"
    done
    tar -C "$out/base" -czf "$out/carry/base.tar.gz" app
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
  python3 -c "import lzma,shutil,os,tarfile; shutil.copyfileobj(lzma.open('$c/node.xz'), open('$g/node','wb')); os.chmod('$g/node',0o755); [tarfile.open(f'$c/{t}').extractall('$g') for t in ('base.tar.gz', 'data.tar', 'app.tar.xz')]"
  cd $g/app
  local node=$g/node
  echo "== card"; nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  if [ "${VIEWS_STUDY:-0}" = 1 ]; then
    echo "== views study on WebGPU (sweep --preset views, 3 seeds, both budget rules, floor)"
    local t0=$SECONDS
    timeout 330 $node cli.js sweep --preset views --runs-dir $g/runs --parallel 6 --backend webgpu \
      --dataset.trainLimit 10000 --dataset.testLimit 10000 --probe.epochs 10 2>&1 | grep -v '^Warning' | tail -5 || true
    echo "views study wall time: $((SECONDS - t0)) s"
    for d in $g/runs/sweeps/*/; do timeout 60 $node cli.js results "$d" 2>&1 | grep -v '^Warning' || true; done
    return
  fi
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
  local t1=$SECONDS
  timeout 240 $node cli.js train --name demo --runs-dir $g/runs --dataset.trainLimit 10000 --epochs 2 2>&1 | grep -v '^Warning' | grep -v 'probe epoch' | tail -8 || true
  echo "demo wall time: $((SECONDS - t1)) s"
}

"${1:?usage: bench/gpu.sh pack|run}"
