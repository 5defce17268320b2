/**
 * The page's side of a demo worker: starts it on mount (never during server-side rendering), posts
 * commands, hands every message to `onMessage`, and terminates it on unmount.
 */
import { onBeforeUnmount, onMounted, shallowRef } from 'vue';

export function useWorker<In, Out>(create: () => Worker, onMessage: (message: Out) => void) {
  const worker = shallowRef<Worker | null>(null);
  onMounted(() => {
    const w = create();
    w.addEventListener('message', (event: MessageEvent<Out>) => onMessage(event.data));
    w.addEventListener('error', (event) => {
      // A worker that fails to start or throws outside a handled command: surface it on the page.
      console.error(`demo worker failed: ${event.message}`);
    });
    worker.value = w;
  });
  onBeforeUnmount(() => worker.value?.terminate());
  return {
    worker,
    post(message: In): void {
      worker.value?.postMessage(message);
    },
  };
}
