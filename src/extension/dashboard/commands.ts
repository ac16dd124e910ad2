/** Commands that open the dashboard: on one run (or none), or on the runs selected in the Runs view. */
import type * as vscode from 'vscode';
import { registerGuarded } from '../output';
import { RunArg, runIdOf } from '../runs/runArg';

export function registerDashboardCommands(openDashboard: (runIds: string[]) => void): vscode.Disposable[] {
  return registerGuarded({
    'supconLab.openDashboard': (arg?: RunArg) => {
      const id = runIdOf(arg);
      openDashboard(id ? [id] : []);
    },
    'supconLab.compareRuns': (arg?: RunArg, selected?: RunArg[]) => {
      openDashboard((selected?.length ? selected : [arg]).map(runIdOf).filter((id): id is string => !!id));
    },
  });
}
