// @tensorloom/graph/node: what reads from the file system (Node only). Everything else is in the main entry.
export { loadPlanetoid, savePlanetoid, type LoadPlanetoidOptions, type SavePlanetoidOptions } from './planetoid-folder.js';
export { readGexf, readGraphml, readEdgeList } from './files.js';
