/**
 * The workload catalogue. A workload is a plain JSON-able spec, so the orchestrator can hand it to
 * a child process (Node or Python) unchanged.
 *
 * Adding a workload: a spec type in `WorkloadSpec` (with its unit in `unitOf` and the work of one
 * run in `workOf`), its entries in `allWorkloads`, a case in each runner of `runners/` and in
 * python/bench_torch.py (`supports()` in impls.ts for an implementation that has none), and the
 * dataset it reads in `datasetOf` (the run skips it with a notice when the data is missing).
 */

/** `C = op(A)·op(B)`, op(A) `[m, k]`, op(B) `[k, n]`, float32; `2·m·k·n` flops. */
export interface GemmSpec {
  kind: 'gemm';
  name: string;
  m: number;
  k: number;
  n: number;
  /** A is stored `[k, m]` and read transposed. */
  transA: boolean;
  /** B is stored `[n, k]` and read transposed. */
  transB: boolean;
}

/** Embedding → LSTM → Linear → cross-entropy → Adam, one training step per batch. */
export interface CharLSTMSpec {
  kind: 'char-lstm';
  name: string;
  vocab: number;
  embedding: number;
  hidden: number;
  layers: number;
  batch: number;
  seq: number;
}

/**
 * One full-batch training epoch of a two-layer node classifier on a Planetoid graph: forward on
 * every node, cross-entropy on the training nodes, backward, Adam (weight decay on every
 * parameter). Dropout `dropout` on the (row-normalised) features and on the hidden layer.
 * - `gcn`: `in → hidden` (ReLU) `→ classes`, `Â = D^-1/2 (A + I) D^-1/2`.
 * - `gat`: `in → hidden × heads` (concatenated, ELU) `→ classes` (`outHeads` averaged), self-loops
 *   added, attention dropout `attentionDropout`, LeakyReLU slope 0.2.
 */
export interface GnnSpec {
  kind: 'gnn';
  name: string;
  model: 'gcn' | 'gat';
  /** A Planetoid CSV folder under the data root (`TENSORLOOM_DATA`, else `../shared/data`): `'cora'`. */
  dataset: string;
  /** Hidden width (per head for GAT). */
  hidden: number;
  /** Heads of the hidden layer (1 for GCN). */
  heads: number;
  /** Heads of the output layer, averaged (1 for GCN). */
  outHeads: number;
  dropout: number;
  /** On the attention coefficients (0 for GCN). */
  attentionDropout: number;
  lr: number;
  weightDecay: number;
  /**
   * How the features reach the first layer: `'dense'`, an `[N, F]` matrix, or `'sparse'`, a sparse
   * matrix of its non-zeros (bag-of-words features are ~1% non-zero) that the input dropout and the
   * first product read as they are (tensorloom: a `SparseCSR`; PyTorch: a COO tensor and
   * `torch.sparse.mm`; TF.js has no sparse × dense product and sits these out).
   */
  features: 'dense' | 'sparse';
  /**
   * Features drawn from the LCG stream instead of the dataset's own (`features.csv` is then not read):
   * for PubMed, whose TF-IDF features are not in our copy (see `syntheticFeatureMatrix`, src/synthetic.ts).
   */
  syntheticFeatures?: SyntheticFeatures;
}

/**
 * Sparse non-negative features of a given width and density from the LCG stream started at `seed`:
 * entry k (row-major) is non-zero when the stream's state `s_{k+1}` is below `⌊density · 2³²⌋`, with
 * the value `(s_{k+1} + 1) / ⌊density · 2³²⌋` ∈ (0, 1]; then every row is divided by its sum.
 */
export interface SyntheticFeatures {
  numFeatures: number;
  density: number;
  seed: number;
}

/**
 * One training epoch of the forecasting recipe of `tensorloom gnn forecast` on a spatio-temporal
 * signal (PyTorch Geometric Temporal's JSON, under the data root): the recurrent graph cell run
 * over every training snapshot with the state carried from one to the next, ReLU, `Linear(hidden, 1)`,
 * the MSE over all training snapshots and nodes, backward through the whole sequence, Adam.
 */
