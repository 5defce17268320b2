import { BackendError } from '../errors.js';
import type { Backend } from './backend.js';
import { jsBackend } from './js/index.js';

// Registration is explicit: importing a backend module never registers it. The js backend is the
// fallback used when nothing else was chosen.
const registry = new Map<string, Backend>([[jsBackend.name, jsBackend]]);
let current: Backend = jsBackend;

/** Makes a backend available to `setBackend` under its `name`. */
export function registerBackend(backend: Backend): void {
  registry.set(backend.name, backend);
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
