/** How a cluster run reads in the Runs tree: its job id and scheduler state added to the run's item (plain data, tested without VS Code). */
import type { ClusterJobSummary } from '../../protocol/cluster';
import type { ItemModel } from '../runs/runPresentation';

/** States in which the job still holds or waits for a node: it can be cancelled. */
const LIVE = ['pending', 'running'];

/**
 * The run's item with `job <id> · <state>` in its description, the
 * scheduler's detail (the pending reason, why it ended) in its tooltip, and
 * context flags for the job commands: `clusterJob`, `jobLive` (cancel),
 * `jobResumable` (resubmit).
 */
export function withJob(model: ItemModel, job: ClusterJobSummary | undefined): ItemModel {
  if (!job) return model;
  const flags = ['clusterJob', ...(LIVE.includes(job.state) ? ['jobLive'] : []), ...(job.resumable ? ['jobResumable'] : [])];
  return {
    ...model,
    description: [model.description, `job ${job.jobId} · ${job.state}`].filter(Boolean).join(' · '),
    tooltip: `${model.tooltip}\n\nSlurm job ${job.jobId}: ${job.state}${job.detail ? ` (${job.detail.replace(/[\\`*_[\]<>]/g, '\\$&')})` : ''}`,
    contextValue: `${model.contextValue} ${flags.join(' ')}`,
  };
}