export interface ForecastSpec {
  kind: 'forecast';
  name: string;
  model: 'gconv-gru' | 'gconv-lstm' | 'tgcn' | 'dcrnn';
  /** The JSON file under the data root: `'temporal/chickenpox.json'`. */
  dataset: string;
  /** Past steps per node as its features. */
  lags: number;
  /** Share of the snapshots that train (the first ones). */
  trainRatio: number;
  hidden: number;
  /** Filter size of the cell's graph convolutions. */
  K: number;
  lr: number;
}

/**
 * Generating `length` characters from the textgen default model (`TextGenerationModel`: embedding →
 * `layers` × LSTM `hidden` → linear) for `batch` sequences at once: every sequence starts from the
 * token `seedToken`, each step feeds the last drawn characters with the carried state and draws the
 * next ones from softmax(logits / temperature), without gradients. chars/s = batch · length / time.
 */
export interface SampleSpec {
  kind: 'sample';
  name: string;
  vocab: number;
  embedding: number;
  hidden: number;
  layers: number;
  batch: number;
  /** Characters generated per sequence (one model step each). */
  length: number;
  /** The first input token of every sequence. */
  seedToken: number;
  temperature: number;
  /** Seed of the draws (tensorloom's `Generator`, `torch.manual_seed`). */
  seed: number;
}

/**
 * GCN epochs (the `gcn-cora` recipe) on a synthetic power-law graph of `nodes` nodes, generated by
 * `powerLawGraph` (src/powerlaw.ts) from `seed` once and handed to every implementation as a file,
 * with dense LCG features in [−1, 1) (`features` columns), LCG labels in `[0, classes)` and the first
 * `trainPerClass · classes` nodes as the training set. Reports the graph's size with its figures,
 * so the report can fit time and memory against edges.
 */
export interface GnnScaleSpec {
  kind: 'gnn-scale';
  name: string;
  model: 'gcn';
  nodes: number;
  /** Mean degree of the undirected graph (directed edges ≈ nodes · avgDegree). */
  avgDegree: number;
  features: number;
  classes: number;
  trainPerClass: number;
  hidden: number;
  dropout: number;
  lr: number;
  weightDecay: number;
  seed: number;
}

/** Any workload. */
export type WorkloadSpec = GemmSpec | CharLSTMSpec | GnnSpec | ForecastSpec | SampleSpec | GnnScaleSpec;
/** A workload's kind. */
export type WorkloadKind = WorkloadSpec['kind'];

/** What a workload's value measures; every unit here is higher-is-better. */
export type Unit = 'GFLOP/s' | 'chars/s' | 'epochs/s';

/** Every unit, for the results schema. */
export const UNITS: readonly Unit[] = ['GFLOP/s', 'chars/s', 'epochs/s'];

/** The unit a workload is reported in. */
export function unitOf(spec: WorkloadSpec): Unit {
  switch (spec.kind) {
    case 'gemm':
      return 'GFLOP/s';
    case 'char-lstm':
    case 'sample':
      return 'chars/s';
    case 'gnn':
    case 'forecast':
    case 'gnn-scale':
      return 'epochs/s';
  }
}

/** The GEMM shapes (m×k×n) of the issue. */
export const GEMM_SHAPES: readonly (readonly [number, number, number])[] = [
  [1024, 1024, 1024],
  [128, 1280, 4096],
  [64, 512, 1024],
  [64, 192, 512],
];

/** NN, NT, TN, TT: the letter says whether A, then B, is read transposed. */
export const GEMM_VARIANTS = [
  { name: 'NN', transA: false, transB: false },
  { name: 'NT', transA: false, transB: true },
  { name: 'TN', transA: true, transB: false },
  { name: 'TT', transA: true, transB: true },
] as const;

/** A GEMM workload named `gemm-{m}x{k}x{n}-{variant}`. */
export function gemmWorkload(options: { m: number; k: number; n: number; variant: 'NN' | 'NT' | 'TN' | 'TT' }): GemmSpec {
  const { m, k, n, variant } = options;
  return { kind: 'gemm', name: `gemm-${m}x${k}x${n}-${variant}`, m, k, n, transA: variant[0] === 'T', transB: variant[1] === 'T' };
}

