/**
 * The define-by-run tape. An op that produced a tensor from inputs that require gradients attaches
 * a `GradNode` to its output: the inputs and a `backward` that maps the output's gradient to one
 * gradient per input (written with public ops, so it runs on every backend). `backward()` sorts
 * the graph topologically, walks it in reverse and accumulates; afterwards every node drops its
 * closure, so saved intermediates are freed with no `tidy` or `dispose`.
 *
 * A leaf whose `grad` is null takes the gradient the walk produced for it as its own, without a
 * copy, when nothing else can see that storage (see `adoptLeafGradients`): for char-LSTM config B
 * the copies were 52 MiB of garbage per step.
 */
import type { TypedArray } from './dtype.js';
import { AutogradError, ShapeError, fmtShape } from './errors.js';
import { shapesEqual } from './shape.js';
import { Tensor } from './tensor.js';

export interface GradNode {
  /** The op's name, for messages and `toString`. */
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Gradients with respect to `inputs` (null where an input needs none), each of its input's shape. */
  backward(gradOutput: Tensor): readonly (Tensor | null)[];
}

let gradEnabled = true;

/** Whether ops currently record the tape. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording: results need no gradient. Synchronous only (an async `fn`
 * would record again after its first await).
 */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** Runs `fn` with recording switched on or off explicitly. */
