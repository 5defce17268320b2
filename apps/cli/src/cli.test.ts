import { describe, expect, it } from 'vitest';
import { intOption, runCli, UsageError, type Command } from './cli.js';
import { capture } from './test-support.js';

const echo: Command = {
  path: ['echo', 'number'],
  summary: 'Echo a number.',
  options: { n: { type: 'string', description: 'The number.', default: '1' }, fail: { type: 'boolean', description: 'Fail.' } },
  async run(values, ctx) {
    const n = intOption(values, 'n', 1, { min: 0 });
    if (values.fail) throw new Error('asked to fail\nsecond line');
    ctx.log('progress goes to stderr');
    ctx.print(`n is ${n}`);
    return { n };
  },
};

describe('the CLI conventions', () => {
  it('prints the result as one JSON object on the last line of stdout under --json', async () => {
    const c = capture();
    expect(await runCli(['echo', 'number', '--n', '7', '--json'], [echo], c.io)).toBe(0);
    const lines = c.stdout().trimEnd().split('\n');
    expect(JSON.parse(lines[lines.length - 1]!)).toEqual({ n: 7 });
    expect(c.stdout()).not.toContain('n is');
    expect(c.stderr()).toContain('progress goes to stderr');
  });

  it("ignores a lone '--' (pnpm demo -- --n 3 passes it through)", async () => {
    const c = capture();
    expect(await runCli(['echo', 'number', '--', '--n', '3', '--json'], [echo], c.io)).toBe(0);
    expect(JSON.parse(c.stdout().trimEnd().split('\n').at(-1)!)).toEqual({ n: 3 });
  });

  it('prints human output without --json', async () => {
    const c = capture();
    expect(await runCli(['echo', 'number'], [echo], c.io)).toBe(0);
    expect(c.stdout()).toBe('n is 1\n');
  });

  it('exits 2 with a one-line message naming an unknown flag', async () => {
    const c = capture();
    expect(await runCli(['echo', 'number', '--bogus'], [echo], c.io)).toBe(2);
    expect(c.stderr().trimEnd().split('\n')).toHaveLength(1);
    expect(c.stderr()).toContain('--bogus');
  });

  it('exits 2 naming the flag when a value is malformed or out of range', async () => {
    for (const bad of ['x', '-3', '1.5']) {
      const c = capture();
      expect(await runCli(['echo', 'number', '--n', bad], [echo], c.io)).toBe(2);
      expect(c.stderr()).toContain('--n');
    }
  });

  it('exits 1 on failure with a one-line error', async () => {
    const c = capture();
    expect(await runCli(['echo', 'number', '--fail'], [echo], c.io)).toBe(1);
    expect(c.stderr().trimEnd().split('\n')).toHaveLength(1);
    expect(c.stderr()).toContain('asked to fail');
  });

  it('shows help for a command and for the whole tool', async () => {
    const c = capture();
    expect(await runCli(['echo', 'number', '--help'], [echo], c.io)).toBe(0);
    expect(c.stdout()).toContain('Usage: tensorloom echo number');
    expect(c.stdout()).toContain('--json');
    const top = capture();
    expect(await runCli(['--help'], [echo], top.io)).toBe(0);
    expect(top.stdout()).toContain('echo number');
  });

  it('exits 2 on an unknown command or none', async () => {
    expect(await runCli(['nope'], [echo], capture().io)).toBe(2);
    expect(await runCli([], [echo], capture().io)).toBe(2);
  });

  it('names the subcommands when a group is given without one (tensorloom textgen)', async () => {
    const c = capture();
    expect(await runCli(['echo'], [echo], c.io)).toBe(2);
    expect(c.stderr()).toBe("tensorloom echo: expected a subcommand (number); run 'tensorloom echo number --help' for its options\n");
  });

  it('hands a negative number to the flag, whose range check names it (--n -5)', async () => {
    const c = capture();
    expect(await runCli(['echo', 'number', '--n', '-5'], [echo], c.io)).toBe(2);
    expect(c.stderr()).not.toContain('ambiguous');
    expect(c.stderr()).toContain('--n');
    expect(c.stderr()).toContain('-5');
    const ok = capture();
    expect(await runCli(['echo', 'number', '--n', '5', '--fail'], [echo], ok.io)).toBe(1);
  });

  it('sets the exit code a command asks for (an interrupted run: 128 + signal)', async () => {
    const stopped: Command = { ...echo, path: ['stopped'], run: async (_values, ctx) => ((ctx.exitCode = 143), { step: 3 }) };
    const c = capture();
    expect(await runCli(['stopped', '--json'], [stopped], c.io)).toBe(143);
    expect(c.json()).toEqual({ step: 3 });
  });

  it('UsageError from a command maps to exit code 2', async () => {
    const cmd: Command = {
      ...echo,
      path: ['u'],
      run: async () => {
        throw new UsageError('--x is wrong');
      },
    };
    const c = capture();
    expect(await runCli(['u'], [cmd], c.io)).toBe(2);
    expect(c.stderr()).toContain('--x');
  });
});
