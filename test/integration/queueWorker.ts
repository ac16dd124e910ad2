/**
 * A process that works a run queue as a sweep does, for the queue tests:
 * claims entries of a sweep within the capacity, holds each for a while,
 * appends "start <id> <t>" and "end <id> <t>" lines to a log, and dequeues it.
 * Usage: queueWorker.ts RUNS_DIR SWEEP_ID CAPACITY HOLD_MS LOG
 */
import * as fs from 'node:fs';
import { claim, dequeue, peekQueue } from '../../src/sweep/queue';

const [runsDir, sweepId, capacity, holdMs, log] = process.argv.slice(2);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const note = (line: string) => fs.appendFileSync(log, `${line} ${Date.now()} ${process.pid}\n`);

async function main() {
  const held = new Set<Promise<void>>();
  for (;;) {
    const { claimed } = claim(runsDir, sweepId, Number(capacity));
    for (const e of claimed) {
      note(`start ${e.id}`);
      const p: Promise<void> = sleep(Number(holdMs)).then(() => {
        note(`end ${e.id}`);
        dequeue(runsDir, (id) => id === e.id);
        held.delete(p);
      });
      held.add(p);
    }
    if (!held.size && !peekQueue(runsDir).entries.some((e) => e.id.startsWith(`${sweepId}/`) && !e.holder)) break;
    await sleep(20);
  }
}
main();
