/**
 * The gradient-flow demo's worker: picks the backend, then answers each `measure` request with
 * `‖∂L_T/∂h_t‖` of the three models (`measureGradientFlow`), at the package's default length unless
 * the request gives one. Requests are served in order; the page
 * keeps only the answer to its latest one.
 */
import { DEFAULT_GRADIENT_FLOW } from '@tensorloom/rnn';
import { selectBackend } from './backend.js';
import { measureGradientFlow } from './gradient-flow.js';
import type { GradientFlowReply, GradientFlowRequest } from './gradient-flow-protocol.js';

const reply = (message: GradientFlowReply): void => postMessage(message);
const backend = selectBackend();

function fail(error: unknown, id?: number): void {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.error(`gradient-flow worker: ${message}`);
  reply({ type: 'error', message, ...(id === undefined ? {} : { id }) });
}

backend.then((info) => reply({ type: 'backend', info }), fail);
addEventListener('message', (event: MessageEvent<GradientFlowRequest>) => {
  const { id, length = DEFAULT_GRADIENT_FLOW.length } = event.data;
  backend
    .then(() => {
      const started = performance.now();
      const norms = measureGradientFlow(length);
      reply({ type: 'norms', id, length, norms, seconds: (performance.now() - started) / 1000 });
    })
    .catch((error: unknown) => fail(error, id));
});
