/**
 * The workload catalogue. A workload is a plain JSON-able spec, so the orchestrator can hand it to
 * a child process (Node or Python) unchanged.
 *
 * Extension point: GCN and GAT training epochs on Cora come when `@tensorloom/gnn` exists. Add a
 * `GnnSpec` (`kind: 'gnn'`, unit `epochs/s`) to `WorkloadSpec`, its entries to `allWorkloads`, a
 * case to each runner in `runners/` (and to python/bench_torch.py), and drop its name from
 * `PLANNED_WORKLOADS`.
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
export interface CharLstmSpec {
  kind: 'char-lstm';
  name: string;
  vocab: number;
  embedding: number;
  hidden: number;
  layers: number;
  batch: number;
  seq: number;
}

/** Any workload. */
export type WorkloadSpec = GemmSpec | CharLstmSpec;
/** A workload's kind. */
export type WorkloadKind = WorkloadSpec['kind'];

/** What a workload's value measures; every unit here is higher-is-better. */
export type Unit = 'GFLOP/s' | 'chars/s';

/** The unit a workload is reported in. */
export function unitOf(spec: WorkloadSpec): Unit {
  return spec.kind === 'gemm' ? 'GFLOP/s' : 'chars/s';
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
export const CHAR_LSTM_A: CharLstmSpec = { kind: 'char-lstm', name: 'lstm-A', vocab: 80, embedding: 64, hidden: 128, layers: 1, batch: 64, seq: 64 };
/** Config B: vocab 80, embedding 256, hidden 1024, 2 layers, batch 128, seq 30. */
export const CHAR_LSTM_B: CharLstmSpec = { kind: 'char-lstm', name: 'lstm-B', vocab: 80, embedding: 256, hidden: 1024, layers: 2, batch: 128, seq: 30 };

/** Every workload `pnpm bench` runs, in order. */
export function allWorkloads(): WorkloadSpec[] {
  const gemms = GEMM_SHAPES.flatMap(([m, k, n]) => GEMM_VARIANTS.map((v) => gemmWorkload({ m, k, n, variant: v.name })));
  return [...gemms, CHAR_LSTM_A, CHAR_LSTM_B];
}

/** The `--quick` subset: the 128×1280×4096 GEMMs and char-LSTM config A. */
export function quickWorkloads(): WorkloadSpec[] {
  return allWorkloads().filter((w) => w.name.startsWith('gemm-128x1280x4096-') || w.name === 'lstm-A');
}

/** Workloads of the issue that cannot run yet, with the reason (shown when `--only` asks for them). */
export const PLANNED_WORKLOADS: Readonly<Record<string, string>> = {
  'gcn-cora': 'GCN on Cora needs @tensorloom/gnn, which does not exist yet',
  'gat-cora': 'GAT on Cora needs @tensorloom/gnn, which does not exist yet',
};

/** Floating-point operations of one GEMM. */
export function gemmFlops(spec: GemmSpec): number {
  return 2 * spec.m * spec.k * spec.n;
}

/** Characters (tokens) consumed by one char-LSTM training step. */
export function charsPerStep(spec: CharLstmSpec): number {
  return spec.batch * spec.seq;
}

/** The work of one run in the workload's unit × seconds (GFLOP, or chars), to turn times into values. */
export function workOf(spec: WorkloadSpec): number {
  return spec.kind === 'gemm' ? gemmFlops(spec) / 1e9 : charsPerStep(spec);
}
