/**
 * Where the trainer is and how to start it: the extension's own dist/cli.js
 * (a bundle; the .vsix ships its native packages in dist/node_modules) or a trainer
 * install named by supconLab.trainerPath; run by supconLab.nodePath or by the
 * editor's own runtime as plain Node.
 */
import * as path from 'node:path';
import { INSTALL_PREFIX_ENV } from '../../protocol/messages';
import type { TrainerLaunch } from './trainerProcess';

export interface LaunchSettings {
  nodePath: string;
  trainerPath: string;
  /** Extra module folders for the trainer (NODE_PATH), e.g. where the optional CUDA backend was installed. */
  modulePaths: string[];
  /** Where the trainer's install hints tell npm to put an optional backend (the folder behind modulePaths). */
  installPrefix?: string;
}

/** The cli.js a trainerPath setting means: the file itself, or <folder>/dist/cli.js. */
export function cliFromSetting(trainerPath: string, extensionPath: string): string {
  if (!trainerPath) return path.join(extensionPath, 'dist', 'cli.js');
  return trainerPath.endsWith('.js') ? trainerPath : path.join(trainerPath, 'dist', 'cli.js');
}

export function trainerLaunch(s: LaunchSettings, extensionPath: string, base: NodeJS.ProcessEnv = process.env, execPath = process.execPath): TrainerLaunch {
  const env: NodeJS.ProcessEnv = { ...base };
  if (!s.nodePath) env.ELECTRON_RUN_AS_NODE = '1';
  if (s.modulePaths.length) env.NODE_PATH = [...s.modulePaths, ...(base.NODE_PATH ? [base.NODE_PATH] : [])].join(path.delimiter);
  if (s.installPrefix) env[INSTALL_PREFIX_ENV] = s.installPrefix;
  return { node: s.nodePath || execPath, cli: cliFromSetting(s.trainerPath, extensionPath), env };
}

/** The supconLab.backend setting as a config override: none for `auto`, which leaves the config's own. */
export function backendOverride(setting: string | undefined): Record<string, string> {
  return setting && setting !== 'auto' ? { backend: setting } : {};
}

/** CLI arguments for `train` from dotted config overrides. */
export function trainArgs(runsDir: string, overrides: Record<string, string>, configFile?: string): string[] {
  const args = ['train', '--runs-dir', runsDir];
  if (configFile) args.push('--config', configFile);
  for (const [field, value] of Object.entries(overrides)) args.push(`--${field}`, value);
  return args;
}
