/**
 * The contract between the extension host and the dashboard webview. The host
 * forwards TrainerEvents unchanged (from IPC or metrics.jsonl) in batches; the
 * webview's messages are untrusted input and every one goes through
 * parseWebviewMessage before the host acts on it.
 */
import type { RunConfig } from './config';
import { PROJECTION_METHODS, type EmbeddingMap, type ProjectionMethod } from './embeddingMap';
import type { BackendInfo, RunState, TrainerEvent } from './messages';
import type { SweepResultRow } from './sweepResult';

/** What the dashboard needs to list a run before any of its events arrive. */
export interface RunMeta {
  id: string;
  state?: RunState;
  label: string;
  config?: RunConfig;
  backend?: BackendInfo;
  live: boolean;
}

export type HostMessage =
  /** Every run the host knows, newest first, and which are selected. */
  | { type: 'runs'; runs: RunMeta[]; selected: string[] }
  /** Events of one run; `reset` replaces what the webview holds for it. */
  | { type: 'events'; runId: string; events: TrainerEvent[]; reset: boolean }
  /** The augmentation preview: a PNG as a data: URL, or why there is none. */
  | { type: 'preview'; status: 'loading' | 'ready' | 'failed'; image?: string; caption: string }
  /** Switch to a tab. */
  | { type: 'show'; tab: DashboardTab }
  /** An embedding map asked for by the webview: its progress, the map, or why there is none. */
  | ({ type: 'map'; status: 'loading' | 'ready' | 'failed'; map?: EmbeddingMap; error?: string } & MapRequest)
  /** A sweep's results across its runs (the Results tab), with its CSV. */
  | { type: 'results'; sweepId: string; axes: string[]; rows: SweepResultRow[]; csv: string };

/** Which map: a run's checkpoint, projected by a method. */
export interface MapRequest {
  runId: string;
  checkpoint: string;
  method: ProjectionMethod;
}

export type DashboardTab = 'charts' | 'params' | 'preview' | 'map' | 'results';
export type ExportKind = 'csv' | 'png';

export type WebviewMessage =
  | { type: 'ready' }
  | { type: 'select'; runIds: string[] }
  | { type: 'export'; kind: ExportKind; fileName: string; data: string }
  | { type: 'stop'; runId: string }
  /** Resume an interrupted run (the resume command, which asks for its checkpoint). */
  | { type: 'resume'; runId: string }
  | ({ type: 'map' } & MapRequest)
  | { type: 'error'; message: string };

/** State the webview keeps across a reload (vscode.setState), restored by the panel serializer. */
export interface DashboardState {
  selected: string[];
  tab: DashboardTab;
  smoothing: number;
  logScale: boolean;
}

export const MAX_SELECTED = 32;
/** A PNG of every chart at 2x stays well under this. */
const MAX_EXPORT_CHARS = 64 * 1024 * 1024;
const RUN_ID = /^[A-Za-z0-9_.-]{1,128}$/;
const FILE_NAME = /^[A-Za-z0-9 _.()-]{1,128}$/;
const TABS: readonly DashboardTab[] = ['charts', 'params', 'preview', 'map', 'results'];
const CHECKPOINT = /^[A-Za-z0-9_-]{1,64}$/;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isRunId = (v: unknown): v is string => typeof v === 'string' && RUN_ID.test(v) && !v.includes('..');
const hasOnly = (v: Record<string, unknown>, keys: string[]): boolean => Object.keys(v).every((k) => keys.includes(k));

/** Returns the message if it is a well-formed WebviewMessage, else undefined. */
export function parseWebviewMessage(v: unknown): WebviewMessage | undefined {
  if (!isObj(v) || typeof v.type !== 'string') return undefined;
  switch (v.type) {
    case 'ready':
      return hasOnly(v, ['type']) ? { type: 'ready' } : undefined;
    case 'select': {
      const ids = v.runIds;
      if (!hasOnly(v, ['type', 'runIds']) || !Array.isArray(ids) || ids.length > MAX_SELECTED || !ids.every(isRunId)) return undefined;
      return { type: 'select', runIds: [...new Set(ids)] };
    }
    case 'export': {
      const { kind, fileName, data } = v;
      if (!hasOnly(v, ['type', 'kind', 'fileName', 'data'])) return undefined;
      if (kind !== 'csv' && kind !== 'png') return undefined;
      if (typeof fileName !== 'string' || !FILE_NAME.test(fileName) || fileName.startsWith('.')) return undefined;
      if (typeof data !== 'string' || data.length > MAX_EXPORT_CHARS) return undefined;
      if (kind === 'png' && !data.startsWith('data:image/png;base64,')) return undefined;
      return { type: 'export', kind, fileName, data };
    }
    case 'stop':
    case 'resume': {
      const type = v.type === 'stop' ? 'stop' : 'resume';
      return hasOnly(v, ['type', 'runId']) && isRunId(v.runId) ? { type, runId: v.runId } : undefined;
    }
    case 'map': {
      const { runId, checkpoint, method } = v;
      if (!hasOnly(v, ['type', 'runId', 'checkpoint', 'method']) || !isRunId(runId)) return undefined;
      if (typeof checkpoint !== 'string' || !CHECKPOINT.test(checkpoint) || !PROJECTION_METHODS.includes(method as ProjectionMethod)) return undefined;
      return { type: 'map', runId, checkpoint, method: method as ProjectionMethod };
    }
    case 'error':
      return hasOnly(v, ['type', 'message']) && typeof v.message === 'string' ? { type: 'error', message: v.message.slice(0, 2000) } : undefined;
    default:
      return undefined;
  }
}

/** Restored state from an older window may be anything: keep what is valid, default the rest. */
export function parseDashboardState(v: unknown): DashboardState {
  const s = isObj(v) ? v : {};
  const selected = Array.isArray(s.selected) ? s.selected.filter(isRunId).slice(0, MAX_SELECTED) : [];
  const tab = TABS.includes(s.tab as DashboardTab) ? (s.tab as DashboardTab) : 'charts';
  const smoothing = typeof s.smoothing === 'number' && s.smoothing >= 0 && s.smoothing < 1 ? s.smoothing : 0.6;
  return { selected, tab, smoothing, logScale: s.logScale === true };
}
