/**
 * The per-channel passes of batch norm in training mode over NHWC activations
 * seen as [rows, C] float32 matrices at byte offsets into tfjs's memory.
 */

/** Rows summed in float32 registers before the block's sums join the float64 totals. */
const BLOCK = 256;

/**
 * out[c] = scale * sum over r of a[r, c], out[C + c] = scale * sum over r of a[r, c] b[r, c]
 * (out: 2C float32). Blocks of rows are summed four channels to a SIMD
 * register and the block sums added in float64 (scratch: 2C float64), so a
 * sum over 400,000 rows keeps float32's precision.
 */
export function columnMoments(a: usize, b: usize, rows: i32, channels: i32, scale: f64, out: usize, scratch: usize): void {
  memory.fill(scratch, 0, (<usize>channels) << 4);
  const rowBytes = (<usize>channels) << 2;
  const products = scratch + ((<usize>channels) << 3);
  for (let r0 = 0; r0 < rows; r0 += BLOCK) {
    const n = min(BLOCK, rows - r0);
    const first = <usize>r0 * rowBytes;
    let c = 0;
    for (; c + 4 <= channels; c += 4) {
      let s = f32x4.splat(0);
      let p = f32x4.splat(0);
      let pa = a + first + ((<usize>c) << 2);
      let pb = b + first + ((<usize>c) << 2);
      for (let r = 0; r < n; r++) {
        const v = v128.load(pa);
        s = f32x4.add(s, v);
        p = f32x4.add(p, f32x4.mul(v, v128.load(pb)));
        pa += rowBytes;
        pb += rowBytes;
      }
      addLanes(scratch + ((<usize>c) << 3), s);
      addLanes(products + ((<usize>c) << 3), p);
    }
    for (; c < channels; c++) {
      let s: f32 = 0;
      let p: f32 = 0;
      let pa = a + first + ((<usize>c) << 2);
      let pb = b + first + ((<usize>c) << 2);
      for (let r = 0; r < n; r++) {
        const v = load<f32>(pa);
        s += v;
        p += v * load<f32>(pb);
        pa += rowBytes;
        pb += rowBytes;
      }
      store<f64>(scratch + ((<usize>c) << 3), load<f64>(scratch + ((<usize>c) << 3)) + <f64>s);
      store<f64>(products + ((<usize>c) << 3), load<f64>(products + ((<usize>c) << 3)) + <f64>p);
    }
  }
  for (let c = 0; c < 2 * channels; c++) store<f32>(out + ((<usize>c) << 2), <f32>(load<f64>(scratch + ((<usize>c) << 3)) * scale));
}

function addLanes(total: usize, v: v128): void {
  store<f64>(total, load<f64>(total) + <f64>f32x4.extract_lane(v, 0));
  store<f64>(total, load<f64>(total, 8) + <f64>f32x4.extract_lane(v, 1), 8);
  store<f64>(total, load<f64>(total, 16) + <f64>f32x4.extract_lane(v, 2), 16);
  store<f64>(total, load<f64>(total, 24) + <f64>f32x4.extract_lane(v, 3), 24);
}

/**
 * y[r, c] = (x[r, c] - sub[c]) mul[c] + add[c], plus dy[r, c] mulDy[c] when
 * dy is not 0: batch norm's output, and its input gradient. params holds
 * sub, mul, add and mulDy, C float32 each.
 */
export function channelAffine(x: usize, dy: usize, y: usize, rows: i32, channels: i32, params: usize): void {
  const cb = (<usize>channels) << 2;
  const sub = params;
  const mul = sub + cb;
  const add = mul + cb;
  const mulDy = add + cb;
  const vector = channels - (channels & 3);
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * cb;
    for (let k: usize = 0; k < (<usize>vector) << 2; k += 16) {
      let v = f32x4.add(f32x4.mul(f32x4.sub(v128.load(x + row + k), v128.load(sub + k)), v128.load(mul + k)), v128.load(add + k));
      if (dy) v = f32x4.add(v, f32x4.mul(v128.load(dy + row + k), v128.load(mulDy + k)));
      v128.store(y + row + k, v);
    }
    for (let k: usize = (<usize>vector) << 2; k < cb; k += 4) {
      let v = (load<f32>(x + row + k) - load<f32>(sub + k)) * load<f32>(mul + k) + load<f32>(add + k);
      if (dy) v += load<f32>(dy + row + k) * load<f32>(mulDy + k);
      store<f32>(y + row + k, v);
    }
  }
}
