import { nn, zeros, type Tensor } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { runCli, type Command } from './cli.js';
import { capture } from './test-support.js';

/** A command that loads a foreign state dict into a small network, as `textgen sample` loads weights. */
const loadWeights: Command = {
  path: ['load', 'weights'],
  summary: 'Load a state dict that does not fit.',
  options: {},
  async run() {
    const net = new nn.Sequential(
      new nn.Linear({ inFeatures: 3, outFeatures: 4 }),
      new nn.ReLU(),
      new nn.Linear({ inFeatures: 4, outFeatures: 2 }),
    );
    const state: Record<string, Tensor> = { ...net.stateDict(), '0.weight': zeros([4, 5]), '2.bias': zeros([3]), stray: zeros([1]) };
    delete state['2.weight'];
    net.loadStateDict(state);
    return {};
  },
};

describe('a failure with several problems', () => {
  it("prints every line of loadStateDict's error, not only its count", async () => {
    const c = capture();
    expect(await runCli(['load', 'weights'], [loadWeights], c.io)).toBe(1);
    const lines = c.stderr().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^tensorloom load weights: error: loadStateDict: 4 problem/);
    // the first line's count, then one indented line per problem
    expect(lines).toHaveLength(5);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}\S/);
    const text = c.stderr();
    for (const detail of ["'2.weight'", "'stray'", "'0.weight'", '[4, 3]', '[4, 5]', "'2.bias'", '[2]', '[3]']) {
      expect(text).toContain(detail);
    }
  });

  it('still prints one line for an error that is not a typed library error', async () => {
    const failing: Command = {
      ...loadWeights,
      path: ['boom'],
      run: async () => {
        throw new Error('first line\nan internal dump the user should not see');
      },
    };
    const c = capture();
    expect(await runCli(['boom'], [failing], c.io)).toBe(1);
    expect(c.stderr()).toBe('tensorloom boom: error: first line\n');
  });
});
