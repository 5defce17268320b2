import { describe, expect, it } from 'vitest';
import { machineInfo, simdFlags } from './machine.js';

describe('simdFlags', () => {
  it('keeps the vector instruction sets of an x86 flags line, in order', () => {
    const cpuinfo =
      'processor\t: 0\nmodel name\t: AMD EPYC\nflags\t\t: fpu vme sse sse2 ssse3 fma sse4_1 sse4_2 popcnt avx f16c avx2 ' +
      'avx512f avx512dq avx512bw avx512vl avx512_vnni sha_ni\n\nprocessor\t: 1\nflags\t\t: fpu sse2\n';
    expect(simdFlags(cpuinfo)).toEqual([
      'fma',
      'sse4_1',
      'sse4_2',
      'avx',
      'avx2',
      'avx512f',
      'avx512dq',
      'avx512bw',
      'avx512vl',
      'avx512_vnni',
    ]);
  });

  it('reads an Arm Features line, and gives nothing without either line', () => {
    expect(simdFlags('processor\t: 0\nFeatures\t: fp asimd evtstrm aes asimdhp sve\n')).toEqual(['asimd', 'asimdhp', 'sve']);
    expect(simdFlags('model name\t: something\n')).toEqual([]);
  });

  it('lists this machine’s flags as strings where it can read them', () => {
    const { simd } = machineInfo();
    if (simd !== undefined) expect(simd.every((flag) => typeof flag === 'string' && flag.length > 0)).toBe(true);
    expect(process.platform !== 'linux' || Array.isArray(simd)).toBe(true);
  });
});
