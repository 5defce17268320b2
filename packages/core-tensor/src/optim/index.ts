// The `optim` namespace of @tensorloom/core-tensor: optimizers, lr schedulers, gradient clipping.
export {
  Optimizer,
  type BaseHyperParams,
  type ParamGroup,
  type ParamGroupInput,
  type ParamsInput,
  type ParamState,
  type StateDictValue,
  type StateKind,
  type OptimizerStateDict,
  type ZeroGradOptions,
} from './optimizer.js';
export { SGD, type SGDOptions, type SGDHyperParams, type SGDState } from './sgd.js';
export { Adam, AdamW, AdamBase, type AdamOptions, type AdamHyperParams, type AdamState } from './adam.js';
export { RMSprop, type RMSpropOptions, type RMSpropHyperParams, type RMSpropState } from './rmsprop.js';
export { Adagrad, type AdagradOptions, type AdagradHyperParams, type AdagradState } from './adagrad.js';
export { LRScheduler, bisectRight, type SchedulableOptimizer, type LRSchedulerOptions, type LRSchedulerStateDict } from './lr-scheduler.js';
export { StepLR, MultiStepLR, type StepLROptions, type MultiStepLROptions } from './step-lr.js';
export { ExponentialLR, type ExponentialLROptions } from './exponential-lr.js';
export { CosineAnnealingLR, type CosineAnnealingLROptions } from './cosine-annealing-lr.js';
export { LinearLR, LinearLR as LinearWarmup, type LinearLROptions, type LinearLROptions as LinearWarmupOptions } from './linear-lr.js';
export { LambdaLR, type LambdaLROptions } from './lambda-lr.js';
export { SequentialLR, type SequentialLROptions } from './sequential-lr.js';
export { clipGradNorm, clipGradValue, type ClipGradNormOptions } from './clip-grad.js';
