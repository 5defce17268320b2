// require() of every entry point of every package, from CommonJS (Node >= 20.19 loads ES modules
// this way), and a little work with what came back.
const entries = process.argv.slice(2);
for (const entry of entries) {
  const module = require(entry);
  if (Object.keys(module).length === 0) throw new Error(`require('${entry}') gave an empty module`);
}
const { tensor } = require('@tensorloom/core-tensor');
const { GRAPH_DATASETS } = require('@tensorloom/datasets');
const { karateClub } = require('@tensorloom/graph');
const sum = tensor([1, 2, 3]).sum().item();
if (sum !== 6) throw new Error(`tensor([1, 2, 3]).sum() is ${sum}`);
if (karateClub().numNodes !== 34) throw new Error('karate club is not 34 members');
console.log(`required ${entries.length} entry points; Cora has ${GRAPH_DATASETS.cora.numNodes} nodes`);
