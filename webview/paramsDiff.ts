/** The params table: which config fields differ between the selected runs. */

export interface ParamsRow {
  field: string;
  values: string[];
}

/** Flattens a config to dotted fields with display values. */
export function flattenConfig(value: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return out;
}

/**
 * Rows for the fields whose values are not all equal; with a single run every
 * field is shown. A field missing from a run shows as an empty cell.
 */
export function paramsDiff(configs: readonly unknown[]): ParamsRow[] {
  const flat = configs.map((c) => flattenConfig(c));
  const fields = [...new Set(flat.flatMap((f) => Object.keys(f)))].sort();
  const rows: ParamsRow[] = [];
  for (const field of fields) {
    const values = flat.map((f) => f[field] ?? '');
    if (flat.length === 1 || values.some((v) => v !== values[0])) rows.push({ field, values });
  }
  return rows;
}
