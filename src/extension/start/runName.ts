/**
 * The default name of a run started from the wizard: the method, then the
 * choices that differ from the defaults, shortest first to read
 * (`supcon-T0.5-v4`, `simclr-cifar10-resnet18-b128`), so runs that differ tell
 * themselves apart in the tree, legends and exports.
 */
import type { RunChoices } from './runChoices';

const MAX = 64; // the config schema's maxLength for name

/** Name parts in reading order: a field's value and its tag, shown only when the value differs from `base`'s and the tag is not empty. */
const PARTS: [(c: RunChoices) => unknown, (c: RunChoices) => string][] = [
  [(c) => c.dataset.kind, (c) => c.dataset.kind],
  [(c) => c.encoder, (c) => c.encoder],
  [(c) => c.temperature, (c) => (c.method === 'ce' ? '' : `T${c.temperature}`)], // cross-entropy has no temperature
  [(c) => c.views, (c) => `v${c.views}`],
  [(c) => c.batchSize, (c) => `b${c.batchSize}`],
  [(c) => c.epochs, (c) => `e${c.epochs}`],
  [(c) => c.seed, (c) => `s${c.seed}`],
];

/**
 * `c.method` followed by a short tag for each field of `c` that differs from
 * `base` (the defaults); the temperature is left out for cross-entropy, which
 * has none. Only letters, digits, `.`, `-` and `_`; at most 64 characters.
 */
export function defaultRunName(c: RunChoices, base: RunChoices): string {
  const parts: string[] = [c.method];
  for (const [value, tag] of PARTS) if (value(c) !== value(base) && tag(c)) parts.push(tag(c));
  return parts
    .join('-')
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .slice(0, MAX);
}
