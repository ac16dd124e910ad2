/** The "SupCon Lab" output channel: trainer stdout/stderr, log events and host problems. */
import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

export function output(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('SupCon Lab', { log: true });
  return channel;
}

/** Runs an event handler so that nothing it throws escapes into the extension host. */
export function guard<A extends unknown[]>(what: string, fn: (...args: A) => unknown): (...args: A) => void {
  return (...args: A) => {
    try {
      const r = fn(...args);
      if (r instanceof Promise) r.catch((e) => output().error(`${what}: ${(e as Error)?.stack ?? e}`));
    } catch (e) {
      output().error(`${what}: ${(e as Error)?.stack ?? e}`);
    }
  };
}

/** Registers commands by id, each guarded so that nothing it throws escapes into the extension host. */
export function registerGuarded(commands: Record<string, (...args: never[]) => unknown>): vscode.Disposable[] {
  return Object.entries(commands).map(([id, fn]) => vscode.commands.registerCommand(id, guard(id, fn as (...a: unknown[]) => unknown)));
}
