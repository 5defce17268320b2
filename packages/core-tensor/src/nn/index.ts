// The nn namespace: Module, layers and init (`import { nn } from '@tensorloom/core-tensor'`).
export {
  Module,
  type AnyModule,
  type RegisterParameterOptions,
  type RegisterBufferOptions,
  type NamedOptions,
  type LoadStateDictOptions,
  type LoadStateDictResult,
  type ZeroGradOptions,
  type ResetParametersOptions,
} from './module.js';
export * as init from './init.js';
export { Linear, type LinearOptions } from './linear.js';
export { Embedding, type EmbeddingOptions, type FromPretrainedOptions } from './embedding.js';
export { Dropout, type DropoutOptions } from './dropout.js';
export { LayerNorm, type LayerNormOptions } from './layer-norm.js';
export { Sequential, ModuleList, type TensorModule } from './sequential.js';
export {
  ReLU,
  Tanh,
  Sigmoid,
  SiLU,
  GELU,
  LeakyReLU,
  ELU,
  Softplus,
  Softmax,
  LogSoftmax,
  type GELUOptions,
  type LeakyReLUOptions,
  type ELUOptions,
  type SoftplusOptions,
  type SoftmaxOptions,
} from './activation.js';
export { Identity } from './identity.js';
export { Flatten, type FlattenOptions } from './flatten.js';
