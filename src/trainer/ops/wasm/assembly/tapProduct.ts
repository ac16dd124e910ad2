/**
 * The product both SIMD convolutions (conv2d.ts, conv2dBackpropInput.ts)
 * spend their time in: for one filter tap and one run of positions
 * (convTaps.ts), acc[t, ch] += sum over r of src[t, r] m[r, ch], where m is
 * the tap's filter matrix packed by packFilter. The forward convolution
 * accumulates y (ch: output channels) from x (r: input channels); the input
 * gradient accumulates dx (ch: input channels) from dy (r: output channels).
 * Float32 at byte offsets into tfjs's memory; positions of a run are a fixed
 * number of bytes apart, channels of a position are contiguous.
 */

/**
 * The filter w [taps, CI, CO] as [taps, ceil(N / 8), R, 8], where the blocked
 * axis (2: CI, 3: CO) has N channels and the other one R (lanes past N are
 * zeros): the sum over r for a block of 8 channels then reads one contiguous
 * run of 32-byte rows, where w's own layout would jump a whole filter row per r.
 */
export function packFilter(w: usize, packed: usize, taps: i32, ci: i32, co: i32, blockedAxis: i32): void {
  const byInputs = blockedAxis == 2;
  const n = byInputs ? ci : co;
  const len = byInputs ? co : ci;
  // element (channel, r) of a tap's [CI, CO] matrix, in floats
  const chStride = byInputs ? co : 1;
  const rStride = byInputs ? 1 : co;
  const blocks = (n + 7) >> 3;
  for (let k = 0; k < taps; k++) {
    const tap = w + ((<usize>(k * ci * co)) << 2);
    for (let cb = 0; cb < blocks; cb++) {
      for (let r = 0; r < len; r++) {
        const to = packed + ((<usize>(((k * blocks + cb) * len + r) << 3)) << 2);
        for (let l = 0; l < 8; l++) {
          const ch = (cb << 3) + l;
          store<f32>(to + ((<usize>l) << 2), ch < n ? load<f32>(tap + ((<usize>(ch * chStride + r * rStride)) << 2)) : 0);
        }
      }
    }
  }
}

/**
 * acc[t, ch] += sum over r < len of src[t, r] m[r, ch] for the n positions
 * t of a run and the channels ch < channels of one tap: acc positions accStep
 * bytes apart, src positions srcStep apart, m the tap's packed matrix
 * (packFilter: blocks of 8 channels, each len rows of 32 bytes). Four
 * positions by eight channels at a time, then one position by eight, then
 * single channels.
 */
export function tapProduct(acc: usize, accStep: usize, src: usize, srcStep: usize, n: i32, channels: i32, len: i32, m: usize): void {
  const block = (<usize>len) << 5;
  const ch8 = channels & ~7;
  let t = 0;
  for (; t + 4 <= n; t += 4) {
    const a = acc + <usize>t * accStep;
    const s = src + <usize>t * srcStep;
    let ch = 0;
    for (; ch < ch8; ch += 8) block4x8(a + ((<usize>ch) << 2), accStep, s, srcStep, m + <usize>(ch >> 3) * block, len);
    for (; ch < channels; ch++) {
      const col = column(m, block, ch);
      for (let p = 0; p < 4; p++) dot(a + <usize>p * accStep + ((<usize>ch) << 2), s + <usize>p * srcStep, col, len);
    }
  }
  for (; t < n; t++) {
    const a = acc + <usize>t * accStep;
    const s = src + <usize>t * srcStep;
    let ch = 0;
    for (; ch < ch8; ch += 8) block1x8(a + ((<usize>ch) << 2), s, m + <usize>(ch >> 3) * block, len);
    for (; ch < channels; ch++) dot(a + ((<usize>ch) << 2), s, column(m, block, ch), len);
  }
}

/** Where channel ch's column starts in a tap's packed matrix (blocks `block` bytes long); its rows are 32 bytes apart. */
function column(m: usize, block: usize, ch: i32): usize {
  return m + <usize>(ch >> 3) * block + ((<usize>(ch & 7)) << 2);
}

/** Four positions by eight channels, in eight f32x4 accumulators. */
function block4x8(acc: usize, accStep: usize, src: usize, srcStep: usize, m: usize, len: i32): void {
  const a1p = acc + accStep;
  const a2p = a1p + accStep;
  const a3p = a2p + accStep;
  const s1 = src + srcStep;
  const s2 = s1 + srcStep;
  const s3 = s2 + srcStep;
  let a0 = v128.load(acc),
    b0 = v128.load(acc, 16);
  let a1 = v128.load(a1p),
    b1 = v128.load(a1p, 16);
  let a2 = v128.load(a2p),
    b2 = v128.load(a2p, 16);
  let a3 = v128.load(a3p),
    b3 = v128.load(a3p, 16);
  for (let r = 0; r < len; r++) {
    const rb = (<usize>r) << 2;
    const m0 = v128.load(m);
    const m1 = v128.load(m, 16);
    const d0 = v128.load32_splat(src + rb);
    const d1 = v128.load32_splat(s1 + rb);
    const d2 = v128.load32_splat(s2 + rb);
    const d3 = v128.load32_splat(s3 + rb);
    a0 = f32x4.add(a0, f32x4.mul(d0, m0));
    b0 = f32x4.add(b0, f32x4.mul(d0, m1));
    a1 = f32x4.add(a1, f32x4.mul(d1, m0));
    b1 = f32x4.add(b1, f32x4.mul(d1, m1));
    a2 = f32x4.add(a2, f32x4.mul(d2, m0));
    b2 = f32x4.add(b2, f32x4.mul(d2, m1));
    a3 = f32x4.add(a3, f32x4.mul(d3, m0));
    b3 = f32x4.add(b3, f32x4.mul(d3, m1));
    m += 32;
  }
  v128.store(acc, a0);
  v128.store(acc, b0, 16);
  v128.store(a1p, a1);
  v128.store(a1p, b1, 16);
  v128.store(a2p, a2);
  v128.store(a2p, b2, 16);
  v128.store(a3p, a3);
  v128.store(a3p, b3, 16);
}

/** One position by eight channels. */
function block1x8(acc: usize, src: usize, m: usize, len: i32): void {
  let a = v128.load(acc),
    b = v128.load(acc, 16);
  for (let r = 0; r < len; r++) {
    const d = v128.load32_splat(src + ((<usize>r) << 2));
    a = f32x4.add(a, f32x4.mul(d, v128.load(m)));
    b = f32x4.add(b, f32x4.mul(d, v128.load(m, 16)));
    m += 32;
  }
  v128.store(acc, a);
  v128.store(acc, b, 16);
}

/** One position, one channel (the tails); m's rows are 32 bytes apart. */
function dot(acc: usize, src: usize, m: usize, len: i32): void {
  let s: f32 = 0;
  for (let r = 0; r < len; r++) {
    s += load<f32>(src + ((<usize>r) << 2)) * load<f32>(m);
    m += 32;
  }
  store<f32>(acc, load<f32>(acc) + s);
}
