/**
 * The contract between the extension host and the dashboard webview. The host
 * forwards TrainerEvents unchanged (from IPC or metrics.jsonl) in batches; the
 * webview's messages are untrusted input and every one goes through
 * parseWebviewMessage before the host acts on it. They are declared once, as
 * TypeBox schemas that give both the type and the check (Check, which
 * needs no eval, so the webview's CSP holds).
 */
import { Type, type Static, type TProperties } from '@sinclair/typebox';
import { Check } from '@sinclair/typebox/value';
import type { RunConfig } from './config';
import { PROJECTION_METHODS, type EmbeddingMap } from './embeddingMap';
import { RunFolderName, type BackendInfo, type RunState, type TrainerEvent } from './messages';
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

export const MAX_SELECTED = 32;
/** A PNG of every chart at 2x stays well under this. */
const MAX_EXPORT_CHARS = 64 * 1024 * 1024;

const TABS = ['charts', 'params', 'preview', 'map', 'results'] as const;
const TabSchema = Type.Union(TABS.map((tab) => Type.Literal(tab)));
export type DashboardTab = Static<typeof TabSchema>;

/** Which map: a run's checkpoint, projected by a method. */
const MapRequestSchema = Type.Object({
  runId: RunFolderName,
  checkpoint: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
  method: Type.Union(PROJECTION_METHODS.map((m) => Type.Literal(m))),
});
export type MapRequest = Static<typeof MapRequestSchema>;

/** A file name the host may write in the workspace: no path, not hidden. */
const FileName = Type.String({ pattern: '^[A-Za-z0-9 _()-][A-Za-z0-9 _.()-]{0,127}$' });
/** A message of one type with exactly these fields. */
const message = <T extends string, P extends TProperties>(type: T, properties: P) => Type.Object({ type: Type.Literal(type), ...properties }, { additionalProperties: false });

const WebviewMessageSchema = Type.Union([
  message('ready', {}),
  message('select', { runIds: Type.Array(RunFolderName, { maxItems: MAX_SELECTED }) }),
  message('export', { kind: Type.Literal('csv'), fileName: FileName, data: Type.String({ maxLength: MAX_EXPORT_CHARS }) }),
  message('export', { kind: Type.Literal('png'), fileName: FileName, data: Type.String({ maxLength: MAX_EXPORT_CHARS, pattern: '^data:image/png;base64,' }) }),
  message('stop', { runId: RunFolderName }),
  /** Resume an interrupted run (the resume command, which asks for its checkpoint). */
  message('resume', { runId: RunFolderName }),
  message('map', MapRequestSchema.properties),
  message('error', { message: Type.String() }),
]);
export type WebviewMessage = Static<typeof WebviewMessageSchema>;
export type ExportKind = Extract<WebviewMessage, { type: 'export' }>['kind'];

/** State the webview keeps across a reload (vscode.setState), restored by the panel serializer. */
const DashboardStateSchema = Type.Object({
  selected: Type.Array(RunFolderName, { maxItems: MAX_SELECTED }),
  tab: TabSchema,
  smoothing: Type.Number({ minimum: 0, exclusiveMaximum: 1 }),
  logScale: Type.Boolean(),
});
export type DashboardState = Static<typeof DashboardStateSchema>;

/** Returns the message if it is a well-formed WebviewMessage, else undefined; a selection without repeats, an error's text at most 2,000 characters. */
export function parseWebviewMessage(v: unknown): WebviewMessage | undefined {
  if (!Check(WebviewMessageSchema, v)) return undefined;
  if (v.type === 'select') return { type: 'select', runIds: [...new Set(v.runIds)] };
  if (v.type === 'error') return { type: 'error', message: v.message.slice(0, 2000) };
  return v;
}

/** Restored state from an older window may be anything: keep what is valid, default the rest. */
export function parseDashboardState(v: unknown): DashboardState {
  const s = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  const field = <K extends keyof DashboardState>(key: K, fallback: DashboardState[K]): DashboardState[K] =>
    Check(DashboardStateSchema.properties[key], s[key]) ? (s[key] as DashboardState[K]) : fallback;
  const selected = Array.isArray(s.selected) ? s.selected.filter((id) => Check(RunFolderName, id)).slice(0, MAX_SELECTED) : [];
  return { selected, tab: field('tab', 'charts'), smoothing: field('smoothing', 0.6), logScale: field('logScale', false) };
}
