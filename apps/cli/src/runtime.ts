/**
 * The compute backend every command runs on: `--backend auto|js|wasm` and `--threads N`, shared by
 * all commands. `auto` (the default) takes the WebAssembly SIMD backend where it loads and the
 * pure-TypeScript one otherwise.
 */
import { getNumThreads, loadFastestBackend, registerWasmBackend, setBackend, shutdownWasmBackend } from '@tensorloom/core-tensor';
import { UsageError, intOption, stringOption, type OptionSpec, type OptionValues } from './cli.js';

export const RUNTIME_OPTIONS: Record<string, OptionSpec> = {
  backend: {
    type: 'string',
    description: 'Compute backend: auto (wasm where it loads, else js), js or wasm.',
    default: 'auto',
    valueName: 'NAME',
  },
  threads: { type: 'string', description: "Threads for the wasm backend's large kernels.", default: '1', valueName: 'N' },
};

export interface RuntimeChoice {
  backend: string;
  threads: number;
}

/** Selects the backend named by the flags; a wasm backend that cannot load is a failure (exit 1). */
export async function configureRuntime(values: OptionValues): Promise<RuntimeChoice> {
  const name = stringOption(values, 'backend') ?? 'auto';
  const threads = intOption(values, 'threads', 1, { min: 1, max: 64 });
  if (name === 'js') {
    setBackend('js');
    return { backend: 'js', threads: 1 };
  }
  if (name === 'wasm') {
    await registerWasmBackend({ threads });
    setBackend('wasm');
    return { backend: 'wasm', threads: getNumThreads() };
  }
  if (name === 'auto') {
    const chosen = await loadFastestBackend({ threads });
    return { backend: chosen, threads: chosen === 'wasm' ? getNumThreads() : 1 };
  }
  throw new UsageError(`--backend expects auto, js or wasm, got '${name}'`);
}

/** Stops the wasm backend's workers so the process can exit. */
export async function releaseRuntime(): Promise<void> {
  await shutdownWasmBackend();
}
