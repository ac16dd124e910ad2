/**
 * Runs and sweeps on a real Slurm: a single-node cluster started here by
 * test/slurm/start-slurm.sh (as root; .ci/run installs the packages), or the
 * cluster SLURM_CONF points to. Tiny synthetic runs through the command line:
 * a run seen queued, pending, running and completed; a sweep as a job array;
 * cancel mid-run; an interrupted run and a timed-out one resubmitted and
 * resumed from their checkpoint; and bad input refused without an orphan run
 * folder: sbatch missing or failing, an unknown partition, a runs directory
 * the node cannot see, options the schema refuses.
 */
import { TINY_DATA } from '../fixtures/tinyRun';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listRuns, listCheckpoints, readMetrics, readStatus, runFiles } from '../../src/protocol/runFolder';
import type { TrainerEvent } from '../../src/protocol/messages';
import { ClusterRun, listClusterRuns } from '../../src/cluster/submit';
import { parseJobSummaries } from '../../src/protocol/cluster';
import { queryJobs } from '../../src/cluster/slurm';
import { CLI } from './runTrainer';
import { tempDirs } from '../unit/tempDirs';

const SCRIPTS = path.resolve(__dirname, '../slurm');
const CLUSTER_DIR = path.join(os.tmpdir(), 'supcon-slurm-it');
const isRoot = process.getuid?.() === 0;
const hasSbatch = spawnSync('sbatch', ['--version']).status === 0;
const skip = !isRoot && !hasSbatch ? 'no Slurm here: sbatch is not on PATH, and only root can install and start the single-node cluster of test/slurm/start-slurm.sh' : false;

const tmp = tempDirs('supcon-slurm-it-');
let startedHere = false;

before(() => {
  if (skip) return;
  if (process.env.SLURM_CONF && spawnSync('sinfo', ['-h']).status === 0) return;
  const r = spawnSync('bash', [path.join(SCRIPTS, 'start-slurm.sh'), CLUSTER_DIR], { encoding: 'utf8', timeout: 300_000 });
  assert.equal(r.status, 0, `start-slurm.sh failed:\n${r.stderr}`);
  process.env.SLURM_CONF = /export SLURM_CONF=(\S+)/.exec(r.stdout)![1];
  startedHere = true;
});

after(() => {
  if (startedHere) spawnSync('bash', [path.join(SCRIPTS, 'stop-slurm.sh'), CLUSTER_DIR, '--purge'], { stdio: 'ignore', timeout: 120_000 });
});

const TINY = [...TINY_DATA, '--probe.epochs', '1', '--backend', 'wasm', '--threads', '1', '--monitor.samples', '0'];
const SLURM = ['--executor', 'slurm', '--cpus', '1'];

