/**
 * The graphology types and constructors, imported once. graphology ships CommonJS typings with an
 * ES default export, which TypeScript's NodeNext resolution reads as `module.default`; importing
 * the namespace and taking `.default` is right both for the types and at run time (ESM or CJS).
 */
import * as graphology from 'graphology';
import type { AbstractGraph, Attributes, GraphConstructor } from 'graphology-types';

/** Any graphology graph: directed, undirected, mixed, simple or multi. */
export type AnyGraph = AbstractGraph<Attributes, Attributes, Attributes>;
export type { Attributes, GraphConstructor };

/** graphology's default `Graph` (mixed, simple unless `{ multi: true }`). */
export const GraphClass = graphology.default as unknown as GraphConstructor;
export const { DirectedGraph, UndirectedGraph, MultiGraph, MultiDirectedGraph, MultiUndirectedGraph } = graphology;

/**
 * Node keys graphology (0.26) cannot hold: it keeps each node's neighbours in a plain object, where
 * `constructor`, `toString`, `__proto__`… are found as edges that do not exist and `hasOwnProperty`
 * hides the method it calls, so adding such an edge fails with a TypeError. The file readers refuse
 * these ids with a typed error naming the line instead.
 */
export const UNSAFE_NODE_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));
