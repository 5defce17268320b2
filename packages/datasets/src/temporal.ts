/** The spatio-temporal benchmark signals of PyTorch Geometric Temporal, embedded: chickenpox in Hungary, PedalMe in London. */
import { DTypeError, ValueError, type FloatDType } from '@tensorloom/core-tensor';
import { laggedSignal, type TemporalSignal } from '@tensorloom/graph';
import { temporalData, type TemporalName } from './temporal-data.js';

/** Options of `loadChickenpox` and `loadPedalMe`. */
export interface TemporalDatasetOptions {
  /** Past steps per node as features, an integer in `[1, T0 − 1]`. Default 4 (PyG Temporal's). */
  lags?: number;
  /**
   * The features', targets' and weights' dtype: `'float32'` (default, as PyG Temporal's tensors) or
   * `'float64'` (the source's numbers exactly).
   */
  dtype?: FloatDType;
}

/** A loaded spatio-temporal dataset: a `TemporalSignal` with its name and its node names. */
export interface TemporalDataset extends TemporalSignal {
  name: string;
  nodeNames: readonly string[];
}

async function load(op: string, name: TemporalName, options: TemporalDatasetOptions): Promise<TemporalDataset> {
  const { lags = 4, dtype = 'float32' } = options ?? {};
  if (dtype !== 'float32' && dtype !== 'float64') throw new DTypeError(`${op}: dtype must be 'float32' or 'float64', got ${String(dtype)}`);
  const { series, edgeIndex, edgeWeight, nodeNames } = await temporalData(name);
  const steps = series.shape[0]!;
  // Checked here too, so the message names the loader and the dataset's length in its own terms.
  if (!(Number.isInteger(lags) && lags >= 1 && lags < steps)) {
    throw new ValueError(`${op}: lags must be an integer in [1, ${steps - 1}] (the series has ${steps} weeks), got ${String(lags)}`);
  }
  const signal = laggedSignal(series.to(dtype), { edgeIndex, edgeWeight: edgeWeight?.to(dtype) ?? null, nodeNames }, lags);
  return { ...signal, name, nodeNames };
}

/**
 * Weekly chickenpox cases in the 20 counties of Hungary, 2005–2014 (Rozemberczki et al. 2021), as
 * PyTorch Geometric Temporal's `ChickenpoxDatasetLoader().get_dataset(lags)`: the series `FX` (521
 * weeks × 20 counties, standardised case counts) made a `laggedSignal`, so snapshot t has as
 * features each county's weeks `t … t + lags − 1` (`[20, lags]`) and as target its week
 * `t + lags`: `521 − lags` snapshots (517 for the default 4 lags). The graph is the counties'
 * adjacency, 102 directed edges in the source's order, both directions of each border **and a
 * self-loop on every county** (20 of the 102), kept as PyG Temporal keeps them (PyG's `ChebConv`
 * removes self-loops before its Laplacian, the GCN normalisation adds one only where none is, DCRNN's
 * diffusion counts them); the weights are all ones. `nodeNames` are the source's county names by
 * id (`'BACS'`, `'BARANYA'`, … `'ZALA'`; `'BUDAPEST'` is 4). The usual split is
 * `temporalSignalSplit(data, 0.9)`: 465 weeks to train, 52 to test, scored by mean squared error.
 *
 * Options: `lags` (default 4; an integer in [1, 520], else a `ValueError`), `dtype`
 * (`'float32'`, default, or `'float64'`). The data is embedded (no file, no network) and loaded on
 * first use; each call returns fresh tensors.
 *
 * @example
 * const chickenpox = await loadChickenpox();           // lags 4, float32
 * chickenpox.features.shape;                            // [517, 20, 4]
 * chickenpox.nodeNames[4];                              // 'BUDAPEST'
 * const { train, test } = temporalSignalSplit(chickenpox, 0.9);   // 465 and 52 snapshots
 */
export function loadChickenpox(options: TemporalDatasetOptions = {}): Promise<TemporalDataset> {
  return load('loadChickenpox', 'chickenpox', options);
}

/**
 * Weekly bicycle-delivery demand of PedalMe in 15 areas of London, 2020–2021, as PyTorch Geometric
 * Temporal's `PedalMeDatasetLoader().get_dataset(lags)`: the series `X` (35 weeks × 15 areas, on
 * the transformed scale the source ships, from about −3.6 to 5.0; not raw counts) made a
 * `laggedSignal` exactly as chickenpox: snapshot t's features are each area's weeks
 * `t … t + lags − 1`, its target week `t + lags`, so `35 − lags` snapshots (31 for 4 lags). The
 * graph is complete with self-loops (225 directed edges, the source's order) and weighted: `edgeWeight`
 * is the source's `weights` (in (0, 1], 1 on the self-loops; symmetric). The areas have no names in
 * the source: `nodeNames` are their ids `'0'` … `'14'`.
 *
 * Options: `lags` (default 4; an integer in [1, 34]), `dtype` (`'float32'`, default, or `'float64'`).
 *
 * @example
 * const pedalme = await loadPedalMe({ lags: 4, dtype: 'float64' });
 * pedalme.length;                // 31
 * pedalme.edgeWeight.shape;      // [225]
 */
export function loadPedalMe(options: TemporalDatasetOptions = {}): Promise<TemporalDataset> {
  return load('loadPedalMe', 'pedalme', options);
}
