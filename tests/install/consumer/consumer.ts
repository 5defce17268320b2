// A TypeScript consumer of the browser-safe entry points, type-checked by the install test under
// `nodenext` and `bundler` resolution against the installed tarballs; under `bundler` without
// @types/node (the public types of these entries must not need Node's).
import { crossEntropy, nn, optim, tensor, type Tensor } from '@tensorloom/core-tensor';
import { expectClose, gradcheck } from '@tensorloom/core-tensor/testing';
import { GRU, RNN } from '@tensorloom/rnn';
import { LSTM, lstmParameterCount } from '@tensorloom/lstm';
import { karateClub, toEdgeIndex, type GraphDataset } from '@tensorloom/graph';
import { GCN, trainNodeClassifier } from '@tensorloom/gnn';
import { CharTokenizer, TextGenerationModel } from '@tensorloom/textgen';
import { GRAPH_DATASETS, loadCora, type GraphDatasetName } from '@tensorloom/datasets';
import { exportOnnx, exportPytorch, importPytorch, type ExportBundle } from '@tensorloom/export';
import { UndirectedGraph } from 'graphology';

const model = new nn.Sequential(new nn.Linear({ inFeatures: 2, outFeatures: 3 }));
const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });
const logits: Tensor = model.forward(tensor([[0, 1]]));
const loss: Tensor = crossEntropy(logits, tensor([2], { dtype: 'int32' }));
loss.backward();
optimizer.step();
expectClose(tensor([1]), tensor([1]));
const checked: boolean = gradcheck((x: Tensor) => x.mul(x).sum(), [tensor([1, 2], { dtype: 'float64', requiresGrad: true })]);

const rnn = new RNN({ inputSize: 3, hiddenSize: 4 });
const gru = new GRU({ inputSize: 3, hiddenSize: 4 });
const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
const count: number = lstmParameterCount({ inputSize: 3, hiddenSize: 4, outputSize: 2 });

const karate: GraphDataset = karateClub();
const graph = new UndirectedGraph();
graph.mergeEdge('a', 'b');
const { edgeIndex } = toEdgeIndex(graph);
const gcn = new GCN({ inChannels: karate.numFeatures, outChannels: karate.numClasses });
const trained = trainNodeClassifier(gcn, karate, { epochs: 1 });

const tokenizer = CharTokenizer.fromText('hello');
const textModel = new TextGenerationModel({ vocabSize: tokenizer.vocabSize });
const names: GraphDatasetName[] = Object.keys(GRAPH_DATASETS) as GraphDatasetName[];
const cora: Promise<GraphDataset> = loadCora();

const bundles: ExportBundle[] = [exportOnnx(textModel, { tokenizer }), exportPytorch(gcn)];
const weights = bundles[1]!.files.find((file) => file.name === 'model.safetensors')!.contents as Uint8Array;
const config = bundles[1]!.files.find((file) => file.name === 'config.json')!.contents as string;
const imported = importPytorch({ weights, config });

export const used = [checked, rnn, gru, lstm, count, edgeIndex, trained.testAccuracy, textModel, names, cora, imported.kind];
