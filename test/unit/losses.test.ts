// The supervised contrastive loss against the reference implementation's
// vectors (test/fixtures/supcon_vectors.json, float64) and a float64 port of
// its definition for the cases the vectors do not cover, on the cpu backend
// (the definition, by automatic differentiation) and the wasm backend (its
// hand-written gradient in ops/wasm).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '../../src/trainer/backend/tf';
import { initBackend } from '../../src/trainer/backend/init';
import { collapseLoss, crossEntropy, pairSimilarities, supConLoss, supConLossWithStats, type SupConOptions } from '../../src/trainer/losses';

type Features = number[][][];

interface Vector {
  spec: { bsz: number; views: number; dim: number; classes: number | null; T: number; base_T: number; mode: 'all' | 'one'; variant: 'out' | 'in' };
  features: Features;
  labels: number[] | null;
  loss: number;
  grad: Features;
}

const vectors = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/supcon_vectors.json'), 'utf8')) as Vector[];

/** Seeded unit vectors [bsz][views][dim]. */
function randomFeatures(bsz: number, views: number, dim: number, seed: number): Features {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  return Array.from({ length: bsz }, () =>
    Array.from({ length: views }, () => {
      const v = Array.from({ length: dim }, next);
      const norm = Math.hypot(...v);
      return v.map((x) => x / norm);
    }),
  );
}

/** The reference loss in float64, line by line from its definition. */
function referenceLoss(f: Features, labels: number[] | null, o: SupConOptions): number {
  const bsz = f.length;
  const rows = f[0].flatMap((_, v) => f.map((sample) => sample[v]));
  const key = (r: number) => (labels ? labels[r % bsz] : r % bsz);
  const anchors = o.contrastMode === 'all' ? rows.length : bsz;
  let total = 0;
  for (let i = 0; i < anchors; i++) {
    const others = rows.map((_, j) => j).filter((j) => j !== i);
    const logit = (j: number) => rows[i].reduce((acc, x, d) => acc + x * rows[j][d], 0) / o.temperature;
    const top = Math.max(...others.map(logit));
    const lse = top + Math.log(others.reduce((acc, j) => acc + Math.exp(logit(j) - top), 0));
    const pos = others.filter((j) => key(j) === key(i));
    if (!pos.length) continue;
    total +=
      o.variant === 'out' ? -pos.reduce((acc, j) => acc + logit(j) - lse, 0) / pos.length : -Math.log(pos.reduce((acc, j) => acc + Math.exp(logit(j) - lse), 0) / pos.length);
  }
  return ((o.temperature / o.baseTemperature) * total) / anchors;
}

/** Central differences of the float64 reference. */
function referenceGrad(f: Features, labels: number[] | null, o: SupConOptions): Features {
  const h = 1e-6;
  return f.map((sample, b) =>
    sample.map((row, v) =>
      row.map((_, d) => {
        const shifted = (delta: number) => {
          const g = structuredClone(f);
          g[b][v][d] += delta;
          return referenceLoss(g, labels, o);
        };
        return (shifted(h) - shifted(-h)) / (2 * h);
      }),
    ),
  );
}

function lossAndGrad(f: Features, labels: number[] | null, o: Partial<SupConOptions>): { loss: number; grad: number[] } {
  return tf.tidy(() => {
    const x = tf.tensor3d(f);
    const y = labels ? tf.tensor1d(labels, 'int32') : null;
    const { value, grads } = tf.valueAndGrads((z) => supConLoss(z as tf.Tensor3D, y, o))([x]);
    return { loss: value.dataSync()[0], grad: Array.from(grads[0].dataSync()) };
  });
}

function assertClose(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
}

/** Gradients agree to `rel` of their largest entry. */
function assertGradClose(actual: number[], expected: Features, rel: number): void {
  const flat = expected.flat(2);
  const scale = Math.max(...flat.map(Math.abs));
  const worst = Math.max(...flat.map((e, i) => Math.abs(actual[i] - e)));
  assert.ok(worst <= rel * scale, `gradient differs by ${worst} (scale ${scale})`);
}