function cli(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Submits a run; returns its job id and run folder. */
function submit(args: string[]): { jobId: string; runDir: string } {
  const r = cli(args);
  assert.equal(r.code, 0, r.err);
  const [jobId, runDir] = r.out.trim().split('\n').pop()!.split(' ');
  return { jobId, runDir };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, probe: () => T | undefined, seconds = 180): Promise<T> {
  for (const end = Date.now() + seconds * 1000; Date.now() < end; await sleep(250)) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what}`);
}

const clusterRun = (runDir: string): ClusterRun | undefined => listClusterRuns(path.dirname(runDir)).find((c) => c.run.dir === runDir);
const events = (runDir: string): TrainerEvent[] => readMetrics(runFiles(runDir).metrics).events;
const steps = (runDir: string) => events(runDir).filter((e) => e.type === 'step').length;
/** The step events since the trainer last started, and how it started. */
function sinceStart(runDir: string) {
  const all = events(runDir);
  const i = all.map((e) => e.type).lastIndexOf('started');
  const started = all[i];
  return {
    starts: all.filter((e) => e.type === 'started').length,
    resumedFrom: started?.type === 'started' ? started.resumedFrom : undefined,
    steps: all.slice(i + 1).flatMap((e) => (e.type === 'step' ? [e.globalStep] : [])),
  };
}
/** Waits for the trainer's `starts`-th start and checks it resumed from checkpoint last, its first step the one after `savedStep`. */
async function assertResumes(runDir: string, starts: number, savedStep: number): Promise<void> {
  const r = await waitFor(`start ${starts} of ${runDir} stepping`, () => {
    const since = sinceStart(runDir);
    return since.starts === starts && since.steps.length >= 1 ? since : undefined;
  });
  assert.equal(r.resumedFrom, 'last');
  assert.equal(r.steps[0], savedStep + 1);
}

/** Waits for the scheduler's view of the run to reach `state`. */
const waitState = (runDir: string, state: string, seconds?: number) =>
  waitFor(
    `${runDir} ${state}`,
    () => {
      const c = clusterRun(runDir);
      return c?.view.state === state ? c : undefined;
    },
    seconds,
  );

/** The run folders and job scripts a refused submission must not leave. */
function assertNothingLeft(runsDir: string): void {
  const left = fs.existsSync(runsDir)
    ? fs
        .readdirSync(runsDir, { recursive: true })
        .map(String)
        .filter((f) => f !== 'slurm')
    : [];
  assert.deepEqual(left, [], `left behind in ${runsDir}`);
}

let timeLimited: { jobId: string; runDir: string } | undefined;

test('a run past its time limit is submitted first (checked last: Slurm enforces limits in whole minutes)', { skip }, () => {
  timeLimited = submit(['train', ...SLURM, '--time', '1', '--runs-dir', tmp(), ...TINY, '--epochs', '2000', '--name', 'time-limited']);
});

test('a run shows queued before its job starts, then pending, running and completed with its metrics and checkpoints', { skip }, async () => {
  const runsDir = tmp();
  // --begin holds the job a few seconds: the pending state is the scheduler's, with its reason
  const r = cli(['train', ...SLURM, '--sbatch=--begin=now+4', '--runs-dir', runsDir, ...TINY, '--epochs', '2']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /submitted Slurm job \d+/);
  const [jobId, runDir] = r.out.trim().split(' ');
  const seen: string[] = [];
  const first = listRuns(runsDir)[0];
  assert.equal(first.dir, runDir);
  assert.equal(first.status?.state, 'queued');
  await waitFor('completed', () => {
    const c = clusterRun(runDir)!;
    assert.equal(c.job.jobId, jobId);
    if (seen[seen.length - 1] !== c.view.state) seen.push(c.view.state);
    if (c.view.state === 'pending') assert.match(c.view.detail ?? '', /BeginTime/);
    return c.view.state === 'completed' || c.view.state === 'failed' ? c : undefined;
  });
  assert.deepEqual(
    seen.filter((s) => s !== 'unknown'),
    ['pending', 'running', 'completed'],
    `states seen: ${seen.join(' -> ')}; output: ${fs.readFileSync(clusterRun(runDir)!.job.output, 'utf8')}`,
  );
  const run = listRuns(runsDir)[0];
  assert.equal(run.status?.state, 'completed');
  assert.equal(typeof run.status?.top1, 'number');
  assert.equal(steps(runDir), 8);
  assert.ok(listCheckpoints(runDir).some((c) => c.name === 'last'));
  assert.match(fs.readFileSync(path.join(runDir, 'job.seen'), 'utf8'), new RegExp(`^${jobId} `));
  assert.match(cli(['jobs', '--runs-dir', runsDir]).out, new RegExp(`^${jobId}\\s+completed\\s+${path.basename(runDir)}`));
  // what the extension reads
  assert.deepEqual(
    parseJobSummaries(cli(['jobs', '--runs-dir', runsDir, '--json']).out).map((j) => [j.jobId, j.state, j.runDir]),
    [[jobId, 'completed', runDir]],
  );
  // scancel takes an ended job without complaint: cancel says there is nothing to cancel, and the run stays completed
  const late = cli(['cancel', '--run', runDir]);
  assert.equal(late.code, 1);
  assert.match(late.err, new RegExp(`its job ${jobId} is no longer pending or running \\(completed\\); nothing to cancel`));
  assert.equal(readStatus(runDir).state, 'completed');
});

test('a 3-point sweep is one job array, every point completed in its own run folder', { skip }, async () => {
  const runsDir = tmp();
  const file = path.join(runsDir, 'tiny.sweep.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      base: { dataset: { kind: 'synthetic', trainLimit: 64, testLimit: 40 }, batchSize: 16, epochs: 1, probe: { epochs: 1 }, backend: 'wasm', threads: 1, monitor: { samples: 0 } },
      axes: { views: [1, 2] },
      seeds: [0],
    }),
  );
  const r = cli(['sweep', '--config', file, '--runs-dir', runsDir, ...SLURM, '--array-cap', '2']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /job array of 3/);
  const lines = r.out
    .trim()
    .split('\n')
    .map((l) => l.split(' '));
  const arrayId = lines[0][0].split('_')[0];
  assert.deepEqual(
    lines.map((l) => l[0]),
    [0, 1, 2].map((i) => `${arrayId}_${i}`),
  );
  assert.match(fs.readFileSync(lines[0][1] + '/job.json', 'utf8'), /"jobId"/);
  const script = fs.readFileSync(JSON.parse(fs.readFileSync(path.join(lines[0][1], 'job.json'), 'utf8')).script, 'utf8');
  assert.match(script, /^#SBATCH --array=0-2%2$/m);
  const done = await waitFor(
    'three completed points',
    () => {
      const runs = listClusterRuns(runsDir);
      return runs.length === 3 && runs.every((c) => c.view.state === 'completed') ? runs : undefined;
    },
    300,
  );
  assert.deepEqual(done.map((c) => c.run.config?.name.split('.').pop()).sort(), ['floor-s0', 'p0-s0', 'p1-s0']);
  const status = cli(['sweep', '--status', path.join(runsDir, 'sweeps', fs.readdirSync(path.join(runsDir, 'sweeps'))[0])]);
  assert.equal((status.out.match(/ completed /g) ?? []).length, 3, status.out);
  // submitted again, nothing is left to run
  const again = cli(['sweep', '--config', file, '--runs-dir', runsDir, ...SLURM]);
  assert.equal(again.code, 0, again.err);
  assert.match(again.err, /nothing to submit/);
});

test('cancel stops a run mid-way with a checkpoint; killed, it reads interrupted; resubmitted, it resumes from its checkpoint', { skip }, async () => {
  const runsDir = tmp();
  const { jobId, runDir } = submit(['train', ...SLURM, '--runs-dir', runsDir, ...TINY, '--epochs', '400']);
  await waitFor('a few steps', () => steps(runDir) >= 3);
  const c = cli(['cancel', '--run', runDir]);
  assert.equal(c.code, 0, c.err);
  assert.match(c.err, new RegExp(`cancelled Slurm job ${jobId}`));
  const stopped = await waitState(runDir, 'stopped', 60);
  assert.equal(stopped.run.status?.state, 'stopped');
  assert.match(stopped.view.detail ?? '', /cancelled, checkpoint saved/);
  const saved = listCheckpoints(runDir).find((k) => k.name === 'last')!;
  assert.ok(saved.globalStep >= 3, `checkpoint last at step ${saved.globalStep}`);

  // resubmitted, then its trainer killed outright (as a node failure would): the folder cannot say how it ended
  const second = submit(['resume', '--run', runDir, '--executor', 'slurm']);
  assert.notEqual(second.jobId, jobId);
  await assertResumes(runDir, 2, saved.globalStep);
  const pid = JSON.parse(fs.readFileSync(runFiles(runDir).status, 'utf8')).pid;
  process.kill(pid, 'SIGKILL');
  const interrupted = await waitState(runDir, 'interrupted', 60);
  assert.match(interrupted.view.detail ?? '', new RegExp(`job ${second.jobId} ended FAILED`));
  const lastBefore = listCheckpoints(runDir).find((k) => k.name === 'last')!;

  const third = submit(['resume', '--run', runDir, '--executor', 'slurm', '--time', '5']);
  assert.match(fs.readFileSync(path.join(runDir, 'job.json'), 'utf8'), /"time": "5"/);
  await assertResumes(runDir, 3, lastBefore.globalStep);
  cli(['cancel', '--run', runDir]);
  await waitState(runDir, 'stopped', 60);
  assert.equal(queryJobs([third.jobId]).get(third.jobId)?.state, 'CANCELLED');
});

test('bad input is refused with its reason, and leaves no run folder', { skip }, () => {
  const runsDir = path.join(tmp(), 'runs');
  const refused = (args: string[], code: number, message: RegExp, env?: NodeJS.ProcessEnv) => {
    const r = cli(['train', '--runs-dir', runsDir, ...TINY, ...args], env);
    assert.equal(r.code, code, r.err);
    assert.match(r.err, message);
    assertNothingLeft(runsDir);
  };
  refused([...SLURM, '--partition', 'no-such-partition'], 1, /sbatch --parsable \S+\.sh failed \(exit code 1\): sbatch: error: .*[Pp]artition/);
  refused([...SLURM], 1, /sbatch: not found on PATH/, { ...process.env, PATH: path.join(tmp(), 'empty') });
  refused([...SLURM, '--gpus', '-1'], 2, /--gpus: expected an integer from 0 to 64, got "-1"/);
  refused([...SLURM, '--time', '2h'], 2, /--time: expected a Slurm time limit/);
  refused([...SLURM, '--sbatch=--output=/tmp/x'], 2, /--sbatch\[0\]: --output is set by supcon-lab itself/);
  refused(['--executor', 'pbs'], 2, /--executor: expected one of local, slurm, got "pbs"/);
  refused(['--partition', 'debug'], 2, /--partition: a Slurm option; add --executor slurm/);
});

test('a runs directory the nodes do not share is detected from the job, and the run reads failed saying so', { skip }, async (t) => {
  if (spawnSync('unshare', ['-m', 'true']).status !== 0) return t.skip('no mount namespaces here (unshare -m) to hide a runs directory from the node');
  // the runs directory is a tmpfs mounted in a private mount namespace: the submitter sees it, slurmd does not
  const runsDir = tmp();
  const script = `mount -t tmpfs none "$1" && shift && "$@" train ${[...SLURM, ...TINY, '--epochs', '1'].join(' ')} --runs-dir "$RUNS" >/dev/null && for i in $(seq 240); do out=$("$@" jobs --runs-dir "$RUNS"); case "$out" in *failed*) echo "$out"; exit 0;; esac; sleep 0.25; done; echo "$out"; exit 1`;
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'bash', '-c', script, 'bash', runsDir, process.execPath, CLI], {
    encoding: 'utf8',
    env: { ...process.env, RUNS: runsDir },
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /failed\s+\S+\s+job \d+ ended FAILED.* without reaching the run folder: is the runs directory on a disk the nodes share\?/);
  assert.deepEqual(fs.readdirSync(runsDir), [], 'the namespace kept everything to itself');
});

test('the run past its time limit reads timed out with a checkpoint, and resumes from it', { skip }, async () => {
  const { runDir, jobId } = timeLimited!;
  const timedOut = await waitState(runDir, 'timeout', 180);
  assert.match(timedOut.view.detail ?? '', /time limit reached/);
  assert.equal(queryJobs([jobId]).get(jobId)?.state, 'TIMEOUT');
  const saved = listCheckpoints(runDir).find((k) => k.name === 'last')!;
  assert.ok(saved.globalStep > 0);
  const again = submit(['resume', '--run', runDir, '--executor', 'slurm', '--time', '10']);
  assert.notEqual(again.jobId, jobId);
  await assertResumes(runDir, 2, saved.globalStep);
  cli(['cancel', '--run', runDir]);
  await waitState(runDir, 'stopped', 60);
});
