// Shared by the infra tests: a throwaway dist/ folder with stand-in zips, and synthesis to parsed JSON.
import { mkdtempSync, readdirSync, rmSync, mkdirSync, writeFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Testing } from 'cdktf';
import type { FunctionSpec } from '../../handlers/catalog-types';
import { readStackConfig, type StackConfig } from '../../infra/config';
import { DIRECT_UPLOAD_LIMIT_BYTES, functionZipPath, layerZipPath } from '../../infra/artifacts';
import { layersUsed } from '../../infra/layers';
import type { StateMachineSource } from '../../infra/asl-definition';
import { defineLonghaulStack } from '../../infra/stack';
import { fixtureCatalog } from './fixtures/catalog';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

export interface FakeDist {
  dir: string;
  remove: () => void;
}

/**
 * Small stand-in zips; the ffmpeg layer is a sparse file just over the direct-upload limit, so the
 * S3 route is exercised without writing 50 MB.
 */
export function makeFakeDist(catalog: readonly FunctionSpec[]): FakeDist {
  const dir = mkdtempSync(join(tmpdir(), 'longhaul-infra-dist-'));
  mkdirSync(join(dir, 'functions'));
  mkdirSync(join(dir, 'layers'));
  for (const spec of catalog) writeFileSync(functionZipPath(dir, spec.name), `zip of ${spec.name}`);
  for (const layer of layersUsed(catalog)) {
    const path = layerZipPath(dir, layer);
    writeFileSync(path, '');
    if (layer === 'ffmpeg') truncateSync(path, DIRECT_UPLOAD_LIMIT_BYTES + 1);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** One state machine per `<name>.asl.json` in a fixture folder. */
export function stateMachinesIn(dir: string): StateMachineSource[] {
  const suffix = '.asl.json';
  return readdirSync(dir)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => ({ name: f.slice(0, -suffix.length), aslPath: join(dir, f) }));
}

export interface SynthOptions {
  catalog: readonly FunctionSpec[];
  stateMachines: readonly StateMachineSource[];
  distDir: string;
  config?: StackConfig;
  /** The local state file main.ts passes; none by default. */
  statePath?: string;
}

/** Terraform JSON of the stack, parsed. */
export function synthStack(options: SynthOptions): TerraformJson {
  const app = Testing.app();
  const stack = defineLonghaulStack(app, {
    config: options.config ?? readStackConfig({}),
    catalog: options.catalog,
    stateMachines: options.stateMachines,
    distDir: options.distDir,
    terraformDir: join(options.distDir, '..', 'cdktf.out', 'stacks', 'dev'),
    statePath: options.statePath,
  });
  return JSON.parse(Testing.synth(stack)) as TerraformJson;
}

export type TfResource = Record<string, unknown>;
export interface TerraformJson {
  terraform: { backend?: Record<string, Record<string, unknown>> };
  provider: { aws: { region: string }[] };
  resource: Record<string, Record<string, TfResource>>;
  output: Record<string, { value: unknown }>;
  data?: Record<string, Record<string, TfResource>>;
}

/** All resources of one type, by their Terraform name. */
export function resourcesOf(tf: TerraformJson, type: string): Record<string, TfResource> {
  return tf.resource[type] ?? {};
}

/** Mocha helper: the fixture catalog and ASL synthesized once for a describe block, beside stand-in zips. */
export function useFixtureStack(): () => { tf: TerraformJson; distDir: string } {
  let dist: FakeDist | undefined;
  let tf: TerraformJson | undefined;
  before(() => {
    dist = makeFakeDist(fixtureCatalog);
    tf = synthStack({ catalog: fixtureCatalog, stateMachines: stateMachinesIn(join(FIXTURES, 'asl')), distDir: dist.dir });
  });
  after(() => dist?.remove());
  return () => {
    if (!tf || !dist) throw new Error('useFixtureStack: the stack is synthesized in before()');
    return { tf, distDir: dist.dir };
  };
}
