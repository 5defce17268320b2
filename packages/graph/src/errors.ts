/** The package's typed errors; both extend core-tensor's `ValueError`, so `toThrow(ValueError)` catches them too. */
import { ValueError } from '@tensorloom/core-tensor';

/**
 * A file (or inline document) that cannot be read as a graph or a dataset. `file` is the path
 * (or `'<inline>'`), `line` the 1-based line where known (null when the problem is not tied to one
 * line, e.g. an edge of a GEXF document that points to a missing node).
 */
export class GraphParseError extends ValueError {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number | null,
  ) {
    super(`${file}${line === null ? '' : `:${line}`}: ${message}`);
  }
}

/** A dataset name or folder that cannot be found, or a file the chosen options need that is missing. */
export class DatasetNotFoundError extends ValueError {}
