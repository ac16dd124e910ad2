/**
 * A sweep's results row as the CLI prints it and the dashboard shows it, and
 * the values it is keyed by. Free of Node modules: the webview imports it.
 */
export type AxisValue = string | number | boolean;

/**
 * equal-steps: every point trains `base.epochs` epochs (same optimizer steps;
 * more views cost more compute). equal-compute: images x views per run held at
 * `base.epochs x referenceViews`, so a point with v views trains
 * `base.epochs x referenceViews / v` epochs.
 */
export type BudgetRule = 'equal-steps' | 'equal-compute';
export const BUDGET_RULES: readonly BudgetRule[] = ['equal-steps', 'equal-compute'];

/** One row of a sweep's results: a grid configuration under one budget rule, or the floor, over its seeds. */
export interface SweepResultRow {
  floor?: boolean;
  rule?: BudgetRule;
  values: Record<string, AxisValue>;
  epochs: number;
  views: number;
  /** Probe top-1 (a fraction) over completed runs: mean, sample std (n >= 2), n. */
  mean?: number;
  std?: number;
  n: number;
  /** Seeds of the runs in the mean. */
  seeds: number[];
  /** Runs left out of the mean, by state (failed, running, missing, ...). */
  notCounted: Record<string, number>;
}
