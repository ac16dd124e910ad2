// Representation diagnostics against values worked out by hand on tiny fixed
// inputs (a collapsed one, an ideal one with orthogonal class means), the kNN
// monitor against a brute-force loop, and the float64 eigen solver and PCA
// against a Jacobi solve and data with known axes, on the cpu and wasm backends.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '../../src/trainer/backend/tf';
import { initBackend } from '../../src/trainer/backend/init';
import { alignment, classAlignment, uniformity } from '../../src/trainer/diagnostics/alignUniform';
import { classSimilarity } from '../../src/trainer/diagnostics/classSimilarity';
import { collapseWarning, dimensionStd, effectiveRank, secondMoment, STD_FLOOR } from '../../src/trainer/diagnostics/collapse';
import { symmetricEigen } from '../../src/trainer/diagnostics/eigen';
import { weightedKnnTop1 } from '../../src/trainer/diagnostics/knn';
import { pca } from '../../src/trainer/diagnostics/pca';

const close = (actual: number, expected: number, tol = 1e-5, what = '') => assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} != ${expected} (tol ${tol})`);

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

/** Cyclic Jacobi rotations in float64: the textbook reference for a symmetric matrix's eigenvalues. */
function jacobiEigenvalues(a: number[][]): number[] {
  const n = a.length;
  const m = a.map((r) => [...r]);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p][q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(m[p][q]) < 1e-300) continue;
        const theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const [kp, kq] = [m[k][p], m[k][q]];
          m[k][p] = c * kp - s * kq;
          m[k][q] = s * kp + c * kq;
        }
        for (let k = 0; k < n; k++) {
          const [pk, qk] = [m[p][k], m[q][k]];
          m[p][k] = c * pk - s * qk;
          m[q][k] = s * pk + c * qk;
        }
      }
  }
  return m.map((r, i) => r[i]).sort((x, y) => y - x);
}

function randomSymmetric(n: number, seed: number): number[][] {
  const next = lcg(seed);
  const a = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i][j] = a[j][i] = next();
  return a;
}

describe('symmetric eigen solver (float64)', () => {
  it('matches Jacobi rotations on random symmetric matrices, with orthonormal eigenvectors', () => {
    for (const n of [1, 2, 5, 17, 40]) {
      const a = randomSymmetric(n, n);
      const { values, vectors } = symmetricEigen(a.flat());
      const reference = jacobiEigenvalues(a);
      values.forEach((v, i) => close(v, reference[i], 1e-9, `n=${n} eigenvalue ${i}`));
      for (let c = 0; c < n; c++) {
        // A v = lambda v
        for (let r = 0; r < n; r++) {
          let av = 0;
          for (let k = 0; k < n; k++) av += a[r][k] * vectors[k * n + c];
          close(av, values[c] * vectors[r * n + c], 1e-9, `n=${n} A v row ${r}`);
        }
        let norm = 0;
        for (let r = 0; r < n; r++) norm += vectors[r * n + c] ** 2;
        close(norm, 1, 1e-9, 'unit eigenvector');
      }
    }
  });

  it('handles repeated and zero eigenvalues', () => {
    assert.deepEqual([...symmetricEigen([2, 0, 0, 0, 2, 0, 0, 0, 0]).values], [2, 2, 0]);
    assert.throws(() => symmetricEigen([1, 2, 3]), /n x n/);
  });
});

describe('PCA', () => {
  it('recovers known axes and variances', () => {
    // points along (3,4)/5 with spread 10, across it with spread 1, centred at (7, -2)
    const axis = [0.6, 0.8];
    const across = [-0.8, 0.6];
    const coords: [number, number][] = [
      [10, 1],
      [-10, 1],
      [10, -1],
      [-10, -1],
    ];
    const rows = coords.flatMap(([a, b]) => [7 + a * axis[0] + b * across[0], -2 + a * axis[1] + b * across[1]]);
    const { points, variance } = pca(rows, 2, 2);
    close(variance[0], 100, 1e-9);
    close(variance[1], 1, 1e-9);
    // the first axis's largest coefficient (0.8) is made positive: the projections are the coordinates
    coords.forEach(([a, b], i) => {
      close(points[i * 2], a, 1e-9, 'first coordinate');
      close(Math.abs(points[i * 2 + 1]), Math.abs(b), 1e-9, 'second coordinate');
    });
  });

  it('gives the variances a Jacobi solve of the covariance gives', () => {
    const next = lcg(7);
    const [count, dim] = [50, 6];
    const rows = Array.from({ length: count * dim }, (_, k) => next() * (1 + (k % dim)));
    const mean = Array.from({ length: dim }, (_, j) => rows.filter((_, k) => k % dim === j).reduce((a, b) => a + b, 0) / count);
    const cov = Array.from({ length: dim }, (_, a) =>
      Array.from({ length: dim }, (_, b) => {
        let s = 0;
        for (let i = 0; i < count; i++) s += (rows[i * dim + a] - mean[a]) * (rows[i * dim + b] - mean[b]);
        return s / count;
      }),
    );
    const reference = jacobiEigenvalues(cov);
    const { points, variance } = pca(rows, dim, 3);
    variance.forEach((v, i) => close(v, reference[i], 1e-9, `variance ${i}`));
    // the projected points have that variance along each axis
    for (let c = 0; c < 3; c++) {
      let s = 0;
      for (let i = 0; i < count; i++) s += points[i * 3 + c] ** 2;
      close(s / count, reference[c], 1e-9, `projected variance ${c}`);
    }
    assert.throws(() => pca(rows, dim, 7), /7 components from 6/);
  });
});

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`representation metrics on ${backend}`, () => {
    before(async () => {
      await initBackend(backend);
    });

    const value = (t: tf.Tensor) => t.dataSync()[0];

    it('collapsed input: uniformity 0, alignment 0, effective rank 1, std 0, the warning fires', () => {
      const z = tf.tensor2d(Array.from({ length: 6 }, () => [3, 4, 0]));
      const labels = tf.tensor1d([0, 0, 1, 1, 2, 2], 'int32');
      close(value(uniformity(z)), 0, 1e-6, 'uniformity');
      close(value(alignment(z, z)), 0, 1e-6, 'alignment');
      close(value(classAlignment(z, labels)), 0, 1e-6, 'class alignment');
      const std = dimensionStd(z);
      close(value(std.mean), 0, 1e-6, 'std mean');
      close(value(std.collapsed), 1, 0, 'collapsed fraction');
      const m = secondMoment(z);
      const moment = Array.from(m.dataSync());
      // u = (0.6, 0.8, 0): u u^T
      [0.36, 0.48, 0, 0.48, 0.64, 0, 0, 0, 0].forEach((v, i) => close(moment[i], v, 1e-6, 'second moment'));
      const rank = effectiveRank(moment);
      close(rank, 1, 1e-5, 'effective rank');
      const warning = collapseWarning({ effectiveRank: rank, stdMean: value(std.mean) }, 2);
      assert.match(warning ?? '', /effective rank 1\.00 < 2; mean per-dimension std .* < 0\.001/);
      const sims = Array.from(classSimilarity(z, labels, 3).dataSync());
      sims.forEach((s) => close(s, 1, 1e-6, 'every class pair has cosine 1'));
      tf.dispose([z, labels, std.mean, std.collapsed, m]);
    });

    it('ideal input: orthogonal class means give the hand-computed values', () => {
      // two rows per class, exactly on the class's basis vector (scaled: normalisation removes it)
      const rows = [
        [2, 0, 0],
        [5, 0, 0],
        [0, 1, 0],
        [0, 3, 0],
        [0, 0, 4],
        [0, 0, 1],
      ];
      const z = tf.tensor2d(rows);
      const labels = tf.tensor1d([0, 0, 1, 1, 2, 2], 'int32');
      // 30 ordered distinct pairs: 6 same-class at distance 0, 24 at squared distance 2
      close(value(uniformity(z)), Math.log((6 + 24 * Math.exp(-4)) / 30), 1e-5, 'uniformity');
      close(value(classAlignment(z, labels)), 0, 1e-6, 'class alignment');
      const sims = classSimilarity(z, labels, 3).arraySync();
      sims.forEach((row, a) => row.forEach((s, b) => close(s, a === b ? 1 : 0, 1e-6, `similarity ${a},${b}`)));
      // second moment = I/3: effective rank 3, no warning
      const moment = Array.from(secondMoment(z).dataSync());
      const rank = effectiveRank(moment);
      close(rank, 3, 1e-5, 'effective rank');
      const std = dimensionStd(z);
      // each coordinate is 1 for a third of the rows: std sqrt(1/3 * 2/3)
      close(value(std.mean), Math.sqrt(2 / 9), 1e-6, 'std mean');
      close(value(std.collapsed), 0, 0, 'collapsed fraction');
      assert.equal(collapseWarning({ effectiveRank: rank, stdMean: value(std.mean) }, 2), undefined);
      tf.dispose([z, labels]);
    });

    it('alignment of views: mean squared distance of normalised pairs', () => {
      const u = tf.tensor2d([
        [1, 0],
        [0, 2],
        [3, 0],
      ]);
      const v = tf.tensor2d([
        [0, 1],
        [0, 5],
        [-1, 0],
      ]);
      // pairs at 90 degrees (2), equal (0), opposite (4)
      close(value(alignment(u, v)), 2, 1e-6);
      tf.dispose([u, v]);
    });

    it('class alignment and similarity on a hand-worked mixed input; an absent class is NaN', () => {
      // class 0: (1,0) and (0,1): cos 0, squared distance 2; class 1: (1,0) alone
      const z = tf.tensor2d([
        [1, 0],
        [0, 1],
        [1, 0],
      ]);
      const labels = tf.tensor1d([0, 0, 1], 'int32');
      close(value(classAlignment(z, labels)), 2, 1e-6);
      const s = classSimilarity(z, labels, 3).arraySync();
      close(s[0][0], 0, 1e-6, '(0,0)');
      close(s[0][1], 0.5, 1e-6, '(0,1): cos 1 and 0');
      close(s[1][0], 0.5, 1e-6, '(1,0)');
      assert.ok(Number.isNaN(s[1][1]), 'a class of one row has no pairs');
      assert.ok(Number.isNaN(s[2][2]) && Number.isNaN(s[0][2]), 'an absent class is NaN');
      tf.dispose([z, labels]);
    });

    it('effective rank of a spectrum worked by hand; the std floor', () => {
      // eigenvalues 0.5, 0.25, 0.25: H = 1.5 ln 2
      close(effectiveRank([0.5, 0, 0, 0, 0.25, 0, 0, 0, 0.25]), Math.exp(1.5 * Math.log(2)), 1e-12);
      assert.throws(() => effectiveRank([0, 0, 0, 0]), /zero/);
      assert.match(collapseWarning({ effectiveRank: 5, stdMean: STD_FLOOR / 2 }, 2) ?? '', /std 5\.00e-4 < 0\.001/);
      assert.equal(collapseWarning({ effectiveRank: 1.9, stdMean: 0.1 }, 1.5), undefined);
    });

    it('weighted kNN top-1 matches a brute-force loop', () => {
      const next = lcg(3);
      const [n, m, d, classes] = [300, 70, 8, 4];
      const bank = Array.from({ length: n }, () => Array.from({ length: d }, next));
      const bankLabels = Array.from({ length: n }, (_, i) => i % classes);
      // queries near bank rows, so the vote is informative but not trivial
      const queryLabels = Array.from({ length: m }, (_, i) => bankLabels[(i * 7) % n]);
      const query = Array.from({ length: m }, (_, i) => bank[(i * 7) % n].map((x) => x + 0.8 * next()));
      const norm = (r: number[]) => {
        const l = Math.hypot(...r);
        return r.map((x) => x / l);
      };
      for (const [k, t] of [
        [200, 0.1],
        [5, 0.5],
        [1000, 0.07],
      ]) {
        let correct = 0;
        for (let i = 0; i < m; i++) {
          const q = norm(query[i]);
          const sims = bank.map((b, j) => ({ s: norm(b).reduce((a, x, c) => a + x * q[c], 0), label: bankLabels[j] }));
          sims.sort((a, b) => b.s - a.s);
          const votes = new Array<number>(classes).fill(0);
          for (const { s, label } of sims.slice(0, Math.min(k, n))) votes[label] += Math.exp(s / t);
          if (votes.indexOf(Math.max(...votes)) === queryLabels[i]) correct++;
        }
        const inputs = [tf.tensor2d(bank), tf.tensor1d(bankLabels, 'int32'), tf.tensor2d(query), tf.tensor1d(queryLabels, 'int32')] as const;
        const top1 = weightedKnnTop1(...inputs, classes, k, t);
        const got = value(top1);
        tf.dispose([...inputs, top1]);
        close(got, correct / m, 1e-6, `k=${k} T=${t}`);
      }
      assert.throws(() => weightedKnnTop1(tf.zeros([0, 2]), tf.zeros([0], 'int32'), tf.ones([1, 2]), tf.zeros([1], 'int32'), 2), /non-empty/);
    });

    it('leaves no tensors behind', () => {
      const z = tf.tensor2d([
        [1, 2],
        [3, 4],
        [5, 7],
      ]);
      const labels = tf.tensor1d([0, 1, 0], 'int32');
      const before = tf.memory().numTensors;
      tf.dispose([uniformity(z), alignment(z, z), classAlignment(z, labels), classSimilarity(z, labels, 2), secondMoment(z), weightedKnnTop1(z, labels, z, labels, 2)]);
      const std = dimensionStd(z);
      tf.dispose([std.mean, std.collapsed]);
      assert.equal(tf.memory().numTensors, before);
      tf.dispose([z, labels]);
    });
  });
}
