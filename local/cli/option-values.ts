// Parsing option values the same way in every command: errors name the option and are usage errors (exit 2).
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CodeMode } from '../lambda/function-code';
import { UsageError } from './command';

/** node's parseArgs with strict options and positionals allowed; an unknown or malformed option is a UsageError. */
export function parseOptions<const O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Reads a JSON option given inline or as @file; errors name the option. */
export function readJsonArg(option: string, value: string): unknown {
  let text = value;
  if (value.startsWith('@')) {
    const file = value.slice(1);
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new UsageError(`${option}: cannot read ${file}: ${(err as Error).message}`);
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new UsageError(`${option} is not valid JSON: ${(err as Error).message}`);
  }
}

/** A finite number above zero, e.g. `--timeout-scale 0.01`; undefined when the option is absent. */
export function positiveNumber(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new UsageError(`${option} must be a positive number, got "${value}"`);
  return n;
}

/** An integer, e.g. `--height 360`; range checks stay with whoever knows the range. */
export function wholeNumber(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new UsageError(`${option} must be a whole number, got "${value}"`);
  return n;
}

/** `--from-source`, for every command that runs functions: workers run the TypeScript, not the bundles. */
export const FROM_SOURCE_OPTION = { 'from-source': { type: 'boolean', default: false } } as const;
export const FROM_SOURCE_HELP = "Run the functions' TypeScript sources (tsx), not their deployed bundles.";

export function codeMode(fromSource: boolean | undefined): CodeMode {
  return fromSource ? 'source' : 'bundle';
}
