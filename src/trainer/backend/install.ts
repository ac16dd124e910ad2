/** Where and how to install an optional backend package the trainer did not find. */
import fs from 'node:fs';
import path from 'node:path';
import { INSTALL_PREFIX_ENV } from '../../protocol/messages';

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

/**
 * How to install an optional backend package, and where: "npm install X
 * (needs ...), run in /path/to/supcon-lab", or with the launcher's folder
 * (INSTALL_PREFIX_ENV) `npm install --prefix "<folder>" X (needs ...)`.
 */
export function installHint(name: string, needs = '', env: NodeJS.ProcessEnv = process.env, root = packageRoot()): string {
  const prefix = env[INSTALL_PREFIX_ENV];
  const why = needs ? ` (${needs})` : '';
  return prefix ? `npm install --prefix "${prefix}" ${name}${why}` : `npm install ${name}${why}, run in ${root}`;
}
