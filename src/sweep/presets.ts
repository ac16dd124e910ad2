/**
 * Ready-made sweeps. The views study asks how the supervised contrastive loss
 * scales with the number of augmented views, which Khosla et al. (2020) leave
 * open: views 1, 2, 4, 8 (with one view the positives are other images of the
 * class) x 3 seeds, under both budget rules, beside the random-encoder floor.
 */
import { applyOverrides } from '../protocol/config';

/**
 * Base of the views study when no flag says otherwise: 2,000 training and
 * 2,000 test images, 1 epoch at batch 128 (8 views x 256 images, 2,048 rows,
 * runs out of wasm memory), a 5-epoch probe. Under equal compute (images x
 * views of one 8-view epoch) the 1-view run trains 8 epochs.
 */
export const VIEWS_PRESET_BASE = { dataset: { trainLimit: 2000, testLimit: 2000 }, epochs: 1, batchSize: 128, probe: { epochs: 5 } };

/**
 * The views study as a sweep file object.
 * @param overrides config flags (`--dataset.trainLimit 1000`) applied to the base
 * @param withCe adds cross-entropy as a second method
 * @param seeds the seeds (default 0, 1, 2)
 * @throws ConfigError naming the flag's field for a value the run schema refuses
 */
export function viewsPreset(overrides: Record<string, string>, withCe: boolean, seeds = [0, 1, 2]): object {
  return {
    name: withCe ? 'views-ce' : 'views',
    base: applyOverrides(structuredClone(VIEWS_PRESET_BASE), overrides),
    axes: { ...(withCe ? { method: ['supcon', 'ce'] } : {}), views: [1, 2, 4, 8] },
    seeds,
    budget: { rules: ['equal-steps', 'equal-compute'], referenceViews: 8 },
    floor: true,
  };
}
