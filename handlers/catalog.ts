// THE function table, and the list of pipelines it is collected from. Infra creates one Lambda per
// function and one state machine per pipeline; the local runtime and `longhaul run` run the same ones.
// A new pipeline is added to `pipelines` here and nowhere else (README.md, "Add a pipeline").
import { assertReservedConcurrency, type FunctionSpec } from './catalog-types';
import { PIPELINE_ENV } from './lib/metric-names';
import { TMP_LIMIT_ENV } from './lib/workdir';
import type { Pipeline } from './pipeline';
import { etlPipeline } from './etl/pipeline';
import { mlPipeline } from './ml/pipeline';
import { sharedFunctions } from './shared/functions';
import { videoPipeline } from './video/pipeline';

export const pipelines: readonly Pipeline[] = [videoPipeline, etlPipeline, mlPipeline];

/**
 * Every function the pipelines need: the shared ones (RecordFailure) and each pipeline's own, each told
 * its /tmp size so a local run refuses what Lambda would. Tests pass other pipelines (fixtures) to build
 * the catalog a stack of their own runs.
 */
export function collectFunctions(from: readonly Pipeline[]): FunctionSpec[] {
  const functions = [...sharedFunctions, ...from.flatMap((p) => p.functions)];
  const seen = new Set<string>();
  for (const spec of functions) {
    if (seen.has(spec.name)) throw new Error(`Function "${spec.name}" is declared twice (pipelines: ${from.map((p) => p.name).join(', ')})`);
    seen.add(spec.name);
    assertReservedConcurrency(spec);
  }
  // Each function's pipeline names the `pipeline` dimension of its metrics (handlers/lib/metrics.ts).
  const pipelineOf = new Map(from.flatMap((p) => p.functions.map((f): [string, string] => [f.name, p.name])));
  return functions.map((spec) => {
    const pipeline = pipelineOf.get(spec.name);
    return { ...spec, env: { [TMP_LIMIT_ENV]: String(spec.ephemeralStorageMb), ...(pipeline ? { [PIPELINE_ENV]: pipeline } : {}), ...spec.env } };
  });
}

export const catalog: readonly FunctionSpec[] = collectFunctions(pipelines);

export function findFunction(name: string): FunctionSpec {
  const spec = catalog.find((f) => f.name === name);
  if (!spec) {
    const known = catalog.map((f) => f.name).join(', ') || '(none)';
    throw new Error(`Unknown function "${name}". Known functions: ${known}`);
  }
  return spec;
}
