// The configuration of the functions a trace invoked, as Lambda's GetFunction reports it: timeout for the
// timeline's 80% marks, memory, /tmp size and architecture for the cost.
import { GetFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { ExecutionTrace } from './execution-trace';

export interface FunctionConfig {
  timeoutSeconds: number;
  memoryMb: number;
  ephemeralStorageMb: number;
  architecture: 'x86_64' | 'arm64';
}

/** By function name; a function Lambda no longer knows is left out (the caller says so). */
export async function readFunctionConfigs(lambda: LambdaClient, functionNames: Iterable<string>): Promise<Record<string, FunctionConfig>> {
  const names = [...new Set(functionNames)];
  const entries = await Promise.all(
    names.map(async (name) => {
      try {
        const res = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
        const c = res.Configuration;
        const config: FunctionConfig = {
          // Lambda's defaults when a field is absent: 3 s, 128 MB, 512 MB of /tmp, x86_64.
          timeoutSeconds: c?.Timeout ?? 3,
          memoryMb: c?.MemorySize ?? 128,
          ephemeralStorageMb: c?.EphemeralStorage?.Size ?? 512,
          architecture: c?.Architectures?.[0] === 'arm64' ? 'arm64' : 'x86_64',
        };
        return [name, config] as const;
      } catch (err) {
        if ((err as Error).name === 'ResourceNotFoundException') return undefined;
        throw err;
      }
    }),
  );
  return Object.fromEntries(entries.filter((e) => e !== undefined));
}

export function invokedFunctions(trace: ExecutionTrace): string[] {
  return [...new Set(trace.tasks.map((t) => t.functionName).filter((n): n is string => n !== undefined))].sort();
}

export function timeoutsOf(configs: Record<string, FunctionConfig>): Record<string, number> {
  return Object.fromEntries(Object.entries(configs).map(([name, c]) => [name, c.timeoutSeconds]));
}
