/**
 * The TensorFlow.js the trainer runs on, imported from here alone. Under Node
 * (tests, tsx) it is the `@tensorflow/tfjs` union's CommonJS build: one
 * engine that every backend package shares. The bundles (scripts/build.mjs)
 * put tfCore.ts in its place, so layers, converter, data and webgl stay out.
 */
export * from '@tensorflow/tfjs';
