// THE function table. Infra creates one Lambda per entry; the local runtime runs the same entries.
// Pipelines add their functions here; nothing else lists functions.
import type { FunctionSpec } from './catalog-types';

export const catalog: readonly FunctionSpec[] = [];

export function findFunction(name: string): FunctionSpec {
  const spec = catalog.find((f) => f.name === name);
  if (!spec) {
    const known = catalog.map((f) => f.name).join(', ') || '(none)';
    throw new Error(`Unknown function "${name}". Known functions: ${known}`);
  }
  return spec;
}
