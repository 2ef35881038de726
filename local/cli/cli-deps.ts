// What the local commands touch outside themselves, injectable so tests can drive them without a
// terminal, plus the small argument and signal helpers they share.
import { readFileSync } from 'node:fs';
import { catalog } from '../../handlers/catalog';
import type { FunctionSpec } from '../../handlers/catalog-types';
import { startLocalServices, type LocalServices, type LocalServicesOptions } from '../services';
import { UsageError } from './command';

export interface Interruption {
  promise: Promise<void>;
  dispose(): void;
}

export interface CliDeps {
  functions(): readonly FunctionSpec[];
  startServices(opts: LocalServicesOptions): Promise<LocalServices>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Resolves when the user asks to stop (Ctrl-C); the running work is then aborted. */
  interrupted(): Interruption;
}

/** Resolves on the first SIGINT or SIGTERM; dispose() stops listening. */
export function waitForCtrlC(): Interruption {
  let onSignal = (): void => {};
  const promise = new Promise<void>((resolve) => {
    onSignal = () => resolve();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  return {
    promise,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

export const defaultCliDeps: CliDeps = {
  functions: () => catalog,
  startServices: startLocalServices,
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  interrupted: waitForCtrlC,
};

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
