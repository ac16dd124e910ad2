/** What run commands receive from the trees, buttons and the status bar: a tree node or a run id. */
import type { RunSummary } from '../../protocol/runFolder';
import type { CheckpointNode } from './checkpointsTree';

export type RunArg = RunSummary | CheckpointNode | string | undefined;

/** The run id an argument names; undefined when it names none. */
export function runIdOf(arg: RunArg): string | undefined {
  if (typeof arg === 'string') return arg;
  if (!arg) return undefined;
  return 'kind' in arg ? arg.run.id : arg.id;
}
