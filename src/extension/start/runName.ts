/**
 * The default name of a run started from the wizard: the method, then the
 * choices that differ from the defaults, shortest first to read
 * (`supcon-T0.5-v4`, `simclr-cifar10-resnet18-b128`), so runs that differ tell
 * themselves apart in the tree, legends and exports.
 */
import type { RunChoices } from './runChoices';

const MAX = 64; // the config schema's maxLength for name

/** Name parts in reading order; each is shown only when its field differs from `base`. */
const PARTS: [keyof RunChoices, (c: RunChoices) => string][] = [
  ['datasetKind', (c) => c.datasetKind],
  ['encoder', (c) => c.encoder],
  ['temperature', (c) => `T${c.temperature}`],
  ['views', (c) => `v${c.views}`],
  ['batchSize', (c) => `b${c.batchSize}`],
  ['epochs', (c) => `e${c.epochs}`],
  ['seed', (c) => `s${c.seed}`],
];

/**
 * `c.method` followed by a short tag for each field of `c` that differs from
 * `base` (the defaults); the temperature is left out for cross-entropy, which
 * has none. Only letters, digits, `.`, `-` and `_`; at most 64 characters.
 */
export function defaultRunName(c: RunChoices, base: RunChoices): string {
  const parts: string[] = [c.method];
  for (const [field, tag] of PARTS) {
    if (field === 'temperature' && c.method === 'ce') continue;
    if (c[field] !== base[field]) parts.push(tag(c));
  }
  return parts.join('-').replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, MAX);
}
