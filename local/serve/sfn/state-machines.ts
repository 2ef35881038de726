// The state machines `longhaul serve` knows, each registered with the engine so `states:startExecution`
// tasks find it. Built-ins (the pipelines) are registered by the server at every start and never written
// down; machines users create are kept in `<dataDir>/sfn/state-machines.json` (written to a temp file,
// flushed, then renamed over the old one, so a crash leaves the old file or the new one, never half of one)
// and registered again at the next start.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { loadDefinition, type Engine, type StateMachineDefinition } from '../../engine';
import { mockedStateNames } from '../../engine/mock-config';
import { localArn } from '../../local-arn';

export interface LoggingConfiguration {
  level?: string;
  includeExecutionData?: boolean;
  destinations?: unknown[];
}

export interface StateMachineEntry {
  arn: string;
  name: string;
  /** The definition as it was given (DescribeStateMachine returns this text). */
  definitionText: string;
  /** The loaded definition; undefined when a stored definition no longer loads (`loadProblem` says why). */
  definition?: StateMachineDefinition;
  loadProblem?: string;
  roleArn: string;
  type: 'STANDARD';
  creationDate: Date;
  updateDate?: Date;
  revisionId: string;
  loggingConfiguration: LoggingConfiguration;
  tracingConfiguration: { enabled: boolean };
  builtIn: boolean;
}

export interface StateMachineRegistry {
  /** Registers a machine that ships with the server (not persisted); returns its ARN. */
  registerBuiltIn(name: string, definition: StateMachineDefinition): string;
  /** The ARN a machine of this name has. */
  arnOf(name: string): string;
  find(stateMachineArn: string): StateMachineEntry | undefined;
  /** In creation order. */
  list(): StateMachineEntry[];
  /** Adds or replaces a user machine, registers it with the engine and writes the file. */
  save(entry: StateMachineEntry): void;
  /** Forgets a user machine and writes the file; running executions keep their definition. */
  remove(stateMachineArn: string): void;
}

/** The role a machine gets when none was given: the one infra creates for it (`<name>-sfn`). */
export function defaultRoleArn(machineName: string): string {
  return localArn('iam', '', `role/${machineName}-sfn`);
}

export const DEFAULT_LOGGING: LoggingConfiguration = { level: 'OFF', includeExecutionData: false };

interface StoredMachine {
  name: string;
  definition: string;
  roleArn: string;
  type: 'STANDARD';
  creationDate: string;
  updateDate?: string;
  revisionId: string;
  loggingConfiguration: LoggingConfiguration;
  tracingConfiguration: { enabled: boolean };
}

interface StoredFile {
  version: 1;
  stateMachines: StoredMachine[];
}

function toStored(entry: StateMachineEntry): StoredMachine {
  return {
    name: entry.name,
    definition: entry.definitionText,
    roleArn: entry.roleArn,
    type: entry.type,
    creationDate: entry.creationDate.toISOString(),
    updateDate: entry.updateDate?.toISOString(),
    revisionId: entry.revisionId,
    loggingConfiguration: entry.loggingConfiguration,
    tracingConfiguration: entry.tracingConfiguration,
  };
}

function readStored(file: string): StoredMachine[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  let parsed: Partial<StoredFile>;
  try {
    parsed = JSON.parse(text) as Partial<StoredFile>;
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message}); fix or remove it to start`);
  }
  if (parsed.version !== 1 || !Array.isArray(parsed.stateMachines)) {
    throw new Error(`${file}: expected {"version": 1, "stateMachines": [...]}; fix or remove it to start`);
  }
  return parsed.stateMachines;
}

function writeAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
}

export function createStateMachineRegistry(opts: { engine: Engine; region: string; dataDir?: string }): StateMachineRegistry {
  const { engine } = opts;
  const machines = new Map<string, StateMachineEntry>();
  const file = opts.dataDir ? join(opts.dataDir, 'sfn', 'state-machines.json') : undefined;

  const arnOf = (name: string) => localArn('states', opts.region, `stateMachine:${name}`);

  const persist = () => {
    if (!file) return;
    mkdirSync(join(file, '..'), { recursive: true });
    const stored: StoredFile = { version: 1, stateMachines: [...machines.values()].filter((m) => !m.builtIn).map(toStored) };
    writeAtomically(file, `${JSON.stringify(stored, null, 2)}\n`);
  };

  if (file) {
    for (const stored of readStored(file)) {
      const entry: StateMachineEntry = {
        arn: arnOf(stored.name),
        name: stored.name,
        definitionText: stored.definition,
        roleArn: stored.roleArn,
        type: stored.type,
        creationDate: new Date(stored.creationDate),
        updateDate: stored.updateDate ? new Date(stored.updateDate) : undefined,
        revisionId: stored.revisionId,
        loggingConfiguration: stored.loggingConfiguration,
        tracingConfiguration: stored.tracingConfiguration,
        builtIn: false,
      };
      // A definition the loader now refuses (the engine changed) is kept, so it is neither lost nor run:
      // StartExecution reports the problem, UpdateStateMachine can fix it.
      try {
        entry.definition = loadMachineDefinition(engine, stored.name, stored.definition);
        engine.registerStateMachine(entry.name, entry.definition);
      } catch (err) {
        entry.loadProblem = (err as Error).message;
        process.stderr.write(`longhaul serve: state machine '${stored.name}' in ${file} no longer loads: ${entry.loadProblem}\n`);
      }
      machines.set(entry.arn, entry);
    }
  }

  return {
    registerBuiltIn(name, definition) {
      const arn = engine.registerStateMachine(name, definition);
      // A built-in takes its name back from a user machine stored under it: the pipeline is what serve ships.
      machines.set(arn, {
        arn,
        name,
        definitionText: JSON.stringify(definition, null, 2),
        definition,
        roleArn: defaultRoleArn(name),
        type: 'STANDARD',
        creationDate: new Date(),
        revisionId: randomUUID(),
        loggingConfiguration: DEFAULT_LOGGING,
        tracingConfiguration: { enabled: false },
        builtIn: true,
      });
      return arn;
    },
    arnOf,
    find: (arn) => machines.get(arn),
    list: () => [...machines.values()],
    save(entry) {
      if (entry.definition) engine.registerStateMachine(entry.name, entry.definition);
      machines.set(entry.arn, entry);
      persist();
    },
    remove(arn) {
      const entry = machines.get(arn);
      if (!entry) return;
      machines.delete(arn);
      engine.unregisterStateMachine(entry.name);
      persist();
    },
  };
}

/**
 * A machine's definition as the engine will run it: the states its mock config's test cases mock may use
 * resources the engine cannot run (Step Functions Local accepts them too, since a test case stands in).
 */
export function loadMachineDefinition(engine: Engine, name: string, text: string): StateMachineDefinition {
  return loadDefinition(text, { mockedStates: mockedStateNames(engine.mockConfig, name) });
}
