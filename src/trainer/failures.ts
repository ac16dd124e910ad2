/**
 * What to change when the loss or the weights stop being finite. A hint
 * points to a checkpoint only when the run has one.
 */
export function divergedHint(hasCheckpoint: boolean): string {
  return `Lower the learning rate or raise the temperature; ${hasCheckpoint ? 'the last good checkpoint is kept and can be resumed' : 'no checkpoint was saved before it, so start a new run'}.`;
}

/**
 * Turns an error into the message a researcher sees, with what to change.
 * `hasCheckpoint` (default true: a caller that cannot tell) says whether the
 * run has a checkpoint to resume from; without one no hint offers a resume.
 */
export function describeFailure(e: unknown, hasCheckpoint = true): { error: string; hint?: string } {
  const error = e instanceof Error ? e.message : String(e);
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || /ENOSPC|no space left|quota exceeded/i.test(error)) {
    return {
      error,
      hint: `The disk is full: free space on the runs directory's disk, then ${hasCheckpoint ? 'resume from the last checkpoint' : 'start the run again (it saved no checkpoint)'}.`,
    };
  }
  if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
    return { error, hint: 'Choose a runs directory you can write to (setting supconLab.runsDirectory or --runs-dir).' };
  }
  // wasm reports a failed allocation as an access out of bounds (its heap stops at 4 GB)
  if (/out of memory|failed to allocate|OOM|allocation failed|Array buffer allocation|memory access out of bounds/i.test(error)) {
    return { error, hint: 'Out of memory: lower batchSize or views, or pick a smaller encoder.' };
  }
  if (/npm install|not installed|cannot load backend/i.test(error)) {
    return { error, hint: 'Install the backend named above, or run with backend "auto".' };
  }
  if (/NaN or infinite/.test(error)) return { error, hint: divergedHint(hasCheckpoint) };
  if (/^training worker \d+ of \d+/.test(error)) {
    return { error, hint: 'A training thread failed; resume the run. If it fails again, start it anew with fewer threads (threads 1 trains in one thread).' };
  }
  return { error };
}
