// The TensorFlow.js layer: nodejs/node_modules holding exactly the files Node loads for tfjs with the
// wasm backend. The raw packages with their browser bundles, maps and minified builds are ~290 MB;
// what Node reads is a few MB. The file list is traced, not hand-kept, and the zip is then proven by
// running the same workload from the unzipped layer.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { FILE_MODE, type ZipEntry } from '../infra/packaging/deterministic-zip';

const run = promisify(execFile);
const WORKLOAD = join(import.meta.dirname, 'tfjs-workload.mjs');
/** The wasm backend picks one of its binaries by CPU features at run time: ship them all. */
const WASM_DIST = '@tensorflow/tfjs-backend-wasm/dist';
const LICENSE = /^(license|licence|notice)(\.\w+)?$/i;

export interface WorkloadReport {
  backend: string;
  product: number[];
  saved: boolean;
  files: string[];
}

/** Runs the workload with `nodejs/node_modules` resolving to `nodeModulesDir`, in a fresh process. */
async function runWorkload(nodeModulesDir: string, layerRoot?: string): Promise<WorkloadReport> {
  const root = layerRoot ?? mkdtempSync(join(tmpdir(), 'longhaul-tfjs-trace-'));
  try {
    const nodejs = join(root, 'nodejs');
    mkdirSync(nodejs, { recursive: true });
    if (!layerRoot) symlinkSync(nodeModulesDir, join(nodejs, 'node_modules'), 'dir');
    copyFileSync(WORKLOAD, join(nodejs, 'workload.mjs'));
    const env = { ...process.env };
    delete env.NODE_PATH;
    delete env.NODE_OPTIONS; // tsx's loader would resolve from the repository instead of the layer.
    const { stdout } = await run(process.execPath, ['workload.mjs'], { cwd: nodejs, env, maxBuffer: 16 * 1024 * 1024 });
    return JSON.parse(stdout) as WorkloadReport;
  } finally {
    if (!layerRoot) rmSync(root, { recursive: true, force: true });
  }
}

/** The package folder (`.../node_modules/@scope/name`) a file under node_modules belongs to. */
function packageDirOf(relPath: string): string {
  const parts = relPath.split('/');
  const lastNm = parts.lastIndexOf('node_modules');
  const start = lastNm + 1;
  const length = parts[start].startsWith('@') ? 2 : 1;
  return parts.slice(0, start + length).join('/');
}

export async function tfjsLayerEntries(rootDir: string): Promise<ZipEntry[]> {
  const nodeModules = realpathSync(join(rootDir, 'node_modules'));
  for (const pkg of ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm']) {
    if (!existsSync(join(nodeModules, pkg, 'package.json'))) throw new Error(`tfjs layer: ${pkg} is not installed (run \`make install\`)`);
  }
  const report = await runWorkload(nodeModules);
  assertWorkloadSucceeded(report, 'tracing');

  const files = new Set<string>();
  for (const file of report.files) {
    const rel = relative(nodeModules, realpathSync(file)).split(sep).join('/');
    if (rel.startsWith('..')) continue; // node built-ins and the workload itself
    files.add(rel);
  }
  for (const name of readdirSync(join(nodeModules, WASM_DIST))) {
    if (name.endsWith('.wasm')) files.add(`${WASM_DIST}/${name}`);
  }
  // Resolution needs each package's package.json ("main"); licences travel with the code.
  for (const pkgDir of new Set([...files].map(packageDirOf))) {
    for (const name of readdirSync(join(nodeModules, pkgDir))) {
      if (name === 'package.json' || LICENSE.test(name)) files.add(`${pkgDir}/${name}`);
    }
  }
  return [...files].sort().map((rel) => ({
    name: `nodejs/node_modules/${rel}`,
    source: { path: join(nodeModules, rel) },
    mode: FILE_MODE,
  }));
}

/**
 * Unzips the layer into a temporary folder and runs the workload there, checking that every file
 * Node loaded came from the layer: a missing file fails here, not in Lambda.
 */
export async function verifyTfjsLayer(zipPath: string): Promise<WorkloadReport> {
  const root = mkdtempSync(join(tmpdir(), 'longhaul-tfjs-layer-'));
  try {
    await run('unzip', ['-q', zipPath, '-d', root]).catch((error: Error) => {
      throw new Error(`tfjs layer: cannot unzip ${zipPath} to verify it (${error.message}); is \`unzip\` installed?`);
    });
    const report = await runWorkload(join(root, 'nodejs', 'node_modules'), root);
    assertWorkloadSucceeded(report, 'verification');
    const layerDir = realpathSync(join(root, 'nodejs'));
    const outside = report.files.filter((f) => f.includes('node_modules') && !realpathSync(f).startsWith(layerDir + sep));
    if (outside.length > 0) throw new Error(`tfjs layer: loaded files from outside the layer: ${outside.join(', ')}`);
    return report;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function assertWorkloadSucceeded(report: WorkloadReport, phase: string): void {
  if (report.backend !== 'wasm' || JSON.stringify(report.product) !== '[2,4,6]' || !report.saved) {
    throw new Error(`tfjs layer ${phase}: workload gave backend=${report.backend} product=${JSON.stringify(report.product)} saved=${report.saved}`);
  }
}

export { packageDirOf };
