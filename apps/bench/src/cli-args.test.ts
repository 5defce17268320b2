import { describe, expect, it } from 'vitest';
import { matchesSelector, parseBenchArgs, UsageError } from './cli-args.js';

describe('parseBenchArgs', () => {
  it('has full-run defaults with no arguments', () => {
    expect(parseBenchArgs([])).toEqual({
      quick: false,
      only: [],
      impls: [],
      outDir: undefined,
      maxSeconds: undefined,
      python: undefined,
      list: false,
      help: false,
    });
  });

  it('reads --quick, comma lists and repeated flags', () => {
    const options = parseBenchArgs(['--quick', '--only', 'gemm-128x1280x4096,lstm-A', '--only=lstm-B', '--impl', 'tensorloom, tfjs-wasm']);
    expect(options.quick).toBe(true);
    expect(options.only).toEqual(['gemm-128x1280x4096', 'lstm-A', 'lstm-B']);
    expect(options.impls).toEqual(['tensorloom', 'tfjs-wasm']);
  });

  it('reads --max-seconds, --python, --out and --list', () => {
    const options = parseBenchArgs(['--max-seconds', '90', '--python', '/usr/bin/python3', '--out', '/tmp/x', '--list']);
    expect(options).toMatchObject({ maxSeconds: 90, python: '/usr/bin/python3', outDir: '/tmp/x', list: true });
  });

  it('rejects unknown flags, positionals, bad numbers and empty lists with UsageError', () => {
    expect(() => parseBenchArgs(['--fast'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['gemm'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--max-seconds', 'soon'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--max-seconds', '-3'])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--only', ' , '])).toThrow(UsageError);
    expect(() => parseBenchArgs(['--impl', ''])).toThrow(UsageError);
  });
});

describe('matchesSelector', () => {
  it('matches a whole name or a prefix that ends at a dash', () => {
    expect(matchesSelector('gemm-64x192x512-NT', 'gemm')).toBe(true);
    expect(matchesSelector('gemm-64x192x512-NT', 'gemm-64x192x512')).toBe(true);
    expect(matchesSelector('gemm-64x192x512-NT', 'gemm-64x192x512-NT')).toBe(true);
    expect(matchesSelector('gemm-64x192x512-NT', 'gemm-64x19')).toBe(false);
    expect(matchesSelector('tensorloom-wasm-2t', 'tensorloom-wasm')).toBe(true);
    expect(matchesSelector('tfjs-wasm', 'tensorloom')).toBe(false);
  });
});
