// Every public op, one family per file.
export * from './creation.js';
export * from './cast.js';
export * from './arithmetic.js';
export * from './unary.js';
export * from './activation.js';
export * from './compare.js';
export * from './reduce.js';
export * from './softmax.js';
export * from './matmul.js';
export * from './shape.js';
export * from './transpose.js';
export * from './join.js';
export * from './slice.js';
export * from './indexing.js';
export * from './dropout.js';
export * from './loss.js';
export * from './recurrent.js';
export type { TensorLike } from './helpers.js';
