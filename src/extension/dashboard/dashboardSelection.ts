/** Which selected runs the dashboard keeps drawing when the runs directory changes. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The selection without runs whose folder is gone (deleted, or renamed away):
 * their cards and series must not stay drawn. A run this window drives is
 * kept even before its folder is seen.
 */
export function keepExistingRuns(selected: readonly string[], runsDir: string | undefined, isLive: (id: string) => boolean): string[] {
  if (!runsDir) return [...selected];
  return selected.filter((id) => isLive(id) || fs.existsSync(path.join(runsDir, id)));
}
