#!/usr/bin/env node
import { runCli } from './cli.js';
import { commands } from './commands/index.js';
import { RUNTIME_OPTIONS, configureRuntime, releaseRuntime } from './runtime.js';

process.exitCode = await runCli(
  process.argv.slice(2),
  commands,
  { stdout: process.stdout, stderr: process.stderr },
  {
    options: RUNTIME_OPTIONS,
    setup: async (values) => {
      const { backend, threads } = await configureRuntime(values);
      return { backend, threads };
    },
    teardown: releaseRuntime,
  },
);
