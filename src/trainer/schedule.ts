/** Learning rate at a global step: linear warm-up to `peak`, then cosine decay to 0 at `total`. */
export function cosineWithWarmup(step: number, total: number, warmup: number, peak: number): number {
  if (warmup > 0 && step < warmup) return (peak * (step + 1)) / warmup;
  const span = Math.max(1, total - warmup);
  const progress = Math.min(1, (step - warmup) / span);
  return 0.5 * peak * (1 + Math.cos(Math.PI * progress));
}
