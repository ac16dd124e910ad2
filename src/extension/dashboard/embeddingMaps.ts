/**
 * Embedding maps for the dashboard's Map tab: runs the trainer's `embed`
 * (its own process, no shell) into a temporary JSON file, validates what it
 * wrote, and keeps the last few maps while their checkpoint is unchanged.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MapRequest } from '../../protocol/dashboard';
import { parseEmbeddingMap, type EmbeddingMap } from '../../protocol/embeddingMap';
import { runFiles } from '../../protocol/runFolder';
import { output } from '../output';
import { TrainerExit, TrainerLaunch, TrainerProcess } from '../launch/trainerProcess';

/** A map with its images is a few MB: keep a slider's worth. */
const KEPT = 12;

export class EmbeddingMaps {
  private readonly cache = new Map<string, Promise<EmbeddingMap>>();

  constructor(private readonly launch: () => TrainerLaunch) {}

  /** The map of `req` for the run in runDir; rejects with the trainer's own error line. */
  get(runDir: string, req: MapRequest): Promise<EmbeddingMap> {
    let stamp = 'missing';
    try {
      // `last` and `best` are replaced as training goes: a new one is a new map
      stamp = String(fs.statSync(path.join(runFiles(runDir).checkpoints, req.checkpoint, 'manifest.json')).mtimeMs);
    } catch {
      // the trainer says what is missing
    }
    const key = [runDir, req.checkpoint, req.method, stamp].join('|');
    let map = this.cache.get(key);
    if (!map) {
      map = this.compute(runDir, req);
      this.cache.set(key, map);
      map.catch(() => this.cache.delete(key));
      while (this.cache.size > KEPT) this.cache.delete(this.cache.keys().next().value!);
    }
    return map;
  }

  private compute(runDir: string, req: MapRequest): Promise<EmbeddingMap> {
    const out = path.join(os.tmpdir(), `supcon-map-${crypto.randomBytes(4).toString('hex')}.json`);
    const proc = new TrainerProcess(['embed', '--run', runDir, '--checkpoint', req.checkpoint, '--method', req.method, '--out', out]);
    proc.on('log', (_s, text) => output().info(`[embed] ${text.trimEnd()}`));
    return new Promise((resolve, reject) => {
      proc.on('exit', (x: TrainerExit) => {
        try {
          if (x.code !== 0 || !fs.existsSync(out)) {
            const why = x.spawnError ?? x.stderrTail.trim().split('\n').pop() ?? `exit code ${x.code}`;
            throw new Error(why.replace(/^supcon-lab: /, ''));
          }
          const map = parseEmbeddingMap(JSON.parse(fs.readFileSync(out, 'utf8')));
          if (!map) throw new Error(`${out}: not an embedding map`);
          resolve(map);
        } catch (e) {
          reject(e as Error);
        } finally {
          fs.rmSync(out, { force: true });
        }
      });
      proc.start(this.launch());
    });
  }
}
