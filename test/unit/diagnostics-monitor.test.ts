// The per-epoch monitor end to end on a tiny in-memory dataset: a collapsed
// encoder gives uniformity 0 and effective rank 1, and the collapse warning
// fires once, with its step, only after training has started; a healthy
// encoder gives no warning; a measurement that throws becomes a warning.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { resolveConfig } from '../../src/protocol/config';
import { initBackend } from '../../src/trainer/backend/init';
import type { Dataset } from '../../src/trainer/data/dataset';
import { representationMonitor } from '../../src/trainer/diagnostics/monitor';
import type { Dense } from '../../src/trainer/models';
import type { EventBody } from '../../src/trainer/io/recorder';
import * as tf from '../../src/trainer/backend/tf';

const SIDE = 4;
function split(count: number) {
  const images = Uint8Array.from({ length: count * SIDE * SIDE }, (_, i) => (i * 37) % 256);
  return { images, labels: Int32Array.from({ length: count }, (_, i) => i % 4), count };
}
const dataset: Dataset = { name: 't', classes: ['a', 'b', 'c', 'd'], height: SIDE, width: SIDE, channels: 1, mean: [0.5], std: [0.25], train: split(40), test: split(24) };
const config = resolveConfig({ method: 'ce', monitor: { samples: 20, bank: 30, minRank: 2 } });
const head = {} as Dense;

/** A model whose features are a fixed function of each image's label-free pixels (cross-entropy: the monitor never asks for the head's output). */
const encoder = (forward: (x: tf.Tensor4D) => tf.Tensor2D) => ({
  encode: async (pixels: Float32Array, count: number) => tf.tidy(() => forward(tf.tensor4d(pixels, [count, SIDE, SIDE, 1]))),
  head,
});
const collapsed = encoder((x) => tf.tile(tf.tensor2d([[1, 2, 3, 4]]), [x.shape[0], 1]));
// the first four pixels of each image: spread over four dimensions
const spread = encoder((x) => tf.reshape(tf.slice(tf.reshape(x, [x.shape[0], SIDE * SIDE]), [0, 0], [-1, 4]), [x.shape[0], 4]) as tf.Tensor2D);

describe('representation monitor', () => {
  before(async () => {
    await initBackend('cpu');
  });

  it('a collapsed encoder: uniformity 0, effective rank 1, one warning with its step once training has started', async () => {
    const events: EventBody[] = [];
    const monitor = representationMonitor(config, dataset, (e) => events.push(e))!;
    await monitor(collapsed, 0, 0);
    await monitor(collapsed, 1, 5);
    await monitor(collapsed, 2, 10);
    const diags = events.filter((e) => e.type === 'diagnostics');
    assert.equal(diags.length, 3);
    for (const d of diags) {
      assert.ok(d.type === 'diagnostics');
      assert.equal(d.samples, 20);
      assert.ok(Math.abs(d.uniformity) < 1e-5 && Math.abs(d.effectiveRank - 1) < 1e-4 && d.alignment < 1e-6 && d.stdCollapsed === 1);
    }
    const warnings = events.filter((e) => e.type === 'warning');
    assert.equal(warnings.length, 1, 'not at initialisation, and once while it stays collapsed');
    assert.ok(warnings[0].type === 'warning' && warnings[0].code === 'representation-collapse' && warnings[0].step === 5);
    assert.match(warnings[0].type === 'warning' ? warnings[0].message : '', /^step 5: the embeddings are collapsing \(effective rank 1\.00 < 2/);
  });

  it('a spread encoder: no warning; the same subset every call', async () => {
    const events: EventBody[] = [];
    const monitor = representationMonitor(config, dataset, (e) => events.push(e))!;
    await monitor(spread, 1, 5);
    await monitor(spread, 2, 10);
    // each measurement announces its pass: the 20 test images, their two views, and the 30-image bank
    assert.deepEqual(
      events.map((e) => (e.type === 'phase' ? `${e.phase} ${e.images}` : e.type)),
      ['monitor 90', 'diagnostics', 'monitor 90', 'diagnostics'],
    );
    const [a, b] = events.filter((e) => e.type === 'diagnostics');
    assert.ok(a.effectiveRank > 1.5 && a.uniformity < -0.1);
    assert.deepEqual({ ...a, seconds: 0, epoch: 0, globalStep: 0 }, { ...b, seconds: 0, epoch: 0, globalStep: 0 });
  });

  it('a measurement that throws is a warning and the run goes on; samples 0 turns the monitor off', async () => {
    const events: EventBody[] = [];
    const broken = encoder(() => {
      throw new Error('out of memory');
    });
    await representationMonitor(config, dataset, (e) => events.push(e))!(broken, 1, 7);
    assert.deepEqual(
      events.map((e) => e.type),
      ['phase', 'warning'],
    );
    assert.ok(events[1].type === 'warning' && events[1].code === 'diagnostics-failed' && events[1].step === 7);
    assert.match(events[1].type === 'warning' ? events[1].message : '', /out of memory/);
    assert.equal(
      representationMonitor(resolveConfig({ monitor: { samples: 0 } }), dataset, () => undefined),
      undefined,
    );
  });
});
