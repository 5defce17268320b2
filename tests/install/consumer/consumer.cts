// A CommonJS TypeScript consumer: `require` of the ES modules, as Node >= 20.19 and TypeScript's
// `nodenext` (5.8+) allow.
import core = require('@tensorloom/core-tensor');
import datasets = require('@tensorloom/datasets');
import graphNode = require('@tensorloom/graph/node');

const sum: number = core.tensor([1, 2, 3]).sum().item();
export const used = [sum, datasets.GRAPH_DATASETS.cora.numNodes, graphNode.savePlanetoid];
