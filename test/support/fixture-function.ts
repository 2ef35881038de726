// FunctionSpecs for test and benchmark handlers (test/fixtures/functions by default): small, short, no access.
import type { FunctionSpec } from '../../handlers/catalog-types';

export function fixtureFunction(name: string, overrides: Partial<FunctionSpec> = {}): FunctionSpec {
  return {
    name,
    entry: 'test/fixtures/functions/probe.ts',
    description: `test function ${name}`,
    memoryMb: 256,
    timeoutSeconds: 60,
    ephemeralStorageMb: 512,
    layers: [],
    s3: { read: [], write: [] },
    table: 'none',
    ...overrides,
  };
}
