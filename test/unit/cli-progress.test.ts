import assert from 'node:assert/strict';
import { test } from 'node:test';
import { progressPrinter, resumeLine } from '../../src/cli/progress';
import { resolveConfig } from '../../src/protocol/config';
import type { TrainerEvent } from '../../src/protocol/messages';

const config = resolveConfig({ epochs: 2, dataset: { kind: 'synthetic' } });
const backend = { name: 'wasm', label: 'wasm (CPU)', version: '4.22.0', threads: 1, gpu: false, skipped: [{ backend: 'webgpu', reason: 'no adapter' }] };
const step = (globalStep: number, t: number): TrainerEvent => ({
  t,
  type: 'step',
  epoch: Math.floor((globalStep - 1) / 3),
  step: ((globalStep - 1) % 3) + 1,
  globalStep,
  loss: 1.5,
  lr: 0.05,
  imagesPerSec: 100,
  posSim: 0.5,
  negSim: 0.1,
});
const events: TrainerEvent[] = [
  { t: 0, type: 'started', runId: '20261130-010000-supcon-synthetic-ab12', config, backend, trainSize: 30, testSize: 10, stepsPerEpoch: 3 },
  step(1, 1000),
  step(2, 2000),
  { t: 3500, type: 'epoch', epoch: 0, loss: 1.5, lr: 0.05, imagesPerSec: 100, seconds: 3 },
  { t: 8000, type: 'probeResult', checkpoint: 'last', globalStep: 6, top1: 0.8, bestTop1: 0.81, bestEpoch: 3, epochs: 5 },
  { t: 8200, type: 'finished', state: 'completed', top1: 0.8 },
];

function printed(isTTY: boolean, quiet = false): string {
  let text = '';
  const out = { isTTY, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  const print = progressPrinter(quiet, out);
  events.forEach(print);
  return text;
}

test('the CLI prints plain lines off a terminal: start, skipped backends, epochs, result, end', () => {
  assert.equal(
    printed(false),
    [
      'run 20261130-010000-supcon-synthetic-ab12: supcon on synthetic (30 train / 10 test), convnet, backend wasm (CPU)',
      '  not webgpu: no adapter',
      'epoch 1/2: loss 1.5000, 100 img/s, 3s',
      'linear probe top-1: 80.00% (checkpoint last, 5 epochs; best over epochs 81.00% at epoch 4)',
      'run completed',
      '',
    ].join('\n'),
  );
  assert.doesNotMatch(printed(false, true), /epoch 1\/2/, 'quiet leaves out epochs');
});

test('on a terminal a progress bar counts steps, the time left estimated from the pace after the first step', () => {
  const text = printed(true);
  const clear = '\r\x1b[K';
  assert.ok(text.includes(`${clear}epoch 1/2 [####${'.'.repeat(20)}] 17% loss 1.5000 lr 5.00e-2 100 img/s eta estimating...`), text);
  assert.ok(text.includes(`${clear}epoch 1/2 [########${'.'.repeat(16)}] 33% loss 1.5000 lr 5.00e-2 100 img/s eta 4s`), text);
});

test('a slow start (data, compiling, the first monitor pass) does not inflate the first time left', () => {
  let text = '';
  const out = { isTTY: true, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  const print = progressPrinter(false, out);
  // 60 s before the first step, then 1 s a step: 4 steps left take 4 s, not 4 x 61 s
  [events[0], step(1, 60_000), step(2, 61_000)].forEach(print);
  const etas = [...text.matchAll(/eta (\S+)/g)].map((m) => m[1]);
  assert.deepEqual(etas, ['estimating...', '4s']);
});

test('a resume starts by saying which run it resumes, from which checkpoint and where that stands', () => {
  const [started] = events as [Extract<TrainerEvent, { type: 'started' }>];
  const at = { last: { epoch: 1, stepInEpoch: 1, globalStep: 4 }, 'epoch-1': { epoch: 1, stepInEpoch: 0, globalStep: 3 } };
  const job = (command: 'resume' | 'probe') => ({ command, checkpoint: (name: string) => at[name as keyof typeof at] });
  const id = started.runId;
  assert.equal(resumeLine({ ...started, resumedFrom: 'last' }, job('resume')), `resuming run ${id} from checkpoint last, in epoch 2, step 4 of 6`);
  assert.equal(resumeLine({ ...started, resumedFrom: 'epoch-1' }, job('resume')), `resuming run ${id} from checkpoint epoch-1, after epoch 1, step 3 of 6`);
  assert.equal(resumeLine(started, job('resume')), `resuming run ${id}: it saved no checkpoint, so it starts again from step 0`);
  assert.equal(
    resumeLine({ ...started, runId: 'new', resumedFrom: 'epoch-1', forkedFrom: { runId: id, checkpoint: 'epoch-1', globalStep: 3 } }, job('resume')),
    `resuming run ${id} from checkpoint epoch-1, after epoch 1, step 3 of 6 as a new run, new; that run is kept as it was`,
  );
  assert.equal(resumeLine({ ...started, resumedFrom: 'epoch-1' }, job('probe')), `probing run ${id} at its checkpoint epoch-1, after epoch 1, step 3 of 6`);
  assert.equal(resumeLine(started, { command: 'train' }), undefined);

  let text = '';
  const out = { isTTY: false, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  progressPrinter(true, out, job('resume'))({ ...started, resumedFrom: 'last' });
  assert.equal(text.split('\n')[0], `resuming run ${id} from checkpoint last, in epoch 2, step 4 of 6`, 'the first line printed');
});

test('off a terminal a long epoch still shows its pace: a step line at most every 30 s of the run', () => {
  let text = '';
  const out = { isTTY: false, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  const print = progressPrinter(false, out);
  [events[0], step(1, 10_000), step(2, 31_000), step(3, 45_000), step(4, 62_000)].forEach(print);
  const lines = text.split('\n').filter((l) => l.startsWith('epoch'));
  assert.deepEqual(
    lines.map((l) => l.match(/\d+%/)?.[0]),
    ['33%', '67%'],
    text,
  );
  assert.ok(!text.includes('\r') && !text.includes('\x1b'), 'no terminal control characters in a log');
});

test('a frozen-model pass between steps says what it does: a line in a log, the progress line on a terminal', () => {
  const pass: TrainerEvent = { t: 4000, type: 'phase', phase: 'probeFeatures', images: 20_000 };
  for (const isTTY of [false, true]) {
    let text = '';
    const out = { isTTY, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
    const print = progressPrinter(false, out);
    [events[0], step(1, 1000), pass].forEach(print);
    assert.ok(text.includes(`${isTTY ? '\r\x1b[K' : '\n'}linear probe: encoding 20,000 images...`), text);
  }
});
