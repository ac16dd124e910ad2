import * as tf from './backend/tf';

/**
 * SGD with momentum and L2 weight decay, as torch.optim.SGD does it:
 *   v = momentum * v + (g + wd * w);  w = w - lr * v
 * The slots follow the order of `params`, so a checkpoint restores them by position.
 */
export class Sgd {
  readonly slots: tf.Variable[];

  constructor(
    readonly params: tf.Variable[],
    readonly momentum: number,
    readonly weightDecay: number,
  ) {
    this.slots = params.map((p) => tf.variable(tf.zerosLike(p), false));
  }

  /** `grads[i]` belongs to `params[i]`. */
  step(grads: tf.Tensor[], lr: number): void {
    tf.tidy(() => {
      const rate = tf.scalar(lr);
      const mom = tf.scalar(this.momentum);
      const wd = tf.scalar(this.weightDecay);
      this.params.forEach((p, i) => {
        const g = this.weightDecay > 0 ? tf.add(grads[i], tf.mul(wd, p)) : grads[i];
        const v = tf.add(tf.mul(mom, this.slots[i]), g);
        this.slots[i].assign(v);
        p.assign(tf.sub(p, tf.mul(rate, v)));
      });
    });
  }

  dispose(): void {
    this.slots.forEach((s) => s.dispose());
  }
}
