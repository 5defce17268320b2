/**
 * What generation steps: B rows of tokens in, the next logits `[B, V]` out, the state carried.
 * A `TextGenerationModel` gives its `createStepper` (weights uploaded once, a step one backend
 * call); an object with only the model's `step` (a stand-in model in a test) is stepped through it.
 */
import { Tensor } from '@tensorloom/core-tensor';
import type { TextGenerationModel, TextGenerationState } from '../model.js';
import { inEvalMode } from './generate.js';

/** B rows stepped together. */
export interface TokenStepper {
  /** Feeds one token per row; returns the next logits `[B·V]`, valid until the next call. */
  step(tokens: Int32Array): ArrayLike<number>;
  /** Frees what the stepper holds (the wasm backend's memory region). */
  dispose(): void;
}

/** A stepper of `model` for `batchSize` rows, from a zero state (see the file comment). */
export function openStepper(model: TextGenerationModel, batchSize: number): TokenStepper {
  // A stand-in without createStepper (plain objects typed as the model in tests) takes the slow path.
  if (typeof (model as Partial<TextGenerationModel>).createStepper === 'function') return model.createStepper(batchSize);
  return moduleStepper(model, batchSize);
}

/** Steps through `model.step` in eval mode without gradients, carrying its state. */
function moduleStepper(model: TextGenerationModel, batchSize: number): TokenStepper {
  let state: TextGenerationState | undefined;
  return {
    step(ids: Int32Array): ArrayLike<number> {
      return inEvalMode(model, () => {
        const tokens = Tensor.empty([batchSize], 'int32');
        tokens.data.set(ids);
        const out = model.step(tokens, state);
        state = out.state;
        return out.logits.data;
      });
    },
    dispose(): void {
      state = undefined;
    },
  };
}
