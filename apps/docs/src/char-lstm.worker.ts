/**
 * The character-LSTM demo's worker: picks the backend, loads the text on the first Train, trains
 * with textgen's `Trainer` (one progress message per step) and streams generated text back.
 * Commands arrive while a run is going (the trainer yields every 50 ms), so Stop is an abort.
 */
import { selectBackend } from './backend.js';
import { createSession, generateText, nextTarget, train, unknownCharacters, type CharLstmSession } from './char-lstm.js';
import type { CharLstmReply, CharLstmRequest, GenerationRequest } from './char-lstm-protocol.js';

const reply = (message: CharLstmReply): void => postMessage(message);

const backend = selectBackend();
let text: string | undefined;
let session: CharLstmSession | undefined;
/** Aborts the run in progress; undefined when idle. */
let running: AbortController | undefined;
let generating = false;

async function loadSession(textUrl: string): Promise<CharLstmSession> {
  if (text === undefined) {
    const response = await fetch(textUrl);
    if (!response.ok) throw new Error(`loading the training text ${textUrl}: HTTP ${response.status}`);
    text = await response.text();
  }
  if (session === undefined) {
    session = createSession(text);
    reply({ type: 'corpus', characters: text.length, vocabSize: session.tokenizer.vocabSize, parameters: session.model.numParameters() });
  }
  return session;
}

async function runTraining(textUrl: string): Promise<void> {
  if (running || generating) return;
  running = new AbortController();
  try {
    const current = await loadSession(textUrl);
    const target = nextTarget(current);
    const result = await train(current, target, {
      signal: running.signal,
      onStep: (p) =>
        reply({
          type: 'progress',
          step: p.step,
          loss: p.loss,
          totalSteps: target,
          stepsPerSecond: p.stepsPerSecond,
          elapsedSeconds: p.elapsedSeconds,
        }),
    });
    reply({ type: 'trained', step: result.step, stoppedBy: result.stoppedBy, seconds: result.seconds });
  } finally {
    running = undefined;
  }
}

async function runGeneration(request: GenerationRequest): Promise<void> {
  if (running || generating || session === undefined) {
    reply({ type: 'rejected', message: session === undefined ? 'train the model first' : 'wait until training stops' });
    return;
  }
  const unknown = unknownCharacters(session.tokenizer, request.prompt);
  if (request.prompt.length === 0 || unknown.length > 0) {
    const message =
      request.prompt.length === 0
        ? 'the prompt is empty'
        : `the prompt has characters the training text never shows: ${unknown.map((c) => JSON.stringify(c)).join(', ')}`;
    reply({ type: 'rejected', message });
    return;
  }
  generating = true;
  const started = performance.now();
  let characters = 0;
  try {
    for await (const chunk of generateText(session, request)) {
      characters += chunk.length;
      reply({ type: 'text', text: chunk });
    }
    reply({ type: 'generated', characters, seconds: (performance.now() - started) / 1000 });
  } finally {
    generating = false;
  }
}

async function handle(request: CharLstmRequest): Promise<void> {
  await backend;
  switch (request.type) {
    case 'train':
      return runTraining(request.textUrl);
    case 'stop':
      running?.abort();
      return;
    case 'reset':
      if (running || generating) {
        reply({ type: 'rejected', message: 'stop training first' });
        return;
      }
      session = undefined;
      reply({ type: 'reset' });
      return;
    case 'generate': {
      const { type: _type, ...generation } = request;
      return runGeneration(generation);
    }
  }
}

function fail(error: unknown): void {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  console.error(`char-LSTM worker: ${message}`);
  reply({ type: 'error', message });
}

backend.then((info) => reply({ type: 'backend', info }), fail);
addEventListener('message', (event: MessageEvent<CharLstmRequest>) => {
  handle(event.data).catch(fail);
});
