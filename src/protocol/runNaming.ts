/**
 * The settings that tell runs apart at a glance (method, temperature, views,
 * batch size), in one form for the Runs tree, the dashboard's legends and
 * cards, and the CSV export.
 */

/** "supcon · T 0.5 · 4 views · batch 256" from a run's config; fields that are missing or odd are left out (configs of old runs may hold anything). */
export function keySettings(config: unknown): string {
  if (typeof config !== 'object' || config === null) return '';
  const c = config as Record<string, unknown>;
  const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  const parts: string[] = [];
  if (typeof c.method === 'string') parts.push(c.method);
  if (num(c.temperature) && c.method !== 'ce') parts.push(`T ${c.temperature}`);
  if (num(c.views)) parts.push(`${c.views} view${c.views === 1 ? '' : 's'}`);
  if (num(c.batchSize)) parts.push(`batch ${c.batchSize}`);
  return parts.join(' · ');
}

/** A run's name with its key settings: "supcon-T0.5-v4-3fa2 (supcon · T 0.5 · 4 views · batch 256)". */
export function runDisplayName(label: string, config: unknown): string {
  const settings = keySettings(config);
  return settings ? `${label} (${settings})` : label;
}
