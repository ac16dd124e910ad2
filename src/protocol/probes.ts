/**
 * Probe records: every linear probe of a run is kept as a record of its own
 * (which checkpoint, with which probe settings, its top-1 and best epoch, and
 * when), one per checkpoint. The run's headline top-1 is that of its final
 * checkpoint (`last`, or `init` for a run of 0 epochs); probing an earlier
 * checkpoint adds a record and leaves the headline alone.
 */
import type { TrainerEvent } from './messages';

export interface ProbeRecord {
  /** Checkpoint name, and the global step it was saved at (when known), so a replaced `last` is told apart. */
  checkpoint: string;
  globalStep?: number;
  /** The probe's settings as run (batchSize is the effective one). */
  epochs: number;
  lr?: number;
  batchSize?: number;
  /** Test top-1 after the last probe epoch, in [0, 1]. */
  top1: number;
  /** Best test top-1 over probe epochs (chosen on the test split: optimistic) and its epoch. */
  bestTop1: number;
  bestEpoch: number;
  /** When the probe ended, ms since the epoch. */
  t: number;
}

/** Checkpoints whose probe is the run's headline result. */
export const isFinalCheckpoint = (name: string): boolean => name === 'last' || name === 'init';

export function probeRecord(ev: Extract<TrainerEvent, { type: 'probeResult' }>): ProbeRecord {
  const { checkpoint, globalStep, epochs, lr, batchSize, top1, bestTop1, bestEpoch, t } = ev;
  return { checkpoint, globalStep, epochs, lr, batchSize, top1, bestTop1, bestEpoch, t };
}

/** The records with `rec` in place of any earlier probe of the same checkpoint name; sorted by checkpoint step, then name. */
export function upsertProbe(records: readonly ProbeRecord[], rec: ProbeRecord): ProbeRecord[] {
  return [...records.filter((r) => r.checkpoint !== rec.checkpoint), rec].sort(
    (a, b) => (a.globalStep ?? Infinity) - (b.globalStep ?? Infinity) || a.checkpoint.localeCompare(b.checkpoint),
  );
}
