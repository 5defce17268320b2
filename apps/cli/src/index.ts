export {
  runCli,
  UsageError,
  type GlobalOptions,
  formatHelp,
  intOption,
  floatOption,
  stringOption,
  type Command,
  type CommandContext,
  type OptionSpec,
} from './cli.js';
export { commands } from './commands/index.js';
export { lineChartSvg, niceTicks, type Series, type ChartOptions } from './plot.js';
export { Progress } from './progress.js';
export { RUNTIME_OPTIONS, configureRuntime, releaseRuntime, type RuntimeChoice } from './runtime.js';
