/** The forecasters by name: a recurrent graph cell of PyTorch Geometric Temporal read out per node. */
import { ValueError, type FloatDType, type Generator } from '@tensorloom/core-tensor';
import { checkChannels } from '../linear.js';
import { DCRNN } from './dcrnn.js';
import { GConvGRU } from './gconv-gru.js';
import { GConvLSTM } from './gconv-lstm.js';
import { RecurrentGraphForecaster } from './forecast.js';
import type { RecurrentGraphCell } from './graph-cell.js';
import { TGCN } from './tgcn.js';

/** The forecasters `forecasterFor` builds, by the name of their cell. */
export const FORECAST_MODELS = ['gconv-gru', 'gconv-lstm', 'tgcn', 'dcrnn'] as const;

/** A name of `FORECAST_MODELS`. */
export type ForecastModel = (typeof FORECAST_MODELS)[number];

/** The models whose cell has a filter size K (TGCN's graph convolution is a GCN, which has none). */
export const FORECAST_MODELS_WITH_K: readonly ForecastModel[] = Object.freeze(['gconv-gru', 'gconv-lstm', 'dcrnn']);

/**
 * `forecasterFor`'s defaults. Hidden 32 as PyTorch Geometric Temporal's examples; K 2 where their
 * examples use K = 1: a Chebyshev convolution of order 1 keeps only T₀(L̂)·x = x, a linear map of each
 * node's own features that ignores the graph (and DCRNN's diffusion of order 1 does the same), so
 * with K = 1 GConvGRU, GConvLSTM and DCRNN are per-node recurrent networks. K = 2 adds the
 * neighbours (T₁(L̂)·x, one diffusion step each way).
 */
export const DEFAULT_FORECASTER = Object.freeze({ hiddenChannels: 32, K: 2 });

/** Options of {@link forecasterFor}. */
export interface ForecasterOptions {
  /** Features per node of each snapshot (the lags of a lagged signal). */
  inChannels: number;
  /** Width of the recurrent state. Default 32. */
  hiddenChannels?: number;
  /** Filter size of the cell's graph convolutions (gconv-gru, gconv-lstm, dcrnn; tgcn has none). Default 2. */
  K?: number;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator of the initial weights. Default: the global one. */
  generator?: Generator;
}

/**
 * The forecaster `model` of PyTorch Geometric Temporal's examples (`RecurrentGCN`: the cell, ReLU,
 * `Linear(hidden, 1)`), with its cell:
 *
 * - `'gconv-gru'`: `new GConvGRU(inChannels, hiddenChannels, K)` (Seo et al. 2018);
 * - `'gconv-lstm'`: `new GConvLSTM(inChannels, hiddenChannels, K)` (Seo et al. 2018);
 * - `'tgcn'`: `new TGCN(inChannels, hiddenChannels)` (Zhao et al. 2019; no K);
 * - `'dcrnn'`: `new DCRNN(inChannels, hiddenChannels, K)` (Li et al. 2018).
 *
 * An unknown name, or a size that is not a positive integer, is a `ValueError`.
 *
 * @example
 * const model = forecasterFor('gconv-gru', { inChannels: 4 });   // hidden 32, K 2
 * model.numParameters();
 */
export function forecasterFor(model: ForecastModel, options: ForecasterOptions): RecurrentGraphForecaster {
  const {
    inChannels,
    hiddenChannels = DEFAULT_FORECASTER.hiddenChannels,
    K = DEFAULT_FORECASTER.K,
    dtype = 'float32',
    generator,
  } = options;
  const op = 'forecasterFor';
  checkChannels(op, 'inChannels', inChannels);
  checkChannels(op, 'hiddenChannels', hiddenChannels);
  checkChannels(op, 'K', K);
  const cellOptions = { dtype, ...(generator === undefined ? {} : { generator }) };
  let cell: RecurrentGraphCell;
  switch (model) {
    case 'gconv-gru':
      cell = new GConvGRU(inChannels, hiddenChannels, K, cellOptions);
      break;
    case 'gconv-lstm':
      cell = new GConvLSTM(inChannels, hiddenChannels, K, cellOptions);
      break;
    case 'tgcn':
      cell = new TGCN(inChannels, hiddenChannels, cellOptions);
      break;
    case 'dcrnn':
      cell = new DCRNN(inChannels, hiddenChannels, K, cellOptions);
      break;
    default:
      throw new ValueError(`${op}: model must be one of ${FORECAST_MODELS.join(', ')}, got '${String(model)}'`);
  }
  return new RecurrentGraphForecaster(cell, cellOptions);
}
