/**
 * The karate-club demo's worker: picks the backend, describes the graph to the page, then trains
 * the model each `train` message asks for, posting every epoch (see `karate-messages.ts`).
 */
import { selectBackend } from './backend';
import type { KarateMessage, KarateTrain } from './karate-messages';
import { loadKarate, trainKarate, type Karate } from './karate-training';

function post(message: KarateMessage): void {
  postMessage(message);
}

function fail(error: unknown): void {
  post({ type: 'error', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
}

// The backend first: the dataset's tensors are made on the backend that trains.
const ready: Promise<Karate> = selectBackend().then((info) => {
  post({ type: 'backend', info });
  const karate = loadKarate();
  post({ type: 'graph', graph: karate.graph });
  return karate;
});
ready.catch(fail);

addEventListener('message', (event: MessageEvent<KarateTrain>) => {
  const { model, epochs, seed } = event.data;
  ready
    .then((karate) => {
      const result = trainKarate(karate, { model, epochs, seed, onEpoch: (epoch) => post({ type: 'epoch', model, ...epoch }) });
      post({ type: 'done', ...result });
    })
    .catch(fail);
});
