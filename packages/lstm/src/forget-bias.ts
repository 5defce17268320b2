/**
 * The forget-gate bias initialisation shared by the LSTM modules (Jozefowicz et al., 2015: a
 * forget bias of 1 keeps the cell state flowing early in training).
 */
import { ValueError, type Tensor } from '@tensorloom/core-tensor';

/** Throws a ValueError when `forgetBias` is given but cannot be applied. */
export function checkForgetBias(typeName: string, forgetBias: number | undefined, bias: boolean): void {
  if (forgetBias === undefined) return;
  if (typeof forgetBias !== 'number' || !Number.isFinite(forgetBias)) {
    throw new ValueError(`${typeName}: forgetBias must be a finite number, got ${String(forgetBias)}`);
  }
  if (!bias) throw new ValueError(`${typeName}: forgetBias needs bias: true`);
}

/**
 * Sets the forget-gate block (rows H..2H, the second of the packed i, f, g, o blocks) of
 * `bias_ih` to `value` and of `bias_hh` (when there is one) to 0, so the effective forget bias,
 * `b_ih + b_hh`, is `value`. Writes in place, outside the tape.
 */
export function applyForgetBias(biasIh: Tensor | null, biasHh: Tensor | null, hiddenSize: number, value: number): void {
  biasIh?.data.fill(value, hiddenSize, 2 * hiddenSize);
  biasHh?.data.fill(0, hiddenSize, 2 * hiddenSize);
}

/** `applyForgetBias` on every layer-direction of a recurrent layer. */
export function applyLayerForgetBias(
  layer: { numLayers: number; numDirections: number; hiddenSize: number; layerParameters(layer: number, direction: number): Record<string, Tensor | null> },
  value: number,
): void {
  for (let k = 0; k < layer.numLayers; k++) {
    for (let d = 0; d < layer.numDirections; d++) {
      const params = layer.layerParameters(k, d);
      applyForgetBias(params.bias_ih ?? null, params.bias_hh ?? null, layer.hiddenSize, value);
    }
  }
}
