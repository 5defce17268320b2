/**
 * A hand-built TextGenerationModel that is exactly (to ~1e-8) a bigram model: its LSTM copies the
 * current character into its state, and its linear layer holds log P(next | current). Tests use it
 * where they need known next-character probabilities.
 */
import { Tensor } from '@tensorloom/core-tensor';
import { CharTokenizer } from '../src/tokenizer.js';
import { TextGenerationModel } from '../src/model.js';

/**
 * `transitions[k][j]` = P(chars[j] | chars[k]) (rows sum to 1). The model (float64, one layer,
 * E = H = V): embedding = identity; LSTM input, forget and output gates saturated at 1, 0, 1 by
 * biases ±20 and the cell input tanh(10·e), so c_t ≈ e(x_t) and h_t ≈ tanh(1)·e(x_t) whatever the
 * past; linear weight[j][k] = log P(j | k) / tanh(1) (log 0 taken as −50).
 */
export function bigramModel(
  chars: readonly string[],
  transitions: readonly (readonly number[])[],
): { model: TextGenerationModel; tokenizer: CharTokenizer } {
  const v = chars.length;
  const model = new TextGenerationModel({ vocabSize: v, embeddingDim: v, hiddenSize: v, numLayers: 1, dtype: 'float64' });
  const fill = (shape: number[], at: (row: number, col: number) => number): Tensor => {
    const t = Tensor.empty(shape, 'float64');
    const cols = shape[1] ?? 1;
    for (let r = 0; r < shape[0]!; r++) for (let c = 0; c < cols; c++) t.data[r * cols + c] = at(r, c);
    return t;
  };
  const gateBias = [20, -20, 0, 20]; // i, f, g, o
  const scale = Math.tanh(1);
  model.loadStateDict({
    'embedding.weight': fill([v, v], (r, c) => (r === c ? 1 : 0)),
    'lstm.weight_ih_l0': fill([4 * v, v], (r, c) => (Math.floor(r / v) === 2 && r % v === c ? 10 : 0)),
    'lstm.weight_hh_l0': fill([4 * v, v], () => 0),
    'lstm.bias_ih_l0': fill([4 * v], (r) => gateBias[Math.floor(r / v)]!),
    'lstm.bias_hh_l0': fill([4 * v], () => 0),
    'linear.weight': fill([v, v], (j, k) => {
      const p = transitions[k]![j]!;
      return (p > 0 ? Math.log(p) : -50) / scale;
    }),
    'linear.bias': fill([v], () => 0),
  });
  return { model, tokenizer: new CharTokenizer(chars) };
}
