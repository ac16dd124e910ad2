/**
 * The walk both convolution gradients share: for every output row (b, oh) and
 * filter tap (i, j), the run of output columns whose input column
 * iw = ow*sw + j - padL lies inside the input. NHWC float32 tensors at byte
 * offsets into tfjs's memory; `tap` gets the first input position of the run
 * (x), the first output position (dy), the run's length and the tap's index.
 * Input positions along the run are `inStep` bytes apart, output positions
 * `outStep`.
 */
export let inStep: usize = 0;
export let outStep: usize = 0;

export function walkTaps(
  x: usize,
  dy: usize,
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
  tap: (x: usize, dy: usize, n: i32, tap: i32) => void,
): void {
  inStep = (<usize>(sw * ci)) << 2;
  outStep = (<usize>co) << 2;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outH; oh++) {
      const dyRow = dy + ((<usize>((b * outH + oh) * outW * co)) << 2);
      for (let i = 0; i < kh; i++) {
        const ih = oh * sh + i - padT;
        if (ih < 0 || ih >= inH) continue;
        const xRow = x + ((<usize>((b * inH + ih) * inW * ci)) << 2);
        for (let j = 0; j < kw; j++) {
          const ow0 = firstColumn(j, sw, padL);
          const ow1 = endColumn(j, sw, padL, inW, outW);
          if (ow0 >= ow1) continue;
          tap(xRow + ((<usize>((ow0 * sw + j - padL) * ci)) << 2), dyRow + ((<usize>(ow0 * co)) << 2), ow1 - ow0, i * kw + j);
        }
      }
    }
  }
}

/** The first output column ow whose input column iw = ow*sw + j - padL is not left of the input. */
export function firstColumn(j: i32, sw: i32, padL: i32): i32 {
  return max(0, (padL - j + sw - 1) / sw);
}

/** One past the last output column whose input column lies inside the input (at most outW; 0 when none). */
export function endColumn(j: i32, sw: i32, padL: i32, inW: i32, outW: i32): i32 {
  return inW - 1 + padL - j < 0 ? 0 : min(outW, (inW - 1 + padL - j) / sw + 1);
}
