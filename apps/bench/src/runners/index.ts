// The in-process runners of the Node implementations (PyTorch runs in python/bench_torch.py).
// Imported on demand, so a child loads only the library it measures (and its RSS shows only that).
import type { ImplConfig } from '../impls.js';
import type { Runner } from './runner.js';

/** The runner of a Node implementation. */
export async function runnerFor(config: ImplConfig): Promise<Runner> {
  switch (config.impl) {
    case 'tensorloom':
      return (await import('./tensorloom.js')).tensorloomRunner();
    case 'tfjs':
      return (await import('./tfjs.js')).tfjsRunner();
    case 'brainjs':
      return (await import('./brainjs.js')).brainjsRunner();
    case 'pytorch':
      throw new Error('PyTorch runs in python/bench_torch.py, not in a Node child');
  }
}
