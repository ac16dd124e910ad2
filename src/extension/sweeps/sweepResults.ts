/** A sweep's results as the dashboard's Results tab receives them. */
import type { HostMessage } from '../../protocol/dashboard';
import type { RunSummary } from '../../protocol/runFolder';
import { sweepRunsDir } from '../../protocol/sweep';
import { resultsCsv, sweepResults } from '../../sweep/results';
import { loadSweepDir } from '../../sweep/runner';

/** `runs`: the runs directory's run list the registry already holds (newest first). */
export function sweepResultsMessage(sweepDir: string, runs: readonly RunSummary[]): Extract<HostMessage, { type: 'results' }> {
  const sweep = loadSweepDir(sweepDir);
  const axes = Object.keys(sweep.spec.axes);
  const rows = sweepResults(sweepRunsDir(sweepDir), sweep, runs);
  return { type: 'results', sweepId: sweep.id, axes, rows, csv: resultsCsv(rows, axes) };
}
