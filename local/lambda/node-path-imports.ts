// Lambda's Node runtime searches the folders of NODE_PATH for ES module imports too (since nodejs18.x;
// upstream Node does that for require() only): it is how a bundle's `import '@tensorflow/tfjs'` finds the
// package a layer puts under /opt/nodejs/node_modules. Runs inside the worker, before the handler loads.
import * as nodeModule from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

interface ResolveContext {
  parentURL?: string;
  conditions?: string[];
  importAttributes?: Record<string, string>;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context?: ResolveContext) => ResolveResult;
interface SyncHooks {
  resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): ResolveResult;
}

// Synchronous, in-thread hooks (Node 22.15+): no loader thread to start, so a cold start stays cheap.
// Not in @types/node 20, hence the cast.
const { registerHooks } = nodeModule as unknown as { registerHooks?: (hooks: SyncHooks) => unknown };

/** `@scope/pkg`, `pkg/sub`: what node looks up in node_modules folders (not paths, URLs or built-ins). */
export function isBareSpecifier(specifier: string): boolean {
  return !/^(\.{0,2}\/|[a-z][a-z0-9+.-]*:)/i.test(specifier);
}

/** Makes a bare import that fails the usual lookup try each `node_modules` folder of `nodePath`, in order. */
export function resolveBareImportsFromNodePath(nodePath: string | undefined): void {
  const folders = (nodePath ?? '').split(path.delimiter).filter((dir) => path.basename(dir) === 'node_modules');
  if (folders.length === 0) return;
  if (!registerHooks) throw new Error(`node ${process.version} has no module.registerHooks (22.15+): packages in layers cannot be imported`);
  // Node's own lookup from a module beside a node_modules folder starts in that folder.
  const parents = folders.map((dir) => pathToFileURL(path.join(path.dirname(dir), 'node-path-parent.mjs')).href);
  registerHooks({
    resolve(specifier, context, nextResolve) {
      try {
        return nextResolve(specifier, context);
      } catch (err) {
        if (!isBareSpecifier(specifier) || (err as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw err;
        for (const parentURL of parents) {
          try {
            return nextResolve(specifier, { ...context, parentURL });
          } catch {
            // Not in this folder: the next one.
          }
        }
        throw err;
      }
    },
  });
}
