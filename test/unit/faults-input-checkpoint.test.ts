/**
 * Damaged checkpoints: truncated, bit-flipped or missing weights, a manifest
 * that is not JSON or of an unknown format, and weights that hold NaN. A
 * damaged checkpoint is refused before anything is touched, and a save that
 * would replace a good one with NaN keeps the good one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '../../src/trainer/backend/tf';
import { listCheckpoints } from '../../src/protocol/runFolder';
import { loadCheckpoint, saveCheckpoint } from '../../src/trainer/io/checkpoint';
import { resumeRun } from '../../src/trainer/run';
import { BadInput, badInputs, deadPid, errorOf, job, lastDir, makeRun } from '../fixtures/faults/badInput';

const cases: BadInput[] = [
  {
    what: 'truncated weights.bin',
    error: /weights.bin: 8 bytes, manifest says 16 \(truncated or replaced\)$/,
    input: async () => {
      const dir = await makeRun((d) => fs.truncateSync(path.join(lastDir(d), 'weights.bin'), 8));
      return () => loadCheckpoint(lastDir(dir));
    },
  },
  {
    what: 'one flipped bit in weights.bin',
    error: /weights.bin: checksum mismatch \(corrupt\)$/,
    input: async () => {
      const dir = await makeRun((d) => {
        const file = path.join(lastDir(d), 'weights.bin');
        const bytes = fs.readFileSync(file);
        bytes[5] ^= 0x10;
        fs.writeFileSync(file, bytes);
      });
      return () => loadCheckpoint(lastDir(dir));
    },
  },
  {
    what: 'manifest that is not JSON: not offered, and refused',
    error: /^offered: none; .*manifest.json: not valid JSON/,
    input: async () => {
      const dir = await makeRun((d) => fs.writeFileSync(path.join(lastDir(d), 'manifest.json'), '{"format": 1, "tens'));
      return async () =>
        `offered: ${
          listCheckpoints(dir)
            .map((c) => c.name)
            .join() || 'none'
        }; ${await errorOf(() => loadCheckpoint(lastDir(dir)))}`;
    },
  },
  {
    what: 'manifest of an unknown format',
    error: /manifest.json: unknown checkpoint format$/,
    input: async () => {
      const dir = await makeRun((d) => {
        const file = path.join(lastDir(d), 'manifest.json');
        fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), format: 2 }));
      });
      return () => loadCheckpoint(lastDir(dir));
    },
  },
  {
    what: 'weights.bin missing',
    error: /weights.bin: missing$/,
    input: async () => {
      const dir = await makeRun((d) => fs.rmSync(path.join(lastDir(d), 'weights.bin')));
      return () => loadCheckpoint(lastDir(dir));
    },
  },
  {
    what: 'resume from a corrupt checkpoint: refused before the run is touched',
    error: /weights.bin: checksum mismatch \(corrupt\)$/,
    input: async () => {
      const dir = await makeRun((d) => fs.writeFileSync(path.join(lastDir(d), 'weights.bin'), Buffer.alloc(16, 1)), { state: 'running', pid: deadPid });
      return () => resumeRun(dir, 'last', job);
    },
  },
  {
    what: 'saving weights that hold NaN: the last good one is kept',
    error: /^checkpoint "last" not saved: tensor "w" holds NaN or infinite values \(training diverged\); the previous one is kept$/,
    input: async () => {
      const dir = await makeRun();
      return () => saveCheckpoint(dir, 'last', new Map([['w', tf.variable(tf.tensor1d([1, NaN]))]]), { epoch: 2, stepInEpoch: 0, globalStep: 8, rngState: 1 });
    },
  },
];

badInputs('checkpoint', cases, 7);
