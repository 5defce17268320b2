/**
 * The one time loop every recurrent layer runs. Backpropagation through time is not written here:
 * it is what the tape does when the loss built from these steps calls `backward()`.
 */
import { add, select, stack, unbind, where, type Tensor } from '@tensorloom/core-tensor';
import type { CellKind } from './cell-kind.js';

export interface UnrollOptions {
  /** Walk the steps from last to first (the backward direction of a bidirectional layer). */
  reverse?: boolean;
  /**
   * `[T, B, 1]` validity mask (nonzero = a real step). On a masked step the state is carried over
   * unchanged and the output is zero, so padding neither updates the state nor leaks into the
   * output or the gradient. With padding at the end of each sequence, the reverse direction thus
   * starts at each sequence's own last real step, as PyTorch's packed sequences do.
   */
  mask?: Tensor;
  /**
   * The input bias b_ih `[chunks·H]` when `xProj` leaves it out (default none): the fused
   * `sequence` adds it inside its kernel (no pass over xProj, one gradient reduction for both
   * biases); the step-by-step path adds it to xProj first.
   */
  inputBias?: Tensor | null;
}

export interface UnrollResult {
  /** `[T, B, outputSize]`: the output (state[0]) of every step, in time order. */
  output: Tensor;
  /** The state after the last step (for a reverse walk: after step 0). */
  state: Tensor[];
}

/**
 * Runs `kind.step` over `xProj` (`[T, B, chunks·H]`, the input projection of every step) from
 * `state` (tensors `[B, size]`). Where the kind has a fused `sequence` that applies (and there is
 * no mask), the whole loop is that one op instead, with the same values and gradients.
 */
export function unroll(
  kind: CellKind,
  xProj: Tensor,
  state: readonly Tensor[],
  params: Readonly<Record<string, Tensor | null>>,
  options: UnrollOptions = {},
): UnrollResult {
  const steps = xProj.shape[0]!;
  const inputBias = options.inputBias ?? null;
  // The fused op runs the whole loop in one backend kernel each way, where the kind has one and it applies.
  if (kind.sequence && !options.mask && steps > 0) {
    const fused = kind.sequence(xProj, state, params, { reverse: options.reverse ?? false, inputBias });
    if (fused !== null) return fused;
  }
  const projected = inputBias === null ? xProj : add(xProj, inputBias);
  const outputs = new Array<Tensor>(steps);
  let current = [...state];
  // One unbind, not a select per step: unbind's pieces share one gradient buffer, where T selects
  // would each back-propagate a full [T, B, ·] zero-filled gradient (O(T²) work).
  const inputs = steps > 0 ? unbind(projected, 0) : [];
  for (let k = 0; k < steps; k++) {
    const t = options.reverse ? steps - 1 - k : k;
    const next = kind.step(inputs[t]!, current, params);
    if (options.mask) {
      const m = select(options.mask, 0, t);
      current = next.map((s, i) => where(m, s, current[i]!));
      outputs[t] = where(m, next[0]!, 0);
    } else {
      current = next;
      outputs[t] = next[0]!;
    }
  }
  if (steps === 0) {
    return { output: stackOrEmpty(xProj, state[0]!), state: current };
  }
  return { output: stack(outputs, 0), state: current };
}

function stackOrEmpty(xProj: Tensor, h: Tensor): Tensor {
  // No steps: an empty [0, B, size] output.
  return h
    .reshape([1, ...h.shape])
    .slice(0, 0, 0)
    .to(xProj.dtype);
}
