/**
 * Synthetic node data made from the LCG stream of data.ts, so every implementation builds the same
 * numbers without a file: PubMed-shaped sparse features (our PubMed copy has none) and the dense
 * features and labels of the `gcn-scale` graphs. python/bench_torch_scale.py computes the same
 * values, in chunks of rows, as these functions do (a chunk's stream continues from the previous
 * chunk's last state).
 */
import { ShapeError } from '@tensorloom/core-tensor';
import { lcgNext } from './data.js';
import type { GnnScaleSpec, SyntheticFeatures } from './workloads.js';

const TWO_32 = 4294967296;

/**
 * Fills `out` (`[numNodes, numFeatures]` row-major) with the features of `spec`: entry k is non-zero
 * when the state `s_{k+1}` of the stream seeded with `spec.seed` is below `T = ⌊density · 2³²⌋`, with
 * the value `(s_{k+1} + 1) / T` ∈ (0, 1]; each row is then divided by its sum (in float64; an empty row
 * stays zero), as the GNN workloads normalise Cora's features. Returns `out`.
 */
export function fillSyntheticFeatures(out: Float32Array, numNodes: number, spec: SyntheticFeatures): Float32Array {
  const { numFeatures, density, seed } = spec;
  if (out.length !== numNodes * numFeatures) {
    throw new ShapeError(
      `fillSyntheticFeatures: expected ${numNodes}·${numFeatures} = ${numNodes * numFeatures} elements, got ${out.length}`,
    );
  }
  const threshold = Math.floor(density * TWO_32);
  const row = new Float64Array(numFeatures);
  let state = seed >>> 0;
  for (let i = 0; i < numNodes; i++) {
    let sum = 0;
    for (let j = 0; j < numFeatures; j++) {
      state = lcgNext(state);
      const value = state < threshold ? (state + 1) / threshold : 0;
      row[j] = value;
      sum += value;
    }
    const base = i * numFeatures;
    for (let j = 0; j < numFeatures; j++) out[base + j] = sum === 0 ? 0 : row[j]! / sum;
  }
  return out;
}

/** The features of `spec` for `numNodes` nodes in a new array (see `fillSyntheticFeatures`). */
export function syntheticFeatureMatrix(numNodes: number, spec: SyntheticFeatures): Float32Array {
  return fillSyntheticFeatures(new Float32Array(numNodes * spec.numFeatures), numNodes, spec);
}

/**
 * Fills `out` (`[nodes, features]`) with the dense features of a `gcn-scale` graph: `lcgFloats` of
 * the stream seeded with `seed + 1` (values `s / 2³¹ − 1` in [−1, 1)), written in place so a
 * 10⁶ × 128 matrix is never held twice.
 */
export function fillScaleFeatures(out: Float32Array, spec: GnnScaleSpec): Float32Array {
  const size = spec.nodes * spec.features;
  if (out.length !== size) throw new ShapeError(`fillScaleFeatures: expected ${size} elements, got ${out.length}`);
  let state = (spec.seed + 1) >>> 0;
  for (let k = 0; k < size; k++) {
    state = lcgNext(state);
    out[k] = state / 2147483648 - 1;
  }
  return out;
}

/** The labels of a `gcn-scale` graph: `lcgTokens(nodes, classes, seed + 2)`, into `out` (int32, length `nodes`). */
export function fillScaleLabels(out: Int32Array, spec: GnnScaleSpec): Int32Array {
  if (out.length !== spec.nodes) throw new ShapeError(`fillScaleLabels: expected ${spec.nodes} elements, got ${out.length}`);
  let state = (spec.seed + 2) >>> 0;
  for (let i = 0; i < spec.nodes; i++) {
    state = lcgNext(state);
    out[i] = Math.floor((state * spec.classes) / TWO_32);
  }
  return out;
}

/** The training nodes of a `gcn-scale` graph: 0 … `trainPerClass · classes − 1` (ids are scattered by the generator). */
export function scaleTrainNodes(spec: GnnScaleSpec): Int32Array {
  return Int32Array.from({ length: Math.min(spec.nodes, spec.trainPerClass * spec.classes) }, (_, i) => i);
}
