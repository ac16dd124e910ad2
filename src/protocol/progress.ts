/**
 * How progress reads to people, the same in the notification, the status bar,
 * the trees and the dashboard. Epochs count from 1 everywhere people see them:
 * events carry 0-based epoch indices, checkpoint manifests the number of whole
 * epochs done plus the step inside the next one.
 */

/** "epoch 3" for the event epoch index 2. */
export const epochNumber = (eventEpoch: number): number => eventEpoch + 1;

/**
 * Where a checkpoint stands: "before training" (nothing done), "after epoch
 * 2" (two whole epochs), or "in epoch 3, step 480" (saved mid-epoch, e.g. by
 * a stop; `globalStep` counts steps over the run).
 */
export function checkpointPosition(cp: { epoch: number; stepInEpoch?: number; globalStep: number }): string {
  if (cp.stepInEpoch) return `in epoch ${cp.epoch + 1}, step ${cp.globalStep}`;
  return cp.epoch === 0 ? 'before training' : `after epoch ${cp.epoch}`;
}

/** A frozen-model pass as people read it: "measuring the representation: encoding 11,000 images", "linear probe: encoding 20,000 images". */
export function phaseText(phase: { name: 'monitor' | 'probeFeatures'; images: number }): string {
  const images = phase.images.toLocaleString('en-US');
  return `${phase.name === 'monitor' ? 'measuring the representation' : 'linear probe'}: encoding ${images} images`;
}

/** "45 s", "4 min", "1 h 20 min": rounded as an estimate should be; "?" for no number. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  if (seconds < 60) return `${Math.max(1, Math.round(seconds / 5) * 5)} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}

/**
 * Seconds left: the steps still to do at the mean pace of the steps timed so
 * far (`stepsTimed` steps in `secondsTimed`). Undefined until a step was timed.
 */
export function timeLeft(stepsDone: number, totalSteps: number, stepsTimed: number, secondsTimed: number): number | undefined {
  if (stepsTimed <= 0 || totalSteps <= 0 || secondsTimed <= 0) return undefined;
  return (Math.max(0, totalSteps - stepsDone) * secondsTimed) / stepsTimed;
}

/** Where a pretraining stands: "step 40/468 · 6 min left". */
export function stepProgressText(stepsDone: number, totalSteps: number, secondsLeft?: number): string {
  const parts = [`step ${stepsDone}/${totalSteps}`];
  if (secondsLeft !== undefined && stepsDone < totalSteps) parts.push(`${formatDuration(secondsLeft)} left`);
  return parts.join(' · ');
}
