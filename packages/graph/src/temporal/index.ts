// Temporal signals on a static graph: lagged features, time slices and splits, snapshots.
export { createTemporalSignal, type TemporalSignal, type TemporalSignalInit } from './signal.js';
export { laggedSignal, type SignalGraph } from './lagged.js';
export { signalSlice, temporalSignalSplit } from './split.js';
export { signalSnapshot, signalSnapshots, type SignalSnapshot } from './snapshot.js';
