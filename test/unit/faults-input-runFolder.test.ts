/**
 * Bad run folders and runs directories: corrupt or foreign status, config and
 * metrics files, folders that are not runs, resume and probe of what cannot be
 * resumed or probed, a runs directory that is a file or read-only, and two
 * trainers drawing the same run id. Each gives its error naming the file; the
 * other runs read as before.
 */
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listRuns, newRunId, readMetrics, runFiles } from '../../src/protocol/runFolder';
import { describeFailure } from '../../src/trainer/failures';
import { RunRecorder } from '../../src/trainer/io/recorder';
import { probeRun, resumeRun } from '../../src/trainer/run';
import { BadInput, badInputs, bystanders, config, errorOf, fresh, job, makeRun, runsDir, world } from '../fixtures/faults/badInput';
import { fingerprint, mountTmpfs } from '../fixtures/faults/harness';

const cases: BadInput[] = [
  {
    what: 'corrupt status.json of an old run: listed with the problem, the others whole',
    error: /status.json: not valid JSON .*; others: completed, interrupted$/,
    input: async () => {
      const dir = await makeRun((d) => fs.writeFileSync(runFiles(d).status, '{"state": "runn'));
      return () => {
        const runs = listRuns(runsDir);
        const others = bystanders.map((b) => runs.find((r) => r.dir === b)?.status?.state);
        return `${runs.find((r) => r.dir === dir)?.problem}; others: ${others.join(', ')}`;
      };
    },
  },
  {
    what: 'status.json that is not a status',
    error: /status.json: not a run status \(expected "state" one of running, completed, failed, stopped, interrupted and a numeric "pid"\)/,
    input: async () => {
      const dir = await makeRun((d) => fs.writeFileSync(runFiles(d).status, '{"state": "exploded", "pid": "1"}'));
      return () => listRuns(runsDir).find((r) => r.dir === dir)?.problem;
    },
  },
  {
    what: 'corrupt config.json of an old run',
    error: /config.json: not valid JSON/,
    input: async () => {
      const dir = await makeRun((d) => fs.writeFileSync(runFiles(d).config, '\u0000\u0000'));
      return () => listRuns(runsDir).find((r) => r.dir === dir)?.problem;
    },
  },
  {
    what: 'resume with a config.json out of range',
    error: /config.json: epochs: expected an integer >= 0 and <= 10000, got -3$/,
    input: async () => {
      const dir = await makeRun((d) => fs.writeFileSync(runFiles(d).config, JSON.stringify({ ...config, epochs: -3 })));
      return () => resumeRun(dir, 'last', job);
    },
  },
  {
    what: 'resume a folder that is not a run',
    error: /config.json: cannot read \(ENOENT\)$/,
    input: () => {
      const dir = fresh(world);
      return () => resumeRun(dir, 'last', job);
    },
  },
  {
    what: 'resume a run that is still running',
    error: /: still running \(process \d+\); stop it first, or wait for it to end$/,
    input: async () => {
      const dir = await makeRun(undefined, { state: 'running', pid: process.pid });
      return () => resumeRun(dir, 'last', job);
    },
  },
  {
    what: 'probe a checkpoint named with a path',
    error: /^checkpoint name "\.\.\/last": expected letters, digits, _ and - only$/,
    input: async () => {
      const dir = await makeRun();
      return () => probeRun(dir, '../last', job);
    },
  },
  {
    what: 'resume from a checkpoint that does not exist',
    error: /: no complete checkpoint "best" \(have: last\)$/,
    input: async () => {
      const dir = await makeRun();
      return () => resumeRun(dir, 'best', job);
    },
  },
  {
    what: 'runs directory is a file',
    error: /^runs directory .*runs-file is a file, expected a folder$/,
    input: () => {
      const file = path.join(fresh(world), 'runs-file');
      fs.writeFileSync(file, 'not a folder');
      return () => RunRecorder.create(file, config);
    },
  },
  {
    what: 'runs directory below a file',
    error: /^runs directory .*a-file\/runs is not writable \(ENOTDIR\)$/,
    input: () => {
      const file = path.join(fresh(world), 'a-file');
      fs.writeFileSync(file, '');
      return () => RunRecorder.create(path.join(file, 'runs'), config);
    },
  },
  {
    what: 'metrics with a foreign line, garbage and a torn last line',
    error: /^1 events, 2 lines skipped, torn line left unread$/,
    input: async () => {
      const dir = await makeRun((d) => fs.appendFileSync(runFiles(d).metrics, '{"type":"step","t":1}\n\u0000garbage\n{"type":"log","t":2,"lev'));
      return () => {
        const m = readMetrics(runFiles(dir).metrics);
        return `${m.events.length} events, ${m.skipped} lines skipped, torn line ${m.offset < fs.statSync(runFiles(dir).metrics).size ? 'left unread' : 'read'}`;
      };
    },
  },
  {
    what: 'entries that are not runs: "..x", half created, a name with "..", a file',
    error: /^listed: 20260101-000000-ok-0001$/,
    input: () => {
      const root = fresh(world);
      for (const name of ['..x', '.20260101-000000-new-0000.new', '20260101-000000-..-0000', '20260101-000000-ok-0001']) fs.mkdirSync(path.join(root, name));
      fs.writeFileSync(path.join(root, '20260101-000000-ok-0002'), 'a file');
      return () =>
        `listed: ${listRuns(root)
          .map((r) => r.id)
          .join(', ')}`;
    },
  },
];

badInputs('run folder', cases, 12);

test('read-only runs directory (a read-only tmpfs)', async (t) => {
  const mount = mountTmpfs('64k', true);
  if (typeof mount === 'string') return t.skip(mount);
  try {
    const before = fingerprint(world);
    const error = await errorOf(() => RunRecorder.create(mount.dir, config));
    assert.equal(error, `runs directory ${mount.dir} is not writable (EROFS)`);
    assert.match(describeFailure(Object.assign(new Error(error), { code: 'EROFS' })).hint!, /Choose a runs directory you can write to/);
    assert.deepEqual(fs.readdirSync(mount.dir), []);
    assert.deepEqual(fingerprint(world), before);
  } finally {
    mount.unmount();
  }
});

test('two trainers draw the same run id in the same second: the second takes a fresh one, the first run is untouched', async () => {
  const dir = fresh(world);
  const stamp = (ms: number) => newRunId('supcon-synthetic', new Date(ms)).replace(/-[0-9a-f]{4}$/, '-abcd');
  for (const ms of [Date.now(), Date.now() + 1000]) {
    fs.mkdirSync(path.join(dir, stamp(ms)));
    fs.writeFileSync(path.join(dir, stamp(ms), 'config.json'), '{"the": "other trainer"}');
  }
  const before = fingerprint(dir);
  const suffixes = [
    [0xab, 0xcd],
    [0x12, 0x34],
  ];
  const real = crypto.randomBytes;
  mock.method(crypto, 'randomBytes', (n: number) => (n === 2 && suffixes.length ? Buffer.from(suffixes.shift()!) : real(n)));
  try {
    const recorder = RunRecorder.create(dir, config);
    recorder.close();
    assert.match(recorder.runId, /-supcon-synthetic-1234$/);
    assert.deepEqual(JSON.parse(fs.readFileSync(runFiles(recorder.runDir).config, 'utf8')), config);
  } finally {
    mock.restoreAll();
  }
  const after = fingerprint(dir);
  for (const [k, v] of before) assert.equal(after.get(k), v);
});
