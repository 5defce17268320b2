// @tensorloom/datasets: the real datasets, embedded and offline, for Node and browsers.
export { loadCora, loadCiteSeer, loadPubMed, type PlanetoidName, type PubMedOptions } from './planetoid.js';
export { loadKarateClub } from './karate.js';
export { loadTinyShakespeare, loadGrimmsFairyTales } from './text.js';
export { loadMobyDick, loadMobyDickChapters, type MobyDickChapter } from './moby-dick.js';
export {
  GRAPH_DATASETS,
  TEXT_DATASETS,
  loadGraphDataset,
  loadText,
  type DatasetInfo,
  type GraphDatasetInfo,
  type TextDatasetInfo,
  type GraphDatasetName,
  type TextDatasetName,
} from './catalogue.js';
