/**
 * The wasm backend's fused LSTM and GRU forward steps (assembly/recurrent.ts), float32: the
 * sigmoids and tanhs of a step are nearly all of its cost in js (tens of ns each) and about 1 ns
 * in SIMD. The backward steps are plain arithmetic and stay in js, as do float64 calls and steps
 * smaller than the threshold.
 */
import type { FloatArray } from '../../dtype.js';
import type { Backend } from '../backend.js';
import { align, type WasmRuntime } from './runtime.js';

type LSTMForward = Backend['lstmCellForward'];
type GRUForward = Backend['gruCellForward'];

const f32 = (x: FloatArray | null): x is Float32Array => x instanceof Float32Array;

/** `Backend.lstmCellForward` on `runtime`; `fallback` (the js kernel) for what it does not take. */
export function createLstmCellForward(runtime: WasmRuntime, fallback: LSTMForward, minElements: number): LSTMForward {
  return function lstmCellForward(args) {
    const { gates, cPrev, rows, hidden, h, c, saved } = args;
    const n = rows * hidden;
    if (!f32(gates) || !f32(cPrev) || !f32(h) || !f32(c) || (saved !== null && !f32(saved)) || n < minElements) {
      fallback(args);
      return;
    }
    const gatesBytes = align(16 * n);
    const stateBytes = align(4 * n);
    const savedBytes = saved ? align(20 * n) : 0;
    const base = runtime.reserve(gatesBytes + 3 * stateBytes + savedBytes);
    if (base < 0) {
      fallback(args);
      return;
    }
    const gAddr = base;
    const cpAddr = gAddr + gatesBytes;
    const hAddr = cpAddr + stateBytes;
    const cAddr = hAddr + stateBytes;
    const sAddr = saved ? cAddr + stateBytes : 0;
    let mem = runtime.floats32();
    mem.set(gates.subarray(0, 4 * n), gAddr >> 2);
    mem.set(cPrev.subarray(0, n), cpAddr >> 2);
    runtime.exports.lstmForwardF32(gAddr, cpAddr, rows, hidden, hAddr, cAddr, sAddr);
    mem = runtime.floats32();
    h.set(mem.subarray(hAddr >> 2, (hAddr >> 2) + n));
    c.set(mem.subarray(cAddr >> 2, (cAddr >> 2) + n));
    if (saved) saved.set(mem.subarray(sAddr >> 2, (sAddr >> 2) + 5 * n));
  };
}

/** `Backend.gruCellForward` on `runtime`; `fallback` (the js kernel) for what it does not take. */
export function createGruCellForward(runtime: WasmRuntime, fallback: GRUForward, minElements: number): GRUForward {
  return function gruCellForward(args) {
    const { xProj, hProj, hPrev, rows, hidden, h, saved } = args;
    const n = rows * hidden;
    if (!f32(xProj) || !f32(hProj) || !f32(hPrev) || !f32(h) || (saved !== null && !f32(saved)) || n < minElements) {
      fallback(args);
      return;
    }
    const projBytes = align(12 * n);
    const stateBytes = align(4 * n);
    const savedBytes = saved ? projBytes : 0;
    const base = runtime.reserve(2 * projBytes + 2 * stateBytes + savedBytes);
    if (base < 0) {
      fallback(args);
      return;
    }
    const xAddr = base;
    const hpAddr = xAddr + projBytes;
    const prevAddr = hpAddr + projBytes;
    const hAddr = prevAddr + stateBytes;
    const sAddr = saved ? hAddr + stateBytes : 0;
    let mem = runtime.floats32();
    mem.set(xProj.subarray(0, 3 * n), xAddr >> 2);
    mem.set(hProj.subarray(0, 3 * n), hpAddr >> 2);
    mem.set(hPrev.subarray(0, n), prevAddr >> 2);
    runtime.exports.gruForwardF32(xAddr, hpAddr, prevAddr, rows, hidden, hAddr, sAddr);
    mem = runtime.floats32();
    h.set(mem.subarray(hAddr >> 2, (hAddr >> 2) + n));
    if (saved) saved.set(mem.subarray(sAddr >> 2, (sAddr >> 2) + 3 * n));
  };
}