/** Config A: vocab 80, embedding 64, hidden 128, 1 layer, batch 64, seq 64. */
export const CHAR_LSTM_A: CharLSTMSpec = {
  kind: 'char-lstm',
  name: 'lstm-A',
  vocab: 80,
  embedding: 64,
  hidden: 128,
  layers: 1,
  batch: 64,
  seq: 64,
};
/** Config B: vocab 80, embedding 256, hidden 1024, 2 layers, batch 128, seq 30. */
export const CHAR_LSTM_B: CharLSTMSpec = {
  kind: 'char-lstm',
  name: 'lstm-B',
  vocab: 80,
  embedding: 256,
  hidden: 1024,
  layers: 2,
  batch: 128,
  seq: 30,
};

/** Kipf & Welling's GCN on Cora: 1433 → 16 (ReLU) → 7, dropout 0.5, Adam lr 0.01, weight decay 5e-4. */
export const GCN_CORA: GnnSpec = {
  kind: 'gnn',
  name: 'gcn-cora',
  model: 'gcn',
  dataset: 'cora',
  hidden: 16,
  heads: 1,
  outHeads: 1,
  dropout: 0.5,
  attentionDropout: 0,
  lr: 0.01,
  weightDecay: 5e-4,
  features: 'dense',
};
/**
 * Veličković et al.'s GAT on Cora: 1433 → 8 × 8 heads (concatenated, ELU) → 7 (1 head), dropout
 * 0.6 on the inputs and the attention, Adam lr 0.005, weight decay 5e-4.
 */
export const GAT_CORA: GnnSpec = {
  kind: 'gnn',
  name: 'gat-cora',
  model: 'gat',
  dataset: 'cora',
  hidden: 8,
  heads: 8,
  outHeads: 1,
  dropout: 0.6,
  attentionDropout: 0.6,
  lr: 0.005,
  weightDecay: 5e-4,
  features: 'dense',
};
/** GCN on Cora with the features as a sparse matrix (what `tensorloom gnn train` does). */
export const GCN_CORA_SPARSE: GnnSpec = { ...GCN_CORA, name: 'gcn-cora-sparse', features: 'sparse' };
/** GAT on Cora with the features as a sparse matrix. */
export const GAT_CORA_SPARSE: GnnSpec = { ...GAT_CORA, name: 'gat-cora-sparse', features: 'sparse' };

/**
 * GConvGRU on chickenpox (`tensorloom gnn forecast`'s defaults): 20 counties, 4 lags, the first 90%
 * of the 517 weekly snapshots (465) train; hidden 32, K 2, Adam lr 0.01.
 */
export const GCONV_GRU_CHICKENPOX: ForecastSpec = {
  kind: 'forecast',
  name: 'gconv-gru-chickenpox',
  model: 'gconv-gru',
  dataset: 'temporal/chickenpox.json',
  lags: 4,
  trainRatio: 0.9,
  hidden: 32,
  K: 2,
  lr: 0.01,
};

/**
 * PubMed's width (500) and about the density of its TF-IDF features (988,031 non-zeros in
 * 19,717 × 500, 10.0%), which our copy lacks (/work/shared/data/README.md, "PubMed gap").
 */
export const PUBMED_SYNTHETIC_FEATURES: SyntheticFeatures = { numFeatures: 500, density: 0.1, seed: 500 };

/** The `gcn-cora` recipe on PubMed's real graph, labels and public split, with synthetic features. */
export const GCN_PUBMED: GnnSpec = { ...GCN_CORA, name: 'gcn-pubmed', dataset: 'pubmed', syntheticFeatures: PUBMED_SYNTHETIC_FEATURES };
/** `gcn-pubmed` with the features as a sparse matrix. */
export const GCN_PUBMED_SPARSE: GnnSpec = { ...GCN_PUBMED, name: 'gcn-pubmed-sparse', features: 'sparse' };

