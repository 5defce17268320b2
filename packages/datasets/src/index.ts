// @tensorloom/datasets: the real datasets, embedded and offline, for Node and browsers.
export { loadCora, loadCiteSeer, loadPubMed, type PlanetoidName, type PubMedOptions } from './planetoid.js';
export { loadKarateClub } from './karate.js';
export { loadTinyShakespeare, loadGrimmsFairyTales } from './text.js';
export { loadChickenpox, loadPedalMe, type TemporalDataset, type TemporalDatasetOptions } from './temporal.js';
export { loadMobyDick, loadMobyDickChapters, type MobyDickChapter } from './moby-dick.js';
export {
  GRAPH_DATASETS,
  TEXT_DATASETS,
  TEMPORAL_DATASETS,
  loadGraphDataset,
  loadText,
  loadTemporalDataset,
  type DatasetInfo,
  type GraphDatasetInfo,
  type TextDatasetInfo,
  type GraphDatasetName,
  type TextDatasetName,
  type TemporalDatasetInfo,
  type TemporalDatasetName,
} from './catalogue.js';
