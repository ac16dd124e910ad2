import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clusterView, parseSlurmOptions, SchedulerJob } from '../../src/protocol/cluster';
import { ConfigError } from '../../src/protocol/config';
import type { RunStatus } from '../../src/protocol/runFolder';
import { jobScript, sbatchOptions } from '../../src/cluster/jobScript';
import { expandJobIds, parseSacct, parseSqueue } from '../../src/cluster/slurm';
import { availableCores } from '../../src/trainer/run';
import { tempDirs } from './tempDirs';

const tmp = tempDirs('supcon-cluster-');
const status = (state: RunStatus['state']): RunStatus => ({ state, pid: 1, host: 'node1', startedAt: 0, updatedAt: 0, epoch: 0, globalStep: 0 });
const job = (state: string, reason?: string): SchedulerJob => ({ jobId: '7', state, reason, node: 'node1' });

test('Slurm options: flags and the setting are checked by one schema, errors name the field', () => {
  assert.deepEqual(
    parseSlurmOptions(
      { partition: 'gpu', time: '01:30:00', gpus: '2', cpus: '8', mem: '16G', sbatch: '--qos=low --constraint=a100', 'array-cap': '4', 'node-path': '/opt/node/bin/node' },
      'flags',
    ),
    {
      partition: 'gpu',
      time: '01:30:00',
      gpus: 2,
      cpus: 8,
      mem: '16G',
      sbatch: ['--qos=low', '--constraint=a100'],
      arrayCap: 4,
      nodePath: '/opt/node/bin/node',
    },
  );
  assert.deepEqual(parseSlurmOptions({ arrayCap: 2, sbatch: ['--exclusive'] }, 'setting'), { arrayCap: 2, sbatch: ['--exclusive'] });
  const refused = (raw: Record<string, unknown>, from: 'flags' | 'setting', field: string, message: RegExp) =>
    assert.throws(
      () => parseSlurmOptions(raw, from),
      (e: unknown) => e instanceof ConfigError && e.field === field && message.test(e.message),
    );
  refused({ gpus: '1.5' }, 'flags', '--gpus', /integer from 0 to 64/);
  refused({ time: '2h' }, 'flags', '--time', /Slurm time limit/);
  refused({ mem: 'lots' }, 'setting', 'supconLab.slurm.mem', /memory size/);
  refused({ partition: 'a b' }, 'flags', '--partition', /partition name/);
  refused({ sbatch: ['--qos=low', '--output=/x'] }, 'setting', 'supconLab.slurm.sbatch[1]', /set by supcon-lab itself/);
  refused({ sbatch: ['--comment=a;rm -rf /'] }, 'setting', 'supconLab.slurm.sbatch[0]', /one sbatch option/);
  refused({ nodePath: 'node $(evil)' }, 'setting', 'supconLab.slurm.nodePath', /without spaces or quotes/);
  refused({ queue: 'x' }, 'setting', 'supconLab.slurm.queue', /not a Slurm option/);
});

test("job script: #SBATCH lines, an array for several runs, the trainer exec'd on the run folder of its task", () => {
  const options = { partition: 'gpu', time: '10', gpus: 1, cpus: 4, mem: '8G', sbatch: ['--qos=low'], arrayCap: 2 };
  assert.deepEqual(sbatchOptions({ runDirs: ['/a', '/b', '/c'], options, jobName: 'supcon-s', output: '/r/slurm/%A_%a.out' }), [
    '--job-name=supcon-s',
    '--output=/r/slurm/%A_%a.out',
    '--array=0-2%2',
    '--partition=gpu',
    '--time=10',
    '--gpus=1',
    '--cpus-per-task=4',
    '--mem=8G',
    '--qos=low',
  ]);
  assert.ok(!sbatchOptions({ runDirs: ['/a'], options: {}, jobName: 'j', output: 'o' }).some((o) => o.startsWith('--array')));

  // the script itself, run by bash as a node would (fake Node, fake task id): the folder of its task, the marker, the command
  const dir = tmp();
  const runs = [path.join(dir, "run 'one'"), path.join(dir, 'run-two')];
  for (const r of runs) {
    fs.mkdirSync(r);
    fs.writeFileSync(path.join(r, 'config.json'), '{}');
  }
  const fakeNode = path.join(dir, 'node');
  fs.writeFileSync(fakeNode, '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
  const script = path.join(dir, 'job.sh');
  fs.writeFileSync(script, jobScript({ runDirs: runs, options: { nodePath: fakeNode }, cliPath: script, jobName: 'j', output: 'o' }));
  const r = spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, SLURM_JOB_ID: '12', SLURM_ARRAY_JOB_ID: '10', SLURM_ARRAY_TASK_ID: '0' } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), `${script} resume --run ${runs[0]} --quiet`);
  assert.match(fs.readFileSync(path.join(runs[0], 'job.seen'), 'utf8'), /^10_0 /);

  // a run folder the node cannot see: exit 3 and why, no marker
  fs.rmSync(runs[1], { recursive: true });
  const missing = spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, SLURM_JOB_ID: '13', SLURM_ARRAY_JOB_ID: '10', SLURM_ARRAY_TASK_ID: '1' } });
  assert.equal(missing.status, 3);
  assert.match(missing.stderr, /job 10_1 on .*: run folder .*run-two not found; put the runs directory on a disk the nodes share/);
});

