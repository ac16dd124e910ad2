/**
 * dW[i, j, c, o] = sum over b, oh, ow of x[b, oh*s + i - pad, ow*s + j - pad, c] dy[b, oh, ow, o]
 * for NHWC x [B, H, W, C], dy [B, OH, OW, O] and dW [KH, KW, C, O], all float32
 * at byte offsets into the memory this module shares with tfjs's wasm backend.
 * One output row (b, oh) and filter tap (i, j) at a time (convTaps.ts): the
 * x and dy rows it reads stay in cache while a 4 x 8 block of dW is held in
 * eight SIMD registers and updated with every output position of the row.
 */
import { inStep, outStep, walkTaps } from './convTaps';

export function conv2dBackpropFilter(
  x: usize,
  dy: usize,
  dw: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  ci: i32,
  outH: i32,
  outW: i32,
  co: i32,
  kh: i32,
  kw: i32,
  sh: i32,
  sw: i32,
  padT: i32,
  padL: i32,
): void {
  memory.fill(dw, 0, (<usize>(kh * kw * ci * co)) << 2);
  dwBase = dw;
  inChannels = ci;
  outChannels = co;
  walkTaps(x, dy, batch, inH, inW, ci, outH, outW, co, kh, kw, sh, sw, padT, padL, accumulateTap);
}

let dwBase: usize = 0;
let inChannels: i32 = 0;
let outChannels: i32 = 0;

function accumulateTap(xp: usize, dyp: usize, n: i32, k: i32): void {
  tap(xp, inStep, dyp, outStep, n, inChannels, outChannels, dwBase + ((<usize>(k * inChannels * outChannels)) << 2));
}

/** dW[c, o] += sum over t < n of x[t, c] dy[t, o]: one tap's [ci, co] block over n output positions. */
function tap(xp: usize, xStep: usize, dyp: usize, dyStep: usize, n: i32, ci: i32, co: i32, dwp: usize): void {
  const row = (<usize>co) << 2;
  let c = 0;
  for (; c + 4 <= ci; c += 4) {
    const w0 = dwp + <usize>c * row;
    const xc = xp + ((<usize>c) << 2);
    let o = 0;
    for (; o + 8 <= co; o += 8) block4x8(xc, xStep, dyp + ((<usize>o) << 2), dyStep, n, w0 + ((<usize>o) << 2), row);
    for (; o < co; o++) for (let k = 0; k < 4; k++) dot(xc + ((<usize>k) << 2), xStep, dyp + ((<usize>o) << 2), dyStep, n, w0 + <usize>k * row + ((<usize>o) << 2));
  }
  for (; c < ci; c++) {
    const w0 = dwp + <usize>c * row;
    const xc = xp + ((<usize>c) << 2);
    let o = 0;
    for (; o + 8 <= co; o += 8) block1x8(xc, xStep, dyp + ((<usize>o) << 2), dyStep, n, w0 + ((<usize>o) << 2));
    for (; o < co; o++) dot(xc, xStep, dyp + ((<usize>o) << 2), dyStep, n, w0 + ((<usize>o) << 2));
  }
}

/** Four input channels by eight output channels, in eight f32x4 accumulators. */
function block4x8(xc: usize, xStep: usize, dr: usize, dyStep: usize, n: i32, w: usize, row: usize): void {
  const w1 = w + row;
  const w2 = w1 + row;
  const w3 = w2 + row;
  let a0 = v128.load(w),
    b0 = v128.load(w, 16);
  let a1 = v128.load(w1),
    b1 = v128.load(w1, 16);
  let a2 = v128.load(w2),
    b2 = v128.load(w2, 16);
  let a3 = v128.load(w3),
    b3 = v128.load(w3, 16);
  for (let t = 0; t < n; t++) {
    const d0 = v128.load(dr);
    const d1 = v128.load(dr, 16);
    const x0 = v128.load32_splat(xc);
    const x1 = v128.load32_splat(xc, 4);
    const x2 = v128.load32_splat(xc, 8);
    const x3 = v128.load32_splat(xc, 12);
    a0 = f32x4.add(a0, f32x4.mul(x0, d0));
    b0 = f32x4.add(b0, f32x4.mul(x0, d1));
    a1 = f32x4.add(a1, f32x4.mul(x1, d0));
    b1 = f32x4.add(b1, f32x4.mul(x1, d1));
    a2 = f32x4.add(a2, f32x4.mul(x2, d0));
    b2 = f32x4.add(b2, f32x4.mul(x2, d1));
    a3 = f32x4.add(a3, f32x4.mul(x3, d0));
    b3 = f32x4.add(b3, f32x4.mul(x3, d1));
    xc += xStep;
    dr += dyStep;
  }
  v128.store(w, a0);
  v128.store(w, b0, 16);
  v128.store(w1, a1);
  v128.store(w1, b1, 16);
  v128.store(w2, a2);
  v128.store(w2, b2, 16);
  v128.store(w3, a3);
  v128.store(w3, b3, 16);
}

/** One input channel by eight output channels. */
function block1x8(xc: usize, xStep: usize, dr: usize, dyStep: usize, n: i32, w: usize): void {
  let a = v128.load(w),
    b = v128.load(w, 16);
  for (let t = 0; t < n; t++) {
    const x = v128.load32_splat(xc);
    a = f32x4.add(a, f32x4.mul(x, v128.load(dr)));
    b = f32x4.add(b, f32x4.mul(x, v128.load(dr, 16)));
    xc += xStep;
    dr += dyStep;
  }
  v128.store(w, a);
  v128.store(w, b, 16);
}

/** One input channel by one output channel (the tails). */
function dot(xc: usize, xStep: usize, dr: usize, dyStep: usize, n: i32, w: usize): void {
  let s: f32 = 0;
  for (let t = 0; t < n; t++) {
    s += load<f32>(xc) * load<f32>(dr);
    xc += xStep;
    dr += dyStep;
  }
  store<f32>(w, load<f32>(w) + s);
}
