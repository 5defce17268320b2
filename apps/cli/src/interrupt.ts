/**
 * SIGINT, SIGTERM and SIGHUP as one request to stop: the first stops a long command after its
 * current step (it saves what it has, then exits with 128 + the signal's number, never 0); a second
 * signal quits at once with that code. A terminal's Ctrl-C, `kill`, a closed terminal and a job
 * scheduler's termination all end a run the same way.
 */

/** The signals a long command treats as "stop and save", with their POSIX numbers. */
export const STOP_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
export type StopSignal = keyof typeof STOP_SIGNALS;

/** The exit code of a process stopped by `signal`: 128 + its number (130 for SIGINT). */
export function signalExitCode(signal: StopSignal): number {
  return 128 + STOP_SIGNALS[signal];
}

export interface InterruptWatch {
  /** Aborted by the first stop signal. */
  readonly signal: AbortSignal;
  /** The first stop signal received, or null. */
  received(): StopSignal | null;
  /** Removes the handlers (the default behaviour of each signal returns). */
  dispose(): void;
}

/**
 * Watches the stop signals until `dispose()`. `log` gets one line when the first arrives.
 * @example
 * const watch = watchInterrupts((line) => ctx.log(line));
 * try { await trainer.run({ signal: watch.signal, … }); } finally { watch.dispose(); }
 * const stopped = watch.received(); // then exit with signalExitCode(stopped)
 */
export function watchInterrupts(log: (line: string) => void, proc: NodeJS.Process = process): InterruptWatch {
  const controller = new AbortController();
  let first: StopSignal | null = null;
  const handlers = (Object.keys(STOP_SIGNALS) as StopSignal[]).map((name) => {
    const handler = () => {
      if (first !== null) proc.exit(signalExitCode(name));
      first = name;
      controller.abort(new Error(`received ${name}`));
      log(`received ${name}: stopping after this step and saving (send it again to quit at once, unsaved)`);
    };
    proc.on(name, handler);
    return [name, handler] as const;
  });
  return {
    signal: controller.signal,
    received: () => first,
    dispose: () => {
      for (const [name, handler] of handlers) proc.off(name, handler);
    },
  };
}
