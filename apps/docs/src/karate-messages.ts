/**
 * What the karate-club demo's page and worker say to each other, and the run's settings both sides
 * read. No tensor code: the page imports this module, the training stays in the worker.
 */
import type { BackendInfo } from './backend';
import type { KarateEpoch, KarateGraph, KarateRunResult } from './karate-training';

export type KarateModel = 'gcn' | 'gat';

/** The models the demo offers, in the order of its menu. */
export const KARATE_MODELS: readonly KarateModel[] = ['gcn', 'gat'];

/**
 * Epochs of a demo run. The recipes' own budgets (GCN 200; GAT at most 1000, with a patience that
 * never runs out here, the karate club having no validation nodes) are cut to GCN's 200: a run
 * takes a few seconds in a browser.
 */
export const KARATE_EPOCHS = 200;

/** Page → worker: train one model from scratch. */
export interface KarateTrain {
  type: 'train';
  model: KarateModel;
  epochs: number;
  seed: number;
}

/** Worker → page, in this order: the backend, the graph, then per run its epochs and its end (or an error). */
export type KarateMessage =
  | { type: 'backend'; info: BackendInfo }
  | { type: 'graph'; graph: KarateGraph }
  | ({ type: 'epoch'; model: KarateModel } & KarateEpoch)
  | ({ type: 'done' } & KarateRunResult)
  | { type: 'error'; message: string };
