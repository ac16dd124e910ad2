/**
 * dx[b, oh*s + i - pad, ow*s + j - pad, c] += sum over o of dy[b, oh, ow, o] w[i, j, c, o]
 * for NHWC dy [B, OH, OW, O], dx [B, H, W, C] and the filter packed by
 * packFilter (blocked axis 2), all float32 at byte offsets into the memory
 * this module shares with tfjs's wasm backend. Each output row (b, oh) and
 * filter tap (i, j) (convTaps.ts) adds dy's run times the tap's [O, C]
 * matrix into the dx positions it reaches (tapProduct.ts: the sum over o runs
 * while 4 positions by 8 channels of dx are held in SIMD registers). Stride s
 * reaches every s-th position, so no work is spent on the zeros of a dilated
 * dy.
 */
import { inStep, outStep, walkTaps } from './convTaps';
import { tapProduct } from './tapProduct';

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

/** dx[t, c] += sum over o of dy[t, o] w[c, o] for the n positions of one run; tap k's packed matrix is ceil(C / 8) * O rows of 8. */
function scatterTap(dxp: usize, dyp: usize, n: i32, k: i32): void {
  const tapSize = (<usize>(((inChannels + 7) >> 3) * outChannels)) << 5;
  tapProduct(dxp, inStep, dyp, outStep, n, inChannels, outChannels, wtBase + <usize>k * tapSize);
}
