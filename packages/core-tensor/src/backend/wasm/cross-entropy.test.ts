import { beforeAll, describe, it } from 'vitest';
import { Generator } from '../../random/generator.js';
import { expectClose } from '../../testing/expect-close.js';
import type { CrossEntropyParams } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { createWasmBackend, type WasmBackend } from './index.js';

describe('wasm fused cross-entropy against the js kernels (float32)', () => {
  let backend: WasmBackend;
  beforeAll(async () => {
    backend = await createWasmBackend();
  });

  const setups = [
    { label: 'plain', classes: 80, weighted: false, labelSmoothing: 0 },
    { label: 'class weights and label smoothing', classes: 83, weighted: true, labelSmoothing: 0.1 },
    { label: 'smoothing without weights, 3 classes', classes: 3, weighted: false, labelSmoothing: 0.2 },
  ];

  it.each(setups)('forward and backward agree: $label', ({ classes, weighted, labelSmoothing }) => {
    const gen = new Generator(41);
    const rows = 301;
    const logits = Float32Array.from({ length: rows * classes }, () => gen.normal() * 4);
    for (let j = 0; j < classes; j++) logits[classes + j] = logits[classes + j]! + 500; // a large row
    const target = Int32Array.from({ length: rows }, (_, r) => (r % 17 === 3 ? -100 : gen.integer(0, classes)));
    const weight = weighted ? Float32Array.from({ length: classes }, () => gen.uniform(0.5, 2)) : null;
    const params: CrossEntropyParams = { rows, classes, ignoreIndex: -100, labelSmoothing };
    const forward = (b: typeof jsBackend): Float32Array[] => {
      const out = [new Float32Array(rows), new Float32Array(rows), new Float32Array(rows)];
      b.crossEntropyForward({ logits, target, weight, params, losses: out[0]!, rowMax: out[1]!, logSum: out[2]! });
      return out;
    };
    const [losses, rowMax, logSum] = forward(backend);
    const [lossesRef, rowMaxRef, logSumRef] = forward(jsBackend);
    expectClose(rowMax!, rowMaxRef!, { rtol: 0, atol: 0 });
    expectClose(logSum!, logSumRef!, { rtol: 1e-6, atol: 1e-6 });
    expectClose(losses!, lossesRef!, { rtol: 1e-5, atol: 1e-5 });

    const gradLosses = Float32Array.from({ length: rows }, () => gen.uniform(0.1, 1));
    const backward = (b: typeof jsBackend): Float32Array => {
      const out = new Float32Array(rows * classes).fill(12345);
      b.crossEntropyBackward({ logits, target, weight, params, rowMax: rowMaxRef!, logSum: logSumRef!, gradLosses, dLogits: out });
      return out;
    };
    expectClose(backward(backend), backward(jsBackend), { rtol: 1e-5, atol: 1e-7 });
  });
});
