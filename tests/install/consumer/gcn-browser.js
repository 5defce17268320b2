// A page's script: GCN on Cora in the browser, with the embedded data (no file, no network).
import { manualSeed } from '@tensorloom/core-tensor';
import { loadCora } from '@tensorloom/datasets';
import { GCN, preferSparse, trainNodeClassifier } from '@tensorloom/gnn';
import { normalizeFeatures } from '@tensorloom/graph';
import { UndirectedGraph } from 'graphology';

export async function train(epochs = 50) {
  const cora = await loadCora();
  manualSeed(0);
  const model = new GCN({ inChannels: cora.numFeatures, outChannels: cora.numClasses });
  const result = trainNodeClassifier(model, { ...cora, x: preferSparse(normalizeFeatures(cora.x)) }, { epochs });
  const graph = new UndirectedGraph();
  graph.import(cora.graph.export());
  return { testAccuracy: result.testAccuracy, nodes: graph.order };
}
