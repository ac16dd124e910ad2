/** Turns an error into the message a researcher sees, with what to change. */
export function describeFailure(e: unknown): { error: string; hint?: string } {
  const error = e instanceof Error ? e.message : String(e);
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || /ENOSPC|no space left/i.test(error)) {
    return { error, hint: 'The disk is full: free space on the runs directory\'s disk, then resume from the last checkpoint.' };
  }
  if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') {
    return { error, hint: 'Choose a runs directory you can write to (setting supconLab.runsDirectory or --runs-dir).' };
  }
  if (/out of memory|failed to allocate|OOM|allocation failed|Array buffer allocation/i.test(error)) {
    return { error, hint: 'Out of memory: lower batchSize or views, or pick a smaller encoder.' };
  }
  if (/npm install|not installed|cannot load backend/i.test(error)) {
    return { error, hint: 'Install the backend named above, or run with backend "auto".' };
  }
  return { error };
}
