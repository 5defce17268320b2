// @tensorloom/core-tensor: tensors, autograd, kernels, nn, optim, io, random.
export { Tensor, type NestedArray } from './tensor.js';
export { type DType, type FloatDType, type TypedArray, type FloatArray, DTYPES, isDType, isFloatDType, promoteTypes } from './dtype.js';
export * from './errors.js';
export { nodeBuiltin, requireNodeBuiltin } from './environment.js';
export { noGrad, isGradEnabled, withGradEnabled, record, recordMany, type GradNode, type BackwardOptions } from './autograd.js';
export { broadcastShapes, shapeSize, contiguousStrides } from './shape.js';
export * from './ops/index.js';
export {
  lstmStepper,
  LSTMStepper,
  type LSTMStepperOptions,
  type LSTMStepperLayerWeights,
  type LSTMStepperState,
} from './ops/recurrent-stepper.js';
export type {
  Backend,
  BackendKernels,
  CoreKernels,
  RecurrentKernels,
  LossKernels,
  SparseKernels,
  OptionalKernels,
  UnaryOp,
  BinaryOp,
  ReduceOp,
  ArgReduceOp,
  ScatterReduceOp,
  MatmulParams,
  CrossEntropyParams,
  RecurrentSequenceParams,
  SequenceResiduals,
  StepperKernels,
  LSTMStepperKernel,
} from './backend/backend.js';
export type * from './backend/kernel-args.js';
export { registerBackend, setBackend, getBackend, listBackends, completeBackend, ownKernels } from './backend/registry.js';
export { jsBackend, jsCoreKernels } from './backend/js/index.js';
export { Generator, defaultGenerator, manualSeed, type GeneratorState } from './random/generator.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export {
  NonFiniteError,
  findNonFinite,
  assertFiniteParameters,
  type NonFiniteWhat,
  type NonFiniteFinding,
  type NonFiniteDetails,
  type FindNonFiniteOptions,
} from './optim/non-finite.js';
export {
  NonFiniteGuard,
  NON_FINITE_POLICIES,
  DEFAULT_MAX_LR_HALVINGS,
  type NonFinitePolicy,
  type NonFiniteEvent,
  type NonFiniteGuardOptions,
  type GuardedOptimizer,
} from './optim/non-finite-guard.js';
export * from './io/index.js';
export {
  createWasmBackend,
  createWasmBackendSync,
  registerWasmBackend,
  registerWasmBackendSync,
  loadFastestBackend,
  setNumThreads,
  getNumThreads,
  shutdownWasmBackend,
  type WasmBackend,
  type WasmBackendOptions,
  type WasmFeatures,
} from './backend/wasm/index.js';
