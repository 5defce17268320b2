/**
 * The karate-club demo's training, apart from its worker so that Node runs the same code: the
 * package's GCN or GAT recipe (`recipeFor(model, 'karate')`) trained by `trainNodeClassifier` on
 * the two leaders, with one extra evaluation-mode pass per epoch for what the page draws (each
 * member's predicted club, the test accuracy and, for GAT, the first layer's attention).
 */
import { argmax, manualSeed, mean, noGrad, type Tensor } from '@tensorloom/core-tensor';
import { GATConv, GNN, recipeFor, trainNodeClassifier, type NodeClassificationData } from '@tensorloom/gnn';
import { edgeAttention, karateClub, normalizeFeatures, type GraphDataset } from '@tensorloom/graph';
import { KARATE_EPOCHS, type KarateModel } from './karate-messages';

/** The karate club as the page draws it: members by row, friendships once each. */
export interface KarateGraph {
  /** Graphology keys of the members, by row (`'0'` … `'33'`). */
  nodes: string[];
  /** Each friendship once, as `[row, row]`, in graphology's edge order. */
  edges: [number, number][];
  /** The club each member joined (0 = Mr. Hi, 1 = Officer), by row. */
  labels: number[];
  /** The clubs' names, by class id. */
  classNames: string[];
  /** Rows of the labelled members (the two leaders). */
  trainNodes: number[];
  /** Rows of the members the accuracy is measured on. */
  testNodes: number[];
}

/** What one epoch shows. */
export interface KarateEpoch {
  /** 1-based. */
  epoch: number;
  /** Training cross-entropy of the epoch's training-mode forward (on the two leaders). */
  loss: number;
  /** Share of the test members whose predicted club is right, after the epoch's update. */
  accuracy: number;
  /** Predicted club of every member, by row. */
  predictions: number[];
  /**
   * GAT only, every `attentionEvery` epochs and at the last: per friendship of `KarateGraph.edges`,
   * the first layer's attention coefficient averaged over its heads and over the edge's two
   * directions.
   */
  attention?: number[];
}

export interface KarateRunOptions {
  model: KarateModel;
  /** Default `KARATE_EPOCHS`. */
  epochs?: number;
  /** Seed of the initial weights and the dropout masks. Default 0 (the CLI demo's). */
  seed?: number;
  /** Send the attention every this many epochs (GAT). Default 5. */
  attentionEvery?: number;
  onEpoch?: (epoch: KarateEpoch) => void;
}

export interface KarateRunResult {
  model: KarateModel;
  epochs: number;
  /** Test accuracy of the final weights (the karate club has no validation nodes to select on). */
  testAccuracy: number;
  losses: number[];
  accuracies: number[];
  /** Wall-clock milliseconds of the training, the per-epoch drawing passes included. */
  ms: number;
}

/** The dataset, in the shape the recipes train on, and its description for the page. */
export interface Karate {
  dataset: GraphDataset;
  graph: KarateGraph;
}

export function loadKarate(): Karate {
  const dataset = karateClub();
  const rows = (index: Tensor) => Array.from(index.data as Int32Array);
  const graph = dataset.graph;
  return {
    dataset,
    graph: {
      nodes: [...dataset.index.keys()],
      edges: graph.edges().map((edge) => [dataset.index.row(graph.source(edge)), dataset.index.row(graph.target(edge))]),
      labels: rows(dataset.y),
      classNames: [...(dataset.classNames ?? [])],
      trainNodes: rows(dataset.trainIndex),
      testNodes: rows(dataset.testIndex),
    },
  };
}

/**
 * Seeds the global generator, builds the recipe's model and trains it with the recipe's training
 * options (its epochs replaced by `epochs`), as `runSeeds` and `tensorloom demo` do; `onEpoch`
 * sees every epoch.
 */
export function trainKarate(karate: Karate, options: KarateRunOptions): KarateRunResult {
  const { model: kind, epochs = KARATE_EPOCHS, seed = 0, attentionEvery = 5, onEpoch } = options;
  const { dataset, graph } = karate;
  const recipe = recipeFor(kind, 'karate');
  const data: NodeClassificationData = recipe.normalizeFeatures ? { ...dataset, x: normalizeFeatures(dataset.x) } : dataset;
  manualSeed(seed);
  const model = new GNN({ ...recipe.architecture, inChannels: dataset.numFeatures, outChannels: dataset.numClasses });
  const losses: number[] = [];
  const accuracies: number[] = [];

  // After each update: the predictions of the evaluation-mode model (no dropout, so no draw from
  // the generator: the training runs exactly as without this pass).
  const observe = (epoch: number, loss: number): KarateEpoch => {
    model.eval();
    try {
      return noGrad(() => {
        const predictions = argmax(model.call(data.x, data.edgeIndex), 1).toArray() as number[];
        const right = graph.testNodes.filter((row) => predictions[row] === graph.labels[row]).length;
        const shown: KarateEpoch = { epoch, loss, accuracy: right / graph.testNodes.length, predictions };
        const first = model.convs.at(0);
        if (first instanceof GATConv && (epoch % attentionEvery === 0 || epoch === epochs)) {
          const { attention } = first.call(data.x, data.edgeIndex, { returnAttentionWeights: true });
          const byEdge = edgeAttention(dataset.graph, mean(attention.alpha, 1), { edgeIndex: attention.edgeIndex, index: dataset.index });
          shown.attention = dataset.graph.edges().map((edge) => byEdge[edge] as number);
        }
        return shown;
      });
    } finally {
      model.train();
    }
  };

  const started = performance.now();
  const result = trainNodeClassifier(model, data, {
    ...recipe.training,
    epochs,
    onEpoch: ({ epoch, loss }) => {
      const shown = observe(epoch, loss);
      losses.push(shown.loss);
      accuracies.push(shown.accuracy);
      onEpoch?.(shown);
    },
  });
  return { model: kind, epochs: result.epochs, testAccuracy: result.testAccuracy, losses, accuracies, ms: performance.now() - started };
}
