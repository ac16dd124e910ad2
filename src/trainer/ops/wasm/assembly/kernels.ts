// The module's exports: each kernel works on tfjs's wasm memory, imported (scripts/build.mjs compiles this file).
export { columnMoments, channelAffine } from './batchNorm';
export { conv2d } from './conv2d';
export { conv2dBackpropFilter } from './conv2dBackpropFilter';
export { conv2dBackpropInput } from './conv2dBackpropInput';
export { packFilter } from './tapProduct';
