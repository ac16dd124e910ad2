/**
 * Returns a function that asks for `draw` to run: at most one draw per
 * animation frame, spaced by a few times the last draw's cost, so huge runs
 * stay responsive while events stream in.
 */
export function drawScheduler(draw: () => void): () => void {
  let pending = false;
  let lastEnd = 0;
  let lastMs = 0;
  return () => {
    if (pending) return;
    pending = true;
    const wait = Math.max(0, lastEnd + 3 * lastMs - performance.now());
    setTimeout(
      () =>
        requestAnimationFrame(() => {
          pending = false;
          const t0 = performance.now();
          draw();
          lastEnd = performance.now();
          lastMs = lastEnd - t0;
        }),
      wait,
    );
  };
}
