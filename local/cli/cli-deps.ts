// What the local commands touch outside themselves, injectable so tests can drive them without a
// terminal, and the Ctrl-C handling they share.
import { catalog, pipelines } from '../../handlers/catalog';
import type { FunctionSpec } from '../../handlers/catalog-types';
import type { Pipeline } from '../../handlers/pipeline';
import { startLocalServices, type LocalServices, type LocalServicesOptions } from '../services';

export interface Interruption {
  promise: Promise<void>;
  dispose(): void;
}

export interface CliDeps {
  functions(): readonly FunctionSpec[];
  pipelines(): readonly Pipeline[];
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
  pipelines: () => pipelines,
  startServices: startLocalServices,
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  interrupted: waitForCtrlC,
};
