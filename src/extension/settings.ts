/** The extension's settings, read in one place. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_RUNS_DIR } from '../protocol/runFolder';
import type { LaunchSettings } from './launch/trainerLaunch';

const section = () => vscode.workspace.getConfiguration('supconLab');

/** Absolute runs directory: the setting, relative to the first workspace folder; undefined without a folder for a relative one. */
export function runsDirectory(): string | undefined {
  const configured = section().get<string>('runsDirectory', '').trim() || DEFAULT_RUNS_DIR;
  const expanded = configured.replace(/^~(?=$|[\\/])/, process.env.HOME ?? '~');
  if (path.isAbsolute(expanded)) return expanded;
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder && folder.uri.scheme === 'file' ? path.join(folder.uri.fsPath, expanded) : undefined;
}

export function launchSettings(modulePaths: string[], installPrefix?: string): LaunchSettings {
  const s = section();
  return { nodePath: s.get<string>('nodePath', '').trim(), trainerPath: s.get<string>('trainerPath', '').trim(), modulePaths, installPrefix };
}

export function backendSetting(): string {
  return section().get<string>('backend', 'auto');
}

/**
 * Config fields (dotted) that every run from the guided start and every study
 * uses, as the trainer's command line takes them, e.g. {"dataset.trainLimit": "5000"}.
 */
export function runDefaults(): Record<string, string> {
  const v = section().get<unknown>('defaults', {});
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  return Object.fromEntries(Object.entries(v).map(([field, value]) => [field, String(value)]));
}

/** Sweep runs at a time (supconLab.parallelRuns); undefined: the machine's default. */
export function parallelRuns(): number | undefined {
  const n = section().get<number>('parallelRuns', 0);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

export const affectsRunsDirectory = (e: vscode.ConfigurationChangeEvent) => e.affectsConfiguration('supconLab.runsDirectory');
