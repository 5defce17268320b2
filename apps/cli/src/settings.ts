/**
 * Settings tables: each command's flags written once. A setting names its flag, says what it is,
 * parses its text and takes its default from the package that owns it; the table generates the
 * options (`settingOptions`, with the default in the help text), reads what was given
 * (`givenSettings`) and resolves the rest to the defaults (`resolveSettings`).
 */
import { UsageError, type OptionSpec, type OptionValues } from './cli.js';

/** One flag: its name, help text, parser and default. */
export interface Setting<T> {
  /** The flag without dashes: `'lr-decay'`. */
  readonly flag: string;
  /** What the flag sets, without its default (added by `settingOptions`). */
  readonly description: string;
  /** The placeholder in the help (`N`, `RATE`); a boolean flag has none. */
  readonly valueName?: string;
  /** The value when the flag is not given: taken from the package that owns it (undefined: none, and none shown). */
  readonly default: T;
  /** The value of the flag's text (a boolean flag gets `true`); a `UsageError` naming the flag otherwise. */
  readonly parse: (raw: string | boolean, flag: string) => T;
  /** How the default reads in the help text (default: `String`). */
  readonly format?: (value: T) => string;
  /** A boolean flag: present or absent, no value. */
  readonly boolean?: boolean;
}

/** A command's settings, by the name its code uses. */
export type SettingsTable<S> = { readonly [K in keyof S]: Setting<S[K]> };

/** The values of a table's settings. */
export type SettingsOf<T> = { [K in keyof T]: T[K] extends Setting<infer V> ? V : never };

/** The parseArgs options of a table, each help text ending with its default. */
export function settingOptions<T extends SettingsTable<unknown>>(table: T): Record<string, OptionSpec> {
  const options: Record<string, OptionSpec> = {};
  for (const setting of Object.values(table) as Setting<unknown>[]) {
    if (setting.boolean) {
      options[setting.flag] = { type: 'boolean', description: setting.description };
      continue;
    }
    const shown = setting.default === undefined ? undefined : (setting.format ?? String)(setting.default);
    options[setting.flag] = {
      type: 'string',
      description: shown === undefined ? `${setting.description}.` : `${setting.description} (default: ${shown}).`,
      ...(setting.valueName === undefined ? {} : { valueName: setting.valueName }),
    };
  }
  return options;
}

/** The settings whose flags were given, parsed (absent ones are left out). */
export function givenSettings<T extends SettingsTable<unknown>>(values: OptionValues, table: T): Partial<SettingsOf<T>> {
  const given: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(table) as [string, Setting<unknown>][]) {
    const raw = values[setting.flag];
    if (raw === undefined || (setting.boolean && raw !== true)) continue;
    given[key] = setting.parse(raw as string | boolean, setting.flag);
  }
  return given as Partial<SettingsOf<T>>;
}

/** Every setting: given, else its default. */
export function resolveSettings<T extends SettingsTable<unknown>>(values: OptionValues, table: T): SettingsOf<T> {
  const defaults = Object.fromEntries((Object.entries(table) as [string, Setting<unknown>][]).map(([key, s]) => [key, s.default]));
  return { ...defaults, ...givenSettings(values, table) } as SettingsOf<T>;
}

// ---- parsers ---------------------------------------------------------------------------------------

/** An integer, optionally bounded. */
export function int(range: { min?: number; max?: number } = {}): (raw: string | boolean, flag: string) => number {
  return (raw, flag) => {
    const text = String(raw);
    const v = Number(text);
    if (!/^[+-]?\d+$/.test(text.trim()) || !Number.isSafeInteger(v)) throw new UsageError(`--${flag} expects an integer, got '${text}'`);
    if (range.min !== undefined && v < range.min) throw new UsageError(`--${flag} must be at least ${range.min}, got ${v}`);
    if (range.max !== undefined && v > range.max) throw new UsageError(`--${flag} must be at most ${range.max}, got ${v}`);
    return v;
  };
}

/** A finite number: `min` inclusive (or exclusive with `above`), `max` inclusive (or exclusive with `below`). */
export function float(
  range: { min?: number; above?: number; max?: number; below?: number } = {},
): (raw: string | boolean, flag: string) => number {
  return (raw, flag) => {
    const text = String(raw);
    const v = Number(text);
    if (text.trim() === '' || !Number.isFinite(v)) throw new UsageError(`--${flag} expects a number, got '${text}'`);
    if (range.min !== undefined && v < range.min) throw new UsageError(`--${flag} must be at least ${range.min}, got ${v}`);
    if (range.above !== undefined && v <= range.above) throw new UsageError(`--${flag} must be greater than ${range.above}, got ${v}`);
    if (range.max !== undefined && v > range.max) throw new UsageError(`--${flag} must be at most ${range.max}, got ${v}`);
    if (range.below !== undefined && v >= range.below) throw new UsageError(`--${flag} must be below ${range.below}, got ${v}`);
    return v;
  };
}

/** One of `choices`. */
export function choice<T extends string>(choices: readonly T[]): (raw: string | boolean, flag: string) => T {
  return (raw, flag) => {
    const text = String(raw);
    if (!(choices as readonly string[]).includes(text))
      throw new UsageError(`--${flag} must be one of ${choices.join(', ')}, got '${text}'`);
    return text as T;
  };
}

/** The flag's text as given (a name, a path). */
export function text(): (raw: string | boolean, flag: string) => string {
  return (raw) => String(raw);
}

/** `parse`, or null for the word `none`. */
export function orNone<T>(parse: (raw: string | boolean, flag: string) => T): (raw: string | boolean, flag: string) => T | null {
  return (raw, flag) => (raw === 'none' ? null : parse(raw, flag));
}

/** A boolean flag (present: true). */
export function flagSetting(flag: string, description: string): Setting<boolean> {
  return { flag, description, default: false, boolean: true, parse: () => true };
}
