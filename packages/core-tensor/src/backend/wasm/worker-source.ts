/**
 * The source of a pool worker, as a string: it runs as a Node `eval` worker or from a Blob URL in
 * a browser, so it cannot be a module of this package (sources are TypeScript in tests, bundled in
 * dist). It is plain ES2020 with no imports, and must stay so.
 *
 * A worker instantiates the kernel module on the shared memory, marks its control slot ready,
 * then loops: wait for `REQUEST` to change (spinning for `spinMicros` first, then `Atomics.wait`),
 * call export number `OP` with the i32 arguments of the slot, store the request number in
 * `RESPONSE` and notify. `OP` = -1 ends the loop. The slot layout is in `memory-layout.ts`.
 */
import { SLOT } from './memory-layout.js';

const body = `
'use strict';
const SLOT = ${JSON.stringify(SLOT)};
function start(data, onReady) {
  const instance = new WebAssembly.Instance(data.module, { env: { memory: data.memory } });
  const fns = data.exportNames.map((name) => instance.exports[name]);
  const ctl = new Int32Array(data.memory.buffer, data.slot, SLOT.words);
  const spinMs = data.spinMicros / 1000;
  let seen = Atomics.load(ctl, SLOT.request);
  Atomics.store(ctl, SLOT.state, 1);
  onReady();
  try {
    for (;;) {
      if (Atomics.load(ctl, SLOT.request) === seen) {
        const until = performance.now() + spinMs;
        let spins = 0;
        while (Atomics.load(ctl, SLOT.request) === seen) {
          if ((++spins & 1023) === 0 && performance.now() > until) Atomics.wait(ctl, SLOT.request, seen);
        }
      }
      seen = Atomics.load(ctl, SLOT.request);
      const op = ctl[SLOT.op];
      if (op < 0) return;
      const a = SLOT.args;
      let failed = 0;
      try {
        fns[op](ctl[a], ctl[a + 1], ctl[a + 2], ctl[a + 3], ctl[a + 4], ctl[a + 5], ctl[a + 6], ctl[a + 7],
          ctl[a + 8], ctl[a + 9], ctl[a + 10], ctl[a + 11], ctl[a + 12], ctl[a + 13], ctl[a + 14], ctl[a + 15],
          ctl[a + 16], ctl[a + 17], ctl[a + 18], ctl[a + 19]);
      } catch (error) {
        failed = 1;
      }
      ctl[SLOT.error] = failed;
      Atomics.store(ctl, SLOT.response, seen);
      Atomics.notify(ctl, SLOT.response);
    }
  } finally {
    Atomics.store(ctl, SLOT.state, 2);
    Atomics.notify(ctl, SLOT.response);
  }
}
`;

/**
 * The worker script for Node's `new Worker(source, { eval: true, workerData })`. An eval worker
 * runs as CommonJS or, under `--input-type=module`, as ESM: `getBuiltinModule` works in both.
 */
export const nodeWorkerSource = `${body}
const threads = typeof process.getBuiltinModule === 'function'
  ? process.getBuiltinModule('node:worker_threads')
  : require('node:worker_threads');
start(threads.workerData, () => threads.parentPort.postMessage('ready'));
`;

/** The worker script for a browser Web Worker; its first message carries the start data. */
export const browserWorkerSource = `${body}
self.onmessage = (event) => {
  self.onmessage = null;
  start(event.data, () => self.postMessage('ready'));
};
`;
