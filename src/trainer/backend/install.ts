/** Where and how to install an optional backend package the trainer did not find. */
import fs from 'node:fs';
import path from 'node:path';

/**
 * The folder of the running trainer's package.json (the source checkout, or
 * the installed package or extension that holds dist/cli.js): where `npm
 * install` puts a package this trainer can load.
 */
export function packageRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return from;
  }
}

/** How to install an optional backend package, and where: "npm install X (needs ...), run in /path/to/supcon-lab". */
export const installHint = (name: string, needs = '', root = packageRoot()): string => `npm install ${name}${needs ? ` (${needs})` : ''}, run in ${root}`;
