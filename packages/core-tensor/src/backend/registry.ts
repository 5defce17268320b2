import { BackendError } from '../errors.js';
import type { Backend, BackendKernels, OptionalKernels } from './backend.js';
import { jsBackend } from './js/index.js';

/** The kernels a backend may leave out, as the js backend implements them. */
const OPTIONAL_KERNEL_NAMES = [
  'lstmCellForward',
  'lstmCellBackward',
  'gruCellForward',
  'gruCellBackward',
  'lstmSequenceForward',
  'lstmSequenceBackward',
  'gruSequenceForward',
  'gruSequenceBackward',
  'crossEntropyForward',
  'crossEntropyBackward',
  'spmmCsr',
  'sddmmCsr',
  'scatterReduce',
  'segmentSoftmax',
  'segmentSoftmaxBackward',
  'activationBackward',
  'createLstmStepper',
] as const satisfies readonly (keyof OptionalKernels)[];

/**
 * A backend with every kernel: `kernels` as given (and whatever else it carries, such as a wasm
 * backend's thread controls), with the js reference implementation of each optional kernel it
 * leaves out. This is the one place where kernels fall back to js. A complete backend is returned
 * as it is.
 */
export function completeBackend<T extends BackendKernels>(kernels: T): T & Backend {
  const missing = OPTIONAL_KERNEL_NAMES.filter((name) => typeof kernels[name] !== 'function');
  if (missing.length === 0) return kernels as T & Backend;
  const fallbacks = Object.fromEntries(missing.map((name) => [name, jsBackend[name]]));
  return Object.assign(Object.create(Object.getPrototypeOf(kernels) as object | null) as object, kernels, fallbacks) as T & Backend;
}

/** The optional kernels `kernels` implements itself (the rest fall back to js). */
export function ownKernels(kernels: BackendKernels): (keyof OptionalKernels)[] {
  return OPTIONAL_KERNEL_NAMES.filter((name) => typeof kernels[name] === 'function');
}

// Registration is explicit: importing a backend module never registers it. The js backend is the
// fallback used when nothing else was chosen.
const registry = new Map<string, Backend>([[jsBackend.name, jsBackend]]);
let current: Backend = jsBackend;

/**
 * Makes a backend available to `setBackend` under its `name`. It must implement the core kernels;
 * the fused and sparse kernels it leaves out run on the js backend (`completeBackend`).
 */
export function registerBackend(backend: BackendKernels): void {
  registry.set(backend.name, completeBackend(backend));
}

/** Chooses the backend every op runs on from now on. */
export function setBackend(name: string): void {
  const backend = registry.get(name);
  if (!backend) {
    throw new BackendError(`setBackend: no backend named '${name}' is registered (registered: ${[...registry.keys()].join(', ')})`);
  }
  current = backend;
}

/** The backend ops run on. */
export function getBackend(): Backend {
  return current;
}

/** Names of the registered backends. */
export function listBackends(): string[] {
  return [...registry.keys()];
}