const extraCases: { name: string; f: Features; labels: number[] | null; o: SupConOptions }[] = [
  { name: 'mode one, L_out, 3 views', f: randomFeatures(5, 3, 4, 1), labels: [0, 1, 0, 2, 1], o: { temperature: 0.1, baseTemperature: 0.07, variant: 'out', contrastMode: 'one' } },
  {
    name: 'mode one, L_in, 2 views',
    f: randomFeatures(6, 2, 3, 2),
    labels: [3, 1, 3, 1, 0, 0],
    o: { temperature: 0.2, baseTemperature: 0.07, variant: 'in', contrastMode: 'one' },
  },
  { name: 'mode one, SimCLR', f: randomFeatures(4, 2, 5, 3), labels: null, o: { temperature: 0.5, baseTemperature: 0.5, variant: 'out', contrastMode: 'one' } },
  {
    name: 'one view, an anchor without positives, L_out',
    f: randomFeatures(5, 1, 4, 4),
    labels: [0, 1, 0, 2, 1],
    o: { temperature: 0.1, baseTemperature: 0.07, variant: 'out', contrastMode: 'all' },
  },
  {
    name: 'one view, an anchor without positives, L_in',
    f: randomFeatures(5, 1, 4, 5),
    labels: [0, 1, 0, 2, 1],
    o: { temperature: 0.1, baseTemperature: 0.07, variant: 'in', contrastMode: 'all' },
  },
  { name: 'mode one, one view, L_in', f: randomFeatures(5, 1, 4, 6), labels: [0, 1, 0, 2, 1], o: { temperature: 0.3, baseTemperature: 0.07, variant: 'in', contrastMode: 'one' } },
];

