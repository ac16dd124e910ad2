/**
 * y[b, oh, ow, o] = sum over i, j, c of x[b, oh*s + i - pad, ow*s + j - pad, c] w[i, j, c, o]
 * for NHWC x [B, H, W, C], y [B, OH, OW, O] and the filter packed by
 * packFilter (blocked axis 3), all float32 at byte offsets into the memory
 * this module shares with tfjs's wasm backend. Each output row (b, oh) and
 * filter tap (i, j) (convTaps.ts) adds the input run it reads times the tap's
 * [C, O] matrix into y (tapProduct.ts: the sum over c runs while 4 positions
 * by 8 channels of y are held in SIMD registers). Padding is never read: a
 * tap only visits the output columns whose input lies inside the image.
 */
import { inStep, outStep, walkTaps } from './convTaps';
import { tapProduct } from './tapProduct';

export function conv2d(
  x: usize,
  packed: usize,
  y: usize,
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
  memory.fill(y, 0, (<usize>(batch * outH * outW * co)) << 2);
  wtBase = packed;
  inChannels = ci;
  outChannels = co;
  walkTaps(x, y, batch, inH, inW, ci, outH, outW, co, kh, kw, sh, sw, padT, padL, gatherTap);
}

let wtBase: usize = 0;
let inChannels: i32 = 0;
let outChannels: i32 = 0;

/** y[t, o] += sum over c of x[t, c] w[c, o] for the n positions of one run; tap k's packed matrix is ceil(O / 8) * C rows of 8. */
function gatherTap(xp: usize, yp: usize, n: i32, k: i32): void {
  const tapSize = (<usize>(((outChannels + 7) >> 3) * inChannels)) << 5;
  tapProduct(yp, outStep, xp, inStep, n, outChannels, inChannels, wtBase + <usize>k * tapSize);
}
