// The dashboard's side of the diagnostics: events into chart columns and the
// heat map's matrices, the checkpoint under each map epoch, the map request
// from the webview and the map file it leads to, each validated at the boundary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWebviewMessage } from '../../src/protocol/dashboard';
import { classColor, parseEmbeddingMap } from '../../src/protocol/embeddingMap';
import type { Diagnostics, TrainerEvent } from '../../src/protocol/messages';
import { mapCheckpoints } from '../../webview/representation';
import { SeriesStore } from '../../webview/series';
import { diagnosticsEvent } from '../fixtures/events';

const diag = (epoch: number, globalStep: number, knnTop1: number): TrainerEvent & Diagnostics => diagnosticsEvent({ epoch, globalStep, knnTop1 });
const checkpoint = (name: string, epoch: number): TrainerEvent => ({ t: 1, type: 'checkpoint', name, epoch, globalStep: epoch * 10 });

test('diagnostics become step-indexed columns; a resumed run replaces the measurements it repeats', () => {
  const store = new SeriesStore();
  const run = store.apply('r', [diag(0, 0, 0.2), diag(1, 10, 0.5), diag(2, 20, 0.6)], false);
  const r = run.representation;
  assert.deepEqual([...r.steps.view()], [0, 10, 20]);
  assert.deepEqual([...r.metrics.knnTop1.view()], [0.2, 0.5, 0.6]);
  assert.ok(Number.isNaN(r.metrics.classAlignment.at(0)), 'null is NaN in a chart column');
  assert.deepEqual(r.byEpoch.get(1)?.classSimilarity, [
    [1, 0],
    [0, 1],
  ]);
  // resumed from the epoch-1 checkpoint: epoch 2 is measured again
  store.apply('r', [diag(2, 20, 0.7)], false);
  assert.deepEqual([...r.metrics.knnTop1.view()], [0.2, 0.5, 0.7]);
  assert.equal(r.byEpoch.get(2)?.knnTop1, 0.7);
});

test('the map slider gets one checkpoint per epoch: numbered first, then last, then best', () => {
  const store = new SeriesStore();
  const run = store.apply(
    'r',
    [checkpoint('last', 1), checkpoint('best', 1), checkpoint('epoch-1', 1), checkpoint('last', 2), checkpoint('last', 3), checkpoint('best', 3), checkpoint('epoch-2', 2)],
    false,
  );
  assert.deepEqual(mapCheckpoints(run.representation), [
    { epoch: 1, name: 'epoch-1' },
    { epoch: 2, name: 'epoch-2' },
    { epoch: 3, name: 'last' },
  ]);
  // without numbered checkpoints, best keeps the epoch it holds once last moves on
  const plain = store.apply('p', [checkpoint('last', 1), checkpoint('best', 1), checkpoint('last', 2)], false);
  assert.deepEqual(mapCheckpoints(plain.representation), [
    { epoch: 1, name: 'best' },
    { epoch: 2, name: 'last' },
  ]);
});

test('a map request from the webview is checked field by field', () => {
  const ok = { type: 'map', runId: '20261128-142501-a-1f2e', checkpoint: 'epoch-3', method: 'umap' };
  assert.deepEqual(parseWebviewMessage(ok), ok);
  for (const bad of [
    { ...ok, checkpoint: '../last' },
    { ...ok, checkpoint: '' },
    { ...ok, runId: '../x' },
    { ...ok, method: 'tsne' },
    { ...ok, extra: 1 },
  ])
    assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
});

test('an embedding map file is checked before it reaches the dashboard', () => {
  const map = {
    runId: 'r',
    checkpoint: 'last',
    epoch: 2,
    method: 'pca',
    classes: ['a', 'b'],
    x: [0, 1, 2],
    y: [1, 0, 2],
    labels: [0, 1, 1],
    indices: [4, 9, 11],
    images: { height: 1, width: 2, channels: 1, data: Buffer.from([1, 2, 3, 4, 5, 6]).toString('base64') },
  };
  assert.deepEqual(parseEmbeddingMap(map), map);
  for (const bad of [
    { ...map, labels: [0, 2, 1] },
    { ...map, y: [1, 0] },
    { ...map, x: [0, NaN, 1] },
    { ...map, method: 'tsne' },
    { ...map, classes: [] },
    { ...map, images: { ...map.images, data: 'AAAA' } },
    { ...map, epoch: -1 },
  ])
    assert.equal(parseEmbeddingMap(bad), undefined, JSON.stringify(bad).slice(0, 80));
});

test('class colours: Tableau 10 up to ten classes, then distinct hex hues', () => {
  assert.equal(classColor(0, 10), '#4e79a7');
  const many = Array.from({ length: 100 }, (_, i) => classColor(i, 100));
  assert.ok(many.every((c) => /^#[0-9a-f]{6}$/.test(c)));
  assert.equal(new Set(many).size, 100);
});