/** Sampling from the textgen default model (embedding 64, 2 × LSTM 128, vocab 80 as lstm-A), 2,000 characters. */
export const SAMPLE_A: Omit<SampleSpec, 'name' | 'batch'> = {
  kind: 'sample',
  vocab: 80,
  embedding: 64,
  hidden: 128,
  layers: 2,
  length: 2000,
  seedToken: 0,
  temperature: 1,
  seed: 0,
};
/** `sample-A` at batch 1 and at batch 64. */
export const SAMPLE_A_B1: SampleSpec = { ...SAMPLE_A, name: 'sample-A-b1', batch: 1 };
export const SAMPLE_A_B64: SampleSpec = { ...SAMPLE_A, name: 'sample-A-b64', batch: 64 };

/** The sizes of `gcn-scale`: 10⁴, 10⁵ and 10⁶ nodes. */
export const GCN_SCALE_NODES = [1e4, 1e5, 1e6] as const;

/** GCN (the `gcn-cora` recipe) on a power-law graph of `nodes` nodes: average degree 10, 128 features, 16 classes. */
export function gcnScaleWorkload(nodes: number): GnnScaleSpec {
  return {
    kind: 'gnn-scale',
    name: `gcn-scale-1e${Math.round(Math.log10(nodes))}`,
    model: 'gcn',
    nodes,
    avgDegree: 10,
    features: 128,
    classes: 16,
    trainPerClass: 20,
    hidden: 16,
    dropout: 0.5,
    lr: 0.01,
    weightDecay: 5e-4,
    seed: 1,
  };
}

/** Every workload `pnpm bench` runs, in order. */
export function allWorkloads(): WorkloadSpec[] {
  const gemms = GEMM_SHAPES.flatMap(([m, k, n]) => GEMM_VARIANTS.map((v) => gemmWorkload({ m, k, n, variant: v.name })));
  return [
    ...gemms,
    CHAR_LSTM_A,
    CHAR_LSTM_B,
    SAMPLE_A_B1,
    SAMPLE_A_B64,
    GCN_CORA,
    GAT_CORA,
    GCN_CORA_SPARSE,
    GAT_CORA_SPARSE,
    GCN_PUBMED,
    GCN_PUBMED_SPARSE,
    ...GCN_SCALE_NODES.map(gcnScaleWorkload),
    GCONV_GRU_CHICKENPOX,
  ];
}

/**
 * The `--quick` subset: the 128×1280×4096 GEMMs, char-LSTM config A and sampling (`sample-A`). GCN
 * on Cora would add about 50 s (a quick run took 4:53 without it and 5:44 with it on the shared
 * machine), so it is left out: `--quick --only gcn-cora,gat-cora` runs the GNN workloads with the
 * quick timing. With `--only`, `--quick` leaves out `gcn-scale-1e6` (`quickSelectable`).
 */
export function quickWorkloads(): WorkloadSpec[] {
  return allWorkloads().filter((w) => w.name.startsWith('gemm-128x1280x4096-') || w.name === 'lstm-A' || w.kind === 'sample');
}

/** Whether `--quick` may run a workload: not the 10⁶-node graph (its epochs alone take tens of seconds). */
export function quickSelectable(spec: WorkloadSpec): boolean {
  return !(spec.kind === 'gnn-scale' && spec.nodes >= 1e6);
}

/**
 * The dataset a workload reads under the data root, or undefined when it makes its own data: a
 * Planetoid folder (`'cora'`), or a file (`'temporal/chickenpox.json'`).
 */
export function datasetOf(spec: WorkloadSpec): string | undefined {
  return spec.kind === 'gnn' || spec.kind === 'forecast' ? spec.dataset : undefined;
}

/** Floating-point operations of one GEMM. */
export function gemmFlops(spec: GemmSpec): number {
  return 2 * spec.m * spec.k * spec.n;
}

/** Characters (tokens) consumed by one char-LSTM training step. */
export function charsPerStep(spec: CharLSTMSpec): number {
  return spec.batch * spec.seq;
}

/** The work of one run in the workload's unit × seconds (GFLOP, chars or epochs), to turn times into values. */
export function workOf(spec: WorkloadSpec): number {
  switch (spec.kind) {
    case 'gemm':
      return gemmFlops(spec) / 1e9;
    case 'char-lstm':
      return charsPerStep(spec);
    case 'sample':
      return spec.batch * spec.length;
    case 'gnn':
    case 'forecast':
    case 'gnn-scale':
      return 1;
  }
}
