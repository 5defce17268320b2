/**
 * The package's typed errors. All extend core-tensor's `ValueError`, so `toThrow(ValueError)` catches
 * them too; the file-reading ones extend `GraphParseError`, which names the file, line and column.
 */
import { ValueError } from '@tensorloom/core-tensor';

/**
 * A file (or inline document) that cannot be read as a graph or a dataset. `file` is the path
 * (or `'<inline>'`), `line` and `column` 1-based where known (null when the problem is not tied to
 * one place, e.g. an edge of a GEXF document that points to a missing node).
 */
export class GraphParseError extends ValueError {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number | null,
    readonly column: number | null = null,
  ) {
    super(`${file}${line === null ? '' : `:${line}${column === null ? '' : `:${column}`}`}: ${message}`);
  }
}

/**
 * A text loader was given bytes that are not text: a NUL, bytes that are not valid UTF-8, or a
 * UTF-16 file. `offset` is the 0-based byte offset of the first bad byte (the character offset when
 * the input was a string).
 */
export class BinaryInputError extends GraphParseError {
  constructor(
    message: string,
    file: string,
    readonly offset: number,
  ) {
    super(message, file, null);
  }
}

/**
 * The attribute (or CSV column) that should hold the class labels is not in the file. `available`
 * lists the node attributes (or columns) the file does have, so the message can say what to name.
 */
export class MissingAttributeError extends GraphParseError {
  constructor(
    message: string,
    file: string,
    readonly attribute: string,
    readonly available: readonly string[],
  ) {
    super(message, file, null);
  }
}

/**
 * A size read from a file (a node count, a feature count, the file's own length) would need more
 * memory than the budget allows; raised before anything of that size is allocated. `field` names
 * what claimed the size, `bytes` what it would take, `budget` what was allowed.
 */
export class GraphSizeError extends ValueError {
  constructor(
    message: string,
    readonly field: string,
    readonly bytes: number,
    readonly budget: number,
  ) {
    super(message);
  }
}

/** The three parts of a node split. */
export type SplitPart = 'train' | 'val' | 'test';

/** One thing wrong with a split: the parts it concerns, how many nodes, and the first few of them. */
export type SplitProblem =
  | { kind: 'overlap'; parts: readonly [SplitPart, SplitPart]; count: number; first: readonly number[] }
  | { kind: 'out-of-range'; parts: readonly [SplitPart]; count: number; first: readonly number[] }
  | { kind: 'repeated'; parts: readonly [SplitPart]; count: number; first: readonly number[] };

/** A train/val/test split whose parts overlap, repeat a node, or name nodes that do not exist. */
export class SplitError extends ValueError {
  constructor(
    message: string,
    readonly problems: readonly SplitProblem[],
  ) {
    super(message);
  }
}

/** A dataset name or folder that cannot be found, or a file the chosen options need that is missing. */
export class DatasetNotFoundError extends ValueError {}
