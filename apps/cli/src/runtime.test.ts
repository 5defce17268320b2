import { afterAll, describe, expect, it } from 'vitest';
import { getBackend, matmul, randn } from '@tensorloom/core-tensor';
import { runCli, type Command } from './cli.js';
import { RUNTIME_OPTIONS, configureRuntime, releaseRuntime } from './runtime.js';

const probe: Command = {
  path: ['probe'],
  summary: 'Report the backend in use.',
  options: {},
  async run() {
    // Run one real kernel on whatever backend was chosen.
    const y = matmul(randn([4, 3]), randn([3, 2]));
    return { used: getBackend().name, shape: y.shape };
  },
};

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: { write: (s: string) => out.push(s) }, stderr: { write: (s: string) => err.push(s) } }, out, err };
}

const globals = {
  options: RUNTIME_OPTIONS,
  setup: async (values: Parameters<typeof configureRuntime>[0]) => ({ ...(await configureRuntime(values)) }),
  teardown: releaseRuntime,
};

afterAll(async () => {
  await releaseRuntime();
});

describe('--backend and --threads', () => {
  it('selects the js backend and reports it in the JSON result', async () => {
    const c = io();
    expect(await runCli(['probe', '--backend', 'js', '--json'], [probe], c.io, globals)).toBe(0);
    const result = JSON.parse(c.out.join('').trim());
    expect(result).toMatchObject({ used: 'js', backend: 'js', threads: 1, shape: [4, 2] });
  });

  it('selects the wasm backend with two threads', async () => {
    const c = io();
    expect(await runCli(['probe', '--backend', 'wasm', '--threads', '2', '--json'], [probe], c.io, globals)).toBe(0);
    const result = JSON.parse(c.out.join('').trim());
    expect(result).toMatchObject({ used: 'wasm', backend: 'wasm', threads: 2 });
  });

  it('picks the fastest backend that loads by default', async () => {
    const c = io();
    expect(await runCli(['probe', '--json'], [probe], c.io, globals)).toBe(0);
    const result = JSON.parse(c.out.join('').trim());
    expect(['js', 'wasm']).toContain(result.backend);
    expect(result.used).toBe(result.backend);
  });

  it('exits 2 naming the flag for an unknown backend or a bad thread count', async () => {
    for (const args of [
      ['--backend', 'gpu'],
      ['--threads', '0'],
      ['--threads', 'two'],
    ]) {
      const c = io();
      expect(await runCli(['probe', ...args], [probe], c.io, globals)).toBe(2);
      expect(c.err.join('')).toContain(args[0]!);
    }
  });

  it("lists the runtime flags in every command's help", async () => {
    const c = io();
    expect(await runCli(['probe', '--help'], [probe], c.io, globals)).toBe(0);
    expect(c.out.join('')).toContain('--backend');
    expect(c.out.join('')).toContain('--threads');
  });
});
