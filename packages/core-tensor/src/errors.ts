/**
 * Typed errors. Every message names the op (or API) and, where it applies, what was expected and
 * what came. Tests check the class, not the wording.
 */
export class TensorloomError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit together: `matmul: inner dimensions differ: a is [2, 3], b is [4, 5]`. */
export class ShapeError extends TensorloomError {}

/** A dtype the op cannot take, or two dtypes that must agree and do not. */
export class DTypeError extends TensorloomError {}

/** An index or axis out of range. */
export class IndexError extends TensorloomError {}

/** An argument with a bad value (a negative probability, an unknown option). */
export class ValueError extends TensorloomError {}

/** Autograd misuse: backward on a non-scalar without a gradient, on a tensor that needs no grad… */
export class AutogradError extends TensorloomError {}

/** `loadStateDict` found missing, unexpected or misshaped keys; the lists are on the error. */
export class StateDictError extends TensorloomError {
  constructor(
    message: string,
    readonly missingKeys: readonly string[] = [],
    readonly unexpectedKeys: readonly string[] = [],
    readonly shapeMismatches: readonly { key: string; expected: readonly number[]; received: readonly number[] }[] = [],
  ) {
    super(message);
  }
}

/** An API that needs something this runtime lacks, such as Node's file system in a browser. */
export class EnvironmentError extends TensorloomError {}

/** No backend registered or asked for one that does not exist. */
export class BackendError extends TensorloomError {}

/** Formats a shape as `[2, 3]` for messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
