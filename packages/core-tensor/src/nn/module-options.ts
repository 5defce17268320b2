/** The option and result types of `Module`'s methods. */
import type { Generator } from '../random/generator.js';

export interface RegisterParameterOptions {
  /** Whether the parameter is trained. Default true (a frozen parameter passes false). */
  requiresGrad?: boolean;
}

export interface RegisterBufferOptions {
  /** Whether the buffer is part of `stateDict()`. Default true. */
  persistent?: boolean;
}

export interface NamedOptions {
  /** Prepended, with a dot, to every name. Default ''. */
  prefix?: string;
  /** Include the children's tensors too. Default true. */
  recurse?: boolean;
}

export interface LoadStateDictOptions {
  /** Throw on missing or unexpected keys. Default true. Shape mismatches always throw. */
  strict?: boolean;
}

export interface LoadStateDictResult {
  /** Keys the module expects that `state` lacks. */
  missingKeys: string[];
  /** Keys of `state` the module does not have. */
  unexpectedKeys: string[];
}

export interface ZeroGradOptions {
  /** Drop the gradients (true, PyTorch 2's default) or fill them with zeros in place. Default true. */
  setToNone?: boolean;
}

export interface ResetParametersOptions {
  /** Draw from this generator instead of the one each layer was built with. */
  generator?: Generator;
}
