import { describe, expect, it } from 'vitest';
import { randn } from '../ops/creation.js';
import { Generator } from '../random/generator.js';
import * as nn from './index.js';

describe('nn namespace', () => {
  it('exposes the layers and init as PyTorch users expect', () => {
    const gen = new Generator(0);
    const model = new nn.Sequential(
      new nn.Linear({ inFeatures: 3, outFeatures: 8, generator: gen }),
      new nn.GELU(),
      new nn.LayerNorm({ normalizedShape: 8 }),
      new nn.Dropout({ p: 0.1, generator: gen }),
      new nn.Linear({ inFeatures: 8, outFeatures: 2, generator: gen }),
    );
    nn.init.xavierUniform_(model.at(0).parameters()[0]!, { generator: gen });
    expect(model.eval().call(randn([4, 3], { generator: gen })).shape).toEqual([4, 2]);
    expect(model.numParameters()).toBe(3 * 8 + 8 + 8 + 8 + 8 * 2 + 2);
    expect(model).toBeInstanceOf(nn.Module);
  });
});
