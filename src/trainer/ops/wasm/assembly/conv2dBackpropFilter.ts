/**
 * dW[i, j, c, o] = sum over b, oh, ow of x[b, oh*s + i - pad, ow*s + j - pad, c] dy[b, oh, ow, o]
 * for NHWC x [B, H, W, C], dy [B, OH, OW, O] and dW [KH, KW, C, O], all float32
 * at byte offsets into the memory this module shares with tfjs's wasm backend.
 * A 4 x 8 block of dW is held in eight SIMD registers while it takes in every
 * output position of one output row (b, oh) for one filter tap (i, j), the
 * rows' x and dy staying in cache; once dW is large (9 MB at 512 channels),
 * of a group of GROUP rows, so dW is read and written once a group. Channel
 * counts that do not fill the blocks go one row at a time (convTaps.ts), with
 * scalar tails.
 */
import { endColumn, firstColumn, inStep, outStep, walkTaps } from './convTaps';

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
  const ci4 = ci & ~3;
  const co8 = co & ~7;
  const rows = batch * outH;
  const group = ci * co >= GROUP_FROM ? GROUP : 1;
  for (let r0 = 0; r0 < rows; r0 += group) {
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const ow0 = firstColumn(j, sw, padL);
        const ow1 = endColumn(j, sw, padL, inW, outW);
        if (ow0 >= ow1) continue;
        const tapW = dw + ((<usize>((i * kw + j) * ci * co)) << 2);
        for (let c = 0; c < ci4; c += 4) {
          for (let o = 0; o < co8; o += 8) {
            const xFirst = x + ((<usize>((ow0 * sw + j - padL) * ci + c)) << 2);
            const dyFirst = dy + ((<usize>(ow0 * co + o)) << 2);
            groupBlock4x8(xFirst, dyFirst, ow1 - ow0, r0, min(rows, r0 + group), i, inH, inW, ci, outH, outW, co, sh, sw, padT, tapW + ((<usize>(c * co + o)) << 2));
          }
        }
      }
    }
  }
  if (ci4 == ci && co8 == co) return;
  dwBase = dw;
  inChannels = ci;
  outChannels = co;
  walkTaps(x, dy, batch, inH, inW, ci, outH, outW, co, kh, kw, sh, sw, padT, padL, accumulateTails);
}

/** Output rows a block of dW takes in before it is stored, once a tap of dW (ci x co floats) outgrows the caches nearest the core. */
const GROUP = 16;
const GROUP_FROM = 16384;

/**
 * dW block [4, 8] at w (rows co apart) += sum over output rows r in [r0, r1) of tap row i and
 * their n positions of x[t, 0..4) dy[t, 0..8); xFirst and dyFirst are the first position's
 * offsets within image 0, output row 0.
 */
function groupBlock4x8(
  xFirst: usize,
  dyFirst: usize,
  n: i32,
  r0: i32,
  r1: i32,
  i: i32,
  inH: i32,
  inW: i32,
  ci: i32,
  outH: i32,
  outW: i32,
  co: i32,
  sh: i32,
  sw: i32,
  padT: i32,
  w: usize,
): void {
  const row = (<usize>co) << 2;
  const xStep = (<usize>(sw * ci)) << 2;
  const dyStep = (<usize>co) << 2;
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
  for (let r = r0; r < r1; r++) {
    const b = r / outH;
    const ih = (r - b * outH) * sh + i - padT;
    if (ih < 0 || ih >= inH) continue;
    let xc = xFirst + ((<usize>((b * inH + ih) * inW * ci)) << 2);
    let dr = dyFirst + ((<usize>(r * outW * co)) << 2);
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

let dwBase: usize = 0;
let inChannels: i32 = 0;
let outChannels: i32 = 0;

/** The channels the 4 x 8 blocks leave, one output row and tap at a time: dW[c, o] += sum over t < n of x[t, c] dy[t, o]. */
function accumulateTails(xp: usize, dyp: usize, n: i32, k: i32): void {
  const ci = inChannels;
  const co = outChannels;
  const ci4 = ci & ~3;
  const co8 = co & ~7;
  const row = (<usize>co) << 2;
  const dwp = dwBase + ((<usize>(k * ci * co)) << 2);
  for (let c = 0; c < ci; c++) {
    const w0 = dwp + <usize>c * row;
    const xc = xp + ((<usize>c) << 2);
    let o = c < ci4 ? co8 : 0;
    if (c >= ci4) for (; o < co8; o += 8) block1x8(xc, inStep, dyp + ((<usize>o) << 2), outStep, n, w0 + ((<usize>o) << 2));
    for (; o < co; o++) dot(xc, inStep, dyp + ((<usize>o) << 2), outStep, n, w0 + ((<usize>o) << 2));
  }
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