export function withGradEnabled<T>(enabled: boolean, fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/**
 * Attaches a node to `output` when recording is on and some input requires a gradient.
 * Ops call this once, after computing their output. Returns `output`.
 */
export function record(
  output: Tensor,
  op: string,
  inputs: readonly Tensor[],
  backward: (gradOutput: Tensor) => readonly (Tensor | null)[],
): Tensor {
  if (!gradEnabled) return output;
  let needed = false;
  for (const input of inputs) if (input.requiresGrad) needed = true;
  if (!needed) return output;
  output.requiresGrad = true;
  output.gradFn = { op, inputs, backward };
  return output;
}

/**
 * Records one op with several outputs (a fused LSTM step gives `h` and `c`). The tape's nodes have
 * one output each, so each output gets a node that only deposits its gradient in a slot, and all of
 * them hang off one hidden zero-size hub tensor that holds the op's real node. The topological
 * order visits the hub after every consumer of every output, so the hub runs `backward` once, with
 * one gradient per output (null where none flowed), and it returns one gradient per input.
 * Does nothing when recording is off or no input requires a gradient.
 */
export function recordMany(
  outputs: readonly Tensor[],
  op: string,
  inputs: readonly Tensor[],
  backward: (gradOutputs: (Tensor | null)[]) => readonly (Tensor | null)[],
): void {
  if (!gradEnabled || !inputs.some((t) => t.requiresGrad) || outputs.length === 0) return;
  const dtype = outputs[0]!.dtype;
  const slots: (Tensor | null)[] = outputs.map(() => null);
  const hub = record(Tensor.empty([0], dtype), op, inputs, () => {
    const grads = [...slots];
    slots.fill(null);
    return backward(grads);
  });
  outputs.forEach((out, k) =>
    record(out, op, [hub], (g) => {
      slots[k] = g;
      return [Tensor.empty([0], dtype)];
    }),
  );
}

const RELEASED_NODE = (op: string): GradNode => ({
  op,
  inputs: [],
  backward() {
    throw new AutogradError(
      `backward: the graph through '${op}' was already freed by an earlier ` +
        `backward(); pass { retainGraph: true } to the first call to backward twice`,
    );
  },
});

export interface BackwardOptions {
  /** Keep the graph (and its saved tensors) for another backward pass. Default false. */
  retainGraph?: boolean;
}

/** Reverse-mode differentiation from `root`. See `Tensor.backward`. */
export function runBackward(
  root: Tensor,
  gradient: Tensor | undefined,
  options: BackwardOptions,
  ones: (like: Tensor) => Tensor,
  accumulate: (a: Tensor, b: Tensor) => Tensor,
): void {
  if (!root.requiresGrad) {
    throw new AutogradError('backward: the tensor does not require grad and has no grad_fn');
  }
  let seed: Tensor;
  if (gradient === undefined) {
    if (root.size !== 1) {
      throw new AutogradError(
        `backward: a gradient can be implied only for a one-element output; this one is ${fmtShape(root.shape)}: pass the gradient`,
      );
    }
    seed = ones(root);
  } else {
    if (!shapesEqual(gradient.shape, root.shape)) {
      throw new ShapeError(`backward: the gradient must have the output's shape ${fmtShape(root.shape)}, got ${fmtShape(gradient.shape)}`);
    }
    seed = gradient;
  }

  // Topological order by an iterative depth-first search (recursion would overflow on long BPTT).
  // On the way, note every storage the user or the graph can still see after the walk: the graph's
  // tensors (outputs, leaves, every op input, whether it needs a gradient or not), the gradients
  // they already hold, and a gradient the user passed.
  const visible = new StorageSet();
  if (gradient !== undefined) visible.add(gradient.data);
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t.gradFn?.inputs ?? [];
    if (i === 0) {
      visible.add(t.data);
      if (t.grad !== null) visible.add(t.grad.data);
    }
    if (i < inputs.length) {
      top[1] = i + 1;
      const child = inputs[i]!;
      visible.add(child.data);
      if (child.requiresGrad && !visited.has(child)) {
        visited.add(child);
        stack.push([child, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }

  const grads = new Map<Tensor, Tensor>([[root, seed]]);
  // Leaves whose `grad` was null and now holds the walk's gradient uncopied, until adopted below.
  const adopted: Tensor[] = [];
  withGradEnabled(false, () => {
    try {
      walk();
    } finally {
      adoptLeafGradients(adopted, visible);
    }
  });

  function walk(): void {
    for (let n = order.length - 1; n >= 0; n--) {
      const t = order[n]!;
      const g = grads.get(t);
      grads.delete(t);
      if (g === undefined) continue;
      const node = t.gradFn;
      if (t.grad !== null && (node === null || t.retainsGrad)) {
        t.grad = accumulate(t.grad, g);
      } else if (node === null) {
        t.grad = g;
        adopted.push(t);
      } else if (t.retainsGrad) {
        // A non-leaf's gradient goes on into its node's backward, which may hand it (or a view of
        // it) to an input: the retained copy must be its own.
        t.grad = g.clone();
      }
      if (node === null) continue;
      const inputGrads = node.backward(g);
      node.inputs.forEach((input, k) => {
        const ig = inputGrads[k];
        if (!input.requiresGrad || ig === null || ig === undefined) return;
        if (!shapesEqual(ig.shape, input.shape)) {
          throw new ShapeError(
            `backward of '${node.op}': gradient for input ${k} has shape ${fmtShape(ig.shape)}, expected ${fmtShape(input.shape)}`,
          );
        }
        const previous = grads.get(input);
        grads.set(input, previous === undefined ? ig : accumulate(previous, ig));
      });
      if (!options.retainGraph) t.gradFn = RELEASED_NODE(node.op);
    }
  }
}

/**
 * Settles the gradients that leaves took uncopied during a walk. A leaf keeps its gradient only
 * when that storage is fresh from the walk and nothing else sees it; otherwise it gets a copy, as
 * PyTorch's `.grad` never aliases a tensor the user or the graph still holds. Copied: a gradient
 * that shares storage with `visible` (a user's gradient passed to `backward`, a graph tensor
 * returned as is or as a view by an identity-like backward, a gradient already held), with a
 * gradient another leaf kept first (`add` hands one gradient to both its inputs), or that records
 * a graph itself. A backward that returned a tensor it saved in its closure without it being an
 * op's input or output would escape this check; no op in this package does.
 */
function adoptLeafGradients(adopted: readonly Tensor[], visible: StorageSet): void {
  const kept = new StorageSet();
  for (const leaf of adopted) {
    const g = leaf.grad!;
    if (g.requiresGrad || g.gradFn !== null || visible.overlaps(g.data) || kept.overlaps(g.data)) {
      leaf.grad = g.clone();
    } else {
      kept.add(g.data);
    }
  }
}

/**
 * A set of storage byte ranges. Views (`reshape`, `detach`) share their source's storage array;
 * comparing buffer ranges rather than arrays also holds for storages cut from one buffer.
 */
class StorageSet {
  private readonly ranges = new Map<ArrayBufferLike, number[]>();
  /** Storages added already: a tensor used by many ops is listed once. */
  private readonly seen = new Set<TypedArray>();

  add(data: TypedArray): void {
    if (data.byteLength === 0 || this.seen.has(data)) return;
    this.seen.add(data);
    let list = this.ranges.get(data.buffer);
    if (list === undefined) {
      list = [];
      this.ranges.set(data.buffer, list);
    }
    list.push(data.byteOffset, data.byteOffset + data.byteLength);
  }

  overlaps(data: TypedArray): boolean {
    if (data.byteLength === 0) return false;
    const list = this.ranges.get(data.buffer);
    if (list === undefined) return false;
    const start = data.byteOffset;
    const end = start + data.byteLength;
    for (let i = 0; i < list.length; i += 2) if (start < list[i + 1]! && list[i]! < end) return true;
    return false;
  }
}
