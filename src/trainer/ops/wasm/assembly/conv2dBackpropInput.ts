/**
 * dx[b, oh*s + i - pad, ow*s + j - pad, c] += sum over o of dy[b, oh, ow, o] w[i, j, c, o]
 * for NHWC dy [B, OH, OW, O], dx [B, H, W, C] and the filter packed by
 * packFilter, all float32 at byte offsets into the memory this module shares
 * with tfjs's wasm backend. Each output row (b, oh) and filter tap (i, j)
 * (convTaps.ts) adds dy's run times the tap's [O, C] matrix into the dx
 * positions it reaches, 4 positions by 8 channels of dx held in eight SIMD
 * registers while the sum runs over o. Stride s reaches every s-th position,
 * so no work is spent on the zeros of a dilated dy.
 */
import { inStep, outStep, walkTaps } from './convTaps';

export function conv2dBackpropInput(
  dy: usize,
  packed: usize,
  dx: usize,
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
  memory.fill(dx, 0, (<usize>(batch * inH * inW * ci)) << 2);
  wtBase = packed;
  inChannels = ci;
  outChannels = co;
  walkTaps(dx, dy, batch, inH, inW, ci, outH, outW, co, kh, kw, sh, sw, padT, padL, scatterTap);
}

let wtBase: usize = 0;
let inChannels: i32 = 0;
let outChannels: i32 = 0;

/**
 * The filter w [KH, KW, C, O] as [KH, KW, ceil(C / 8), O, 8] (channels past C
 * are zeros): the sum over o for a block of 8 channels then reads one
 * contiguous run, where w's own layout would jump a whole row of O per o.
 */
export function packFilter(w: usize, packed: usize, taps: i32, ci: i32, co: i32): void {
  const blocks = (ci + 7) >> 3;
  for (let k = 0; k < taps; k++) {
    for (let cb = 0; cb < blocks; cb++) {
      for (let o = 0; o < co; o++) {
        const to = packed + ((<usize>(((k * blocks + cb) * co + o) << 3)) << 2);
        for (let l = 0; l < 8; l++) {
          const c = (cb << 3) + l;
          store<f32>(to + ((<usize>l) << 2), c < ci ? load<f32>(w + ((<usize>((k * ci + c) * co + o)) << 2)) : 0);
        }
      }
    }
  }
}

/** Where channel c's column of tap k starts in the packed filter; rows of it are 32 bytes apart. */
function packedColumn(k: i32, c: i32): usize {
  const blocks = (inChannels + 7) >> 3;
  return wtBase + ((<usize>((((k * blocks + (c >> 3)) * outChannels) << 3) + (c & 7))) << 2);
}

/** dx[t, c] += sum over o of dy[t, o] w[c, o] for the n positions of one run. */
function scatterTap(dxp: usize, dyp: usize, n: i32, k: i32): void {
  const ci = inChannels;
  const co = outChannels;
  const wRow: usize = 32;
  let t = 0;
  for (; t + 4 <= n; t += 4) {
    const xt = dxp + <usize>t * inStep;
    const yt = dyp + <usize>t * outStep;
    let c = 0;
    for (; c + 8 <= ci; c += 8) block4x8(xt + ((<usize>c) << 2), yt, packedColumn(k, c), wRow, co);
    for (; c < ci; c++) for (let r = 0; r < 4; r++) dot(xt + <usize>r * inStep + ((<usize>c) << 2), yt + <usize>r * outStep, packedColumn(k, c), wRow, co);
  }
  for (; t < n; t++) {
    const xt = dxp + <usize>t * inStep;
    const yt = dyp + <usize>t * outStep;
    let c = 0;
    for (; c + 8 <= ci; c += 8) block1x8(xt + ((<usize>c) << 2), yt, packedColumn(k, c), wRow, co);
    for (; c < ci; c++) dot(xt + ((<usize>c) << 2), yt, packedColumn(k, c), wRow, co);
  }
}

/** Four dx positions by eight channels, in eight f32x4 accumulators. */
function block4x8(x: usize, y: usize, w: usize, wRow: usize, co: i32): void {
  const x1 = x + inStep;
  const x2 = x1 + inStep;
  const x3 = x2 + inStep;
  const y1 = y + outStep;
  const y2 = y1 + outStep;
  const y3 = y2 + outStep;
  let a0 = v128.load(x),
    b0 = v128.load(x, 16);
  let a1 = v128.load(x1),
    b1 = v128.load(x1, 16);
  let a2 = v128.load(x2),
    b2 = v128.load(x2, 16);
  let a3 = v128.load(x3),
    b3 = v128.load(x3, 16);
  for (let o = 0; o < co; o++) {
    const ob = (<usize>o) << 2;
    const w0 = v128.load(w);
    const w1 = v128.load(w, 16);
    const d0 = v128.load32_splat(y + ob);
    const d1 = v128.load32_splat(y1 + ob);
    const d2 = v128.load32_splat(y2 + ob);
    const d3 = v128.load32_splat(y3 + ob);
    a0 = f32x4.add(a0, f32x4.mul(d0, w0));
    b0 = f32x4.add(b0, f32x4.mul(d0, w1));
    a1 = f32x4.add(a1, f32x4.mul(d1, w0));
    b1 = f32x4.add(b1, f32x4.mul(d1, w1));
    a2 = f32x4.add(a2, f32x4.mul(d2, w0));
    b2 = f32x4.add(b2, f32x4.mul(d2, w1));
    a3 = f32x4.add(a3, f32x4.mul(d3, w0));
    b3 = f32x4.add(b3, f32x4.mul(d3, w1));
    w += wRow;
  }
  v128.store(x, a0);
  v128.store(x, b0, 16);
  v128.store(x1, a1);
  v128.store(x1, b1, 16);
  v128.store(x2, a2);
  v128.store(x2, b2, 16);
  v128.store(x3, a3);
  v128.store(x3, b3, 16);
}

/** One dx position by eight channels. */
function block1x8(x: usize, y: usize, w: usize, wRow: usize, co: i32): void {
  let a = v128.load(x),
    b = v128.load(x, 16);
  for (let o = 0; o < co; o++) {
    const d = v128.load32_splat(y + ((<usize>o) << 2));
    a = f32x4.add(a, f32x4.mul(d, v128.load(w)));
    b = f32x4.add(b, f32x4.mul(d, v128.load(w, 16)));
    w += wRow;
  }
  v128.store(x, a);
  v128.store(x, b, 16);
}

/** One dx position, one channel (the tails). */
function dot(x: usize, y: usize, w: usize, wRow: usize, co: i32): void {
  let s: f32 = 0;
  for (let o = 0; o < co; o++) {
    s += load<f32>(y + ((<usize>o) << 2)) * load<f32>(w);
    w += wRow;
  }
  store<f32>(x, load<f32>(x) + s);
}
