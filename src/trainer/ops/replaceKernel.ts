/** Swapping a backend's stock kernel for the ops layer's own. */
import * as tf from '../backend/tf';

const ours = new WeakSet<tf.KernelConfig>();

/**
 * Puts `make(stock)` in place of kernel `name` on `backend`, keeping the stock
 * setup; calling it again changes nothing.
 */
export function replaceKernel(name: string, backend: string, make: (stock: tf.KernelFunc | undefined) => tf.KernelFunc): void {
  const current = tf.getKernel(name, backend);
  if (current && ours.has(current)) return;
  if (current) tf.unregisterKernel(name, backend);
  const config: tf.KernelConfig = { kernelName: name, backendName: backend, kernelFunc: make(current?.kernelFunc), setupFunc: current?.setupFunc };
  ours.add(config);
  tf.registerKernel(config);
}

/** The forward geometry of a convolution, or of the one whose gradient is asked for (undilated). */
export function convInfo(xShape: number[], filterShape: number[], attrs: tf.Conv2DAttrs | tf.Conv2DBackpropFilterAttrs | tf.Conv2DBackpropInputAttrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
}