test('squeue and sacct lines: array ranges expanded, "CANCELLED by 0" read as CANCELLED', () => {
  assert.deepEqual(expandJobIds('5_[0-2,4%2]'), ['5_0', '5_1', '5_2', '5_4']);
  assert.deepEqual(expandJobIds('9'), ['9']);
  const q = parseSqueue('5_[1-2%1]|PENDING|JobArrayTaskLimit|\n5_0|RUNNING|None|node1\n');
  assert.deepEqual([...q.keys()], ['5_1', '5_2', '5_0']);
  assert.equal(q.get('5_2')?.reason, 'JobArrayTaskLimit');
  assert.equal(q.get('5_0')?.node, 'node1');
  const a = parseSacct('8|CANCELLED by 0|None|node1|0:15\n9|PENDING|Priority|None assigned|0:0\n');
  assert.equal(a.get('8')?.state, 'CANCELLED');
  assert.equal(a.get('8')?.exitCode, '0:15');
  assert.equal(a.get('9')?.node, undefined);
});

test('cluster state: the folder says how a run ended, the scheduler says waiting, time limit, preemption and deaths without a word', () => {
  assert.deepEqual(clusterView(status('queued'), job('PENDING', 'Resources'), false), { state: 'pending', detail: 'Resources', resumable: false });
  assert.equal(clusterView(status('queued'), job('REQUEUED', 'BeginTime'), false).detail, 'requeued: BeginTime');
  assert.equal(clusterView(status('queued'), job('RUNNING'), false).state, 'running');
  assert.equal(clusterView(status('running'), job('COMPLETING'), true).state, 'running');
  assert.equal(clusterView(status('completed'), job('COMPLETED'), true).state, 'completed');
  assert.equal(clusterView(status('failed'), job('FAILED'), true).state, 'failed');
  assert.deepEqual(clusterView(status('stopped'), job('CANCELLED'), true), { state: 'stopped', detail: 'cancelled, checkpoint saved', resumable: true });
  assert.equal(clusterView(status('running'), job('CANCELLED'), true).state, 'cancelled');
  assert.equal(clusterView(status('stopped'), job('TIMEOUT', 'TimeLimit'), true).state, 'timeout');
  assert.equal(clusterView(status('running'), job('TIMEOUT'), true).resumable, true);
  assert.equal(clusterView(status('running'), job('PREEMPTED'), true).state, 'preempted');
  const died = clusterView(status('running'), { ...job('NODE_FAIL', 'NodeDown'), exitCode: '0:9' }, true);
  assert.equal(died.state, 'interrupted');
  assert.match(died.detail!, /job 7 ended NODE_FAIL \(NodeDown\), exit code 0:9 before the run did/);
  const unseen = clusterView(status('queued'), job('FAILED', 'NonZeroExitCode'), false);
  assert.equal(unseen.state, 'failed');
  assert.match(unseen.detail!, /without reaching the run folder: is the runs directory on a disk the nodes share/);
  // forgotten by the scheduler: the folder alone
  assert.equal(clusterView(status('completed'), undefined, true).state, 'completed');
  assert.equal(clusterView(status('queued'), undefined, false).state, 'unknown');
});

test('threads 0 takes every core the process may use, but no more than the CPUs a Slurm task was given', () => {
  const cores = os.availableParallelism();
  assert.equal(availableCores({}), cores);
  assert.equal(availableCores({ SLURM_CPUS_PER_TASK: '1' }), 1);
  assert.equal(availableCores({ SLURM_CPUS_PER_TASK: String(cores + 8) }), cores, 'the affinity is the tighter limit');
  assert.equal(availableCores({ SLURM_CPUS_PER_TASK: 'abc' }), cores);
});