for (const backend of ['cpu', 'wasm']) {
  describe(`supConLoss on ${backend}`, () => {
    before(async () => {
      await initBackend(backend as 'cpu' | 'wasm');
    });

    for (const v of vectors) {
      const s = v.spec;
      it(`matches the reference vector: ${s.variant}, mode ${s.mode}, ${s.bsz}x${s.views}, ${s.classes ? 'labels' : 'SimCLR'}, T ${s.T}`, () => {
        const { loss, grad } = lossAndGrad(v.features, v.labels, { temperature: s.T, baseTemperature: s.base_T, variant: s.variant, contrastMode: s.mode });
        assertClose(loss, v.loss, 1e-5, 'loss');
        assertGradClose(grad, v.grad, 1e-3);
      });
    }

    for (const c of extraCases) {
      it(`matches the float64 port: ${c.name}`, () => {
        const { loss, grad } = lossAndGrad(c.f, c.labels, c.o);
        assertClose(loss, referenceLoss(c.f, c.labels, c.o), 1e-5, 'loss');
        assertGradClose(grad, referenceGrad(c.f, c.labels, c.o), 1e-3);
      });
    }

    // The definition holds over the temperatures the config accepts; the
    // reference's 1e-9 inside its log would move it away below T of about 0.02.
    for (const temperature of [0.01, 0.02, 0.05, 0.1, 1, 10]) {
      for (const variant of ['out', 'in'] as const) {
        it(`follows the definition at T ${temperature}, L_${variant}`, () => {
          const f = randomFeatures(8, 2, 6, 11);
          const labels = [0, 1, 2, 0, 1, 2, 3, 3];
          const o: SupConOptions = { temperature, baseTemperature: 0.07, variant, contrastMode: 'all' };
          const { loss, grad } = lossAndGrad(f, labels, o);
          assertClose(loss, referenceLoss(f, labels, o), 1e-4, 'loss');
          assertGradClose(grad, referenceGrad(f, labels, o), 2e-3);
        });
      }
    }

    it('equals (T / baseT) ln(2N - 1) at total collapse', () => {
      const same = Array.from({ length: 64 }, () => [
        [0.6, 0.8],
        [0.6, 0.8],
      ]);
      const labels = Array.from({ length: 64 }, (_, i) => i % 10);
      assert.equal(collapseLoss(64, 2, 0.1, 0.07).toFixed(3), '6.920');
      for (const variant of ['out', 'in'] as const) {
        assertClose(lossAndGrad(same, labels, { variant }).loss, collapseLoss(64, 2, 0.1, 0.07), 1e-5, variant);
      }
    });

    it('reports mean positive and negative cosine similarity', () => {
      const f = randomFeatures(6, 2, 3, 7);
      const labels = [0, 1, 0, 1, 2, 2];
      const rows = f[0].flatMap((_, v) => f.map((sample) => sample[v]));
      const sums = { pos: [0, 0], neg: [0, 0] };
      rows.forEach((a, i) =>
        rows.forEach((c, j) => {
          if (i === j) return;
          const kind = labels[i % 6] === labels[j % 6] ? sums.pos : sums.neg;
          kind[0] += a.reduce((acc, x, d) => acc + x * c[d], 0);
          kind[1] += 1;
        }),
      );
      tf.tidy(() => {
        const x = tf.tensor3d(f);
        const y = tf.tensor1d(labels, 'int32');
        const direct = pairSimilarities(x, y);
        const withLoss = supConLossWithStats(x, y);
        for (const got of [direct, withLoss]) {
          assertClose(got.posSim.dataSync()[0], sums.pos[0] / sums.pos[1], 1e-5, 'posSim');
          assertClose(got.negSim.dataSync()[0], sums.neg[0] / sums.neg[1], 1e-5, 'negSim');
        }
        assertClose(withLoss.loss.dataSync()[0], referenceLoss(f, labels, { temperature: 0.1, baseTemperature: 0.07, variant: 'out', contrastMode: 'all' }), 1e-5, 'loss');
        const viaStats = tf
          .grad((z) => supConLossWithStats(z as tf.Tensor3D, y).loss)(x)
          .dataSync();
        const plain = tf
          .grad((z) => supConLoss(z as tf.Tensor3D, y))(x)
          .dataSync();
        viaStats.forEach((g, i) => assert.equal(g, plain[i]));
      });
    });

    it('crossEntropy matches its definition, gradient softmax - one-hot', () => {
      const logits = [
        [1, 2, 0.5],
        [0.1, -1, 3],
      ];
      const labels = [1, 2];
      const expected = -(logits.map((l, i) => l[labels[i]] - Math.log(l.reduce((acc, x) => acc + Math.exp(x), 0))).reduce((p, q) => p + q) / 2);
      tf.tidy(() => {
        const { value, grads } = tf.valueAndGrads((z) => crossEntropy(z as tf.Tensor2D, tf.tensor1d(labels, 'int32')))([tf.tensor2d(logits)]);
        assertClose(value.dataSync()[0], expected, 1e-6, 'value');
        const softmax = logits.map((l) => l.map((x) => Math.exp(x) / l.reduce((acc, y) => acc + Math.exp(y), 0)));
        const g = grads[0].arraySync() as number[][];
        softmax.forEach((row, i) => row.forEach((p, k) => assert.ok(Math.abs(g[i][k] - (p - (k === labels[i] ? 1 : 0)) / 2) < 1e-6)));
      });
    });

    it('leaks no tensors', () => {
      const x = tf.tensor3d(randomFeatures(8, 2, 4, 8));
      const y = tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], 'int32');
      const before = tf.memory().numTensors;
      for (const o of [{}, { variant: 'in' as const }, { contrastMode: 'one' as const }]) {
        const g = tf.grad((z) => supConLoss(z as tf.Tensor3D, y, o))(x);
        const stats = supConLossWithStats(x, null, o);
        const sims = pairSimilarities(x, y);
        tf.dispose([g, stats.loss, stats.posSim, stats.negSim, sims.posSim, sims.negSim]);
      }
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([x, y]);
    });
  });
}
