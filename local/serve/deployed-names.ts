// The names infra deploys, for `longhaul serve`: clients call `longhaul-dev-video-probe` and the
// `longhaul-dev-video` state machine, as in AWS, while the Lambda runner knows catalog names
// (`VideoProbe`). One translation, built from infra's own naming functions, so the two cannot drift.
import { randomUUID } from 'node:crypto';
import { kebabName, type FunctionSpec } from '../../handlers/catalog-types';
import { resourceName, type StackConfig } from '../../infra/config';
import { localFunctionArn } from '../local-arn';
import { resolveFunctionName } from '../lambda/function-name';
import type { LambdaInvoker } from '../lambda/types';

export type NamingConfig = Pick<StackConfig, 'prefix' | 'stackName'>;

export interface DeployedFunction {
  /** The catalog's name, which the runner knows: `VideoProbe`. */
  catalogName: string;
  /** The deployed name: `longhaul-dev-video-probe`. */
  functionName: string;
  functionArn: string;
  spec: FunctionSpec;
}

export type FunctionLookup = { ok: true; fn: DeployedFunction } | { ok: false; message: string };

export interface DeployedNames {
  region: string;
  config: NamingConfig;
  /** Every function, by deployed name. */
  functions: readonly DeployedFunction[];
  /** What the Lambda API accepts: a name, `name:$LATEST`, a function ARN, or a partial ARN (`000000000000:function:name`). */
  lookupFunction(nameOrArn: string): FunctionLookup;
  /** Deployed function ARNs by catalog name: the values of the `${<Function>Arn}` ASL placeholders. */
  functionArnsByCatalogName(): Record<string, string>;
  /** `video` → `longhaul-dev-video`, as infra names a pipeline's state machine. */
  stateMachineName(pipelineName: string): string;
}

const PARTIAL_ARN = /^(\d{12}):function:(.+)$/;

export function deployedNames(opts: { functions: readonly FunctionSpec[]; region: string; config: NamingConfig }): DeployedNames {
  const { region, config } = opts;
  const functions = opts.functions.map((spec): DeployedFunction => {
    const functionName = resourceName(config, kebabName(spec.name));
    return { catalogName: spec.name, functionName, functionArn: localFunctionArn(functionName, region), spec };
  });
  const byName = new Map(functions.map((fn) => [fn.functionName, fn]));

  const lookupFunction = (nameOrArn: string): FunctionLookup => {
    const partial = PARTIAL_ARN.exec(nameOrArn);
    const resolved = resolveFunctionName(partial ? partial[2]! : nameOrArn, region);
    if (!resolved.ok) return { ok: false, message: `Function not found: ${nameOrArn} (${resolved.reason})` };
    const [name, qualifier] = splitQualifier(resolved.name);
    const fn = byName.get(name);
    if (fn && (qualifier === undefined || qualifier === '$LATEST')) return { ok: true, fn };
    const arn = localFunctionArn(resolved.name, region);
    const why = fn ? `only the $LATEST version exists locally` : `known functions: ${[...byName.keys()].join(', ') || '(none)'}`;
    return { ok: false, message: `Function not found: ${arn} (${why})` };
  };

  return {
    region,
    config,
    functions,
    lookupFunction,
    functionArnsByCatalogName: () => Object.fromEntries(functions.map((fn) => [fn.catalogName, fn.functionArn])),
    stateMachineName: (pipelineName) => resourceName(config, pipelineName),
  };
}

/** `name:qualifier` as the Lambda API allows it in a function name (an ARN's qualifier is checked earlier). */
function splitQualifier(name: string): [string, string | undefined] {
  const at = name.indexOf(':');
  return at < 0 ? [name, undefined] : [name.slice(0, at), name.slice(at + 1)];
}

/**
 * The runner behind deployed names: what the engine's Task states and the Lambda API call. An unknown
 * name fails as Lambda's Invoke would, naming the deployed functions rather than the catalog's.
 */
export function deployedNameInvoker(names: DeployedNames, runner: LambdaInvoker): LambdaInvoker {
  return {
    async invoke(nameOrArn, payload, options) {
      const found = names.lookupFunction(nameOrArn);
      if (found.ok) return runner.invoke(found.fn.catalogName, payload, options);
      const error = { errorType: 'ResourceNotFoundException', errorMessage: found.message };
      return { ok: false, error, requestId: randomUUID(), durationMs: 0 };
    },
  };
}
