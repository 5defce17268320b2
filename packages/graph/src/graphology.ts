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
