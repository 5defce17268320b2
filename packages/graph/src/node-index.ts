/** A stable, two-way mapping between graphology node keys and tensor rows. */
import { IndexError, ValueError } from '@tensorloom/core-tensor';
import type { AnyGraph } from './graphology.js';

/**
 * Node key ↔ row: row `i` of every node tensor (`x`, `y`, predictions, embeddings) belongs to
 * `key(i)`. The default order is the graph's own node order (insertion order), so two calls on the
 * same graph agree; pass `order` to fix another one.
 *
 * @example
 * const index = NodeIndex.fromGraph(graph);   // graph nodes 'a', 'b', 'c'
 * index.row('b');                              // 1
 * index.key(2);                                // 'c'
 */
export class NodeIndex {
  /** Number of nodes (rows). */
  readonly size: number;
  private readonly keyList: readonly string[];
  private readonly rows: Map<string, number>;

  private constructor(keys: readonly string[], rows: Map<string, number>) {
    this.keyList = keys;
    this.rows = rows;
    this.size = keys.length;
  }

  /**
   * The index of `graph`'s nodes: in `graph.nodes()` order, or in `order` (which must hold every
   * node of the graph exactly once, else `ValueError`).
   */
  static fromGraph(graph: AnyGraph, options: { order?: readonly string[] } = {}): NodeIndex {
    if (options.order === undefined) return NodeIndex.fromKeys(graph.nodes());
    const index = NodeIndex.fromKeys(options.order);
    if (index.size !== graph.order) {
      throw new ValueError(`NodeIndex.fromGraph: order lists ${index.size} nodes but the graph has ${graph.order}`);
    }
    for (const key of index.keyList) {
      if (!graph.hasNode(key)) throw new ValueError(`NodeIndex.fromGraph: order names node '${key}', which is not in the graph`);
    }
    return index;
  }

  /** An index over `keys` in the given order; a repeated key is a `ValueError`. */
  static fromKeys(keys: Iterable<string | number>): NodeIndex {
    const list: string[] = [];
    const rows = new Map<string, number>();
    for (const raw of keys) {
      const key = String(raw);
      if (rows.has(key)) throw new ValueError(`NodeIndex.fromKeys: node '${key}' appears twice`);
      rows.set(key, list.length);
      list.push(key);
    }
    return new NodeIndex(Object.freeze(list), rows);
  }

  /** The index `'0' … 'n-1'` (row i has key `String(i)`), as the Planetoid datasets use. */
  static range(n: number): NodeIndex {
    if (!Number.isInteger(n) || n < 0) throw new ValueError(`NodeIndex.range: expected a non-negative integer, got ${n}`);
    return NodeIndex.fromKeys(Array.from({ length: n }, (_, i) => String(i)));
  }

  /** True when `key` is a node of this index. */
  has(key: string | number): boolean {
    return this.rows.has(String(key));
  }

  /** The row of node `key`; an unknown key is an `IndexError`. */
  row(key: string | number): number {
    const row = this.rows.get(String(key));
    if (row === undefined) throw new IndexError(`NodeIndex.row: node '${String(key)}' is not in the index (${this.size} nodes)`);
    return row;
  }

  /** The key of row `row`; out of `[0, size)` is an `IndexError`. */
  key(row: number): string {
    const key = Number.isInteger(row) ? this.keyList[row] : undefined;
    if (key === undefined) throw new IndexError(`NodeIndex.key: row ${row} is out of range for ${this.size} nodes`);
    return key;
  }

  /** All keys, row order (a frozen array shared by every call). */
  keys(): readonly string[] {
    return this.keyList;
  }

  /** True when both indices list the same keys in the same order. */
  equals(other: NodeIndex): boolean {
    if (other.size !== this.size) return false;
    for (let i = 0; i < this.size; i++) if (other.keyList[i] !== this.keyList[i]) return false;
    return true;
  }
}
