// One Lambda layer version per layer the catalog uses, from dist/layers/<name>.zip.
import { Construct } from 'constructs';
import { LambdaLayerVersion } from '@cdktf/provider-aws/lib/lambda-layer-version';
import type { FunctionSpec, LayerName } from '../handlers/catalog-types';
import { resourceName, type StackConfig } from './config';
import { codeLocation, layerZipPath, type ArtifactContext } from './artifacts';
import { LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME } from './lambda-runtime';

export function layersUsed(catalog: readonly FunctionSpec[]): LayerName[] {
  return [...new Set(catalog.flatMap((f) => f.layers))].sort();
}

export function defineLayers(
  scope: Construct,
  config: StackConfig,
  catalog: readonly FunctionSpec[],
  distDir: string,
  artifacts: ArtifactContext,
): Partial<Record<LayerName, LambdaLayerVersion>> {
  const layers: Partial<Record<LayerName, LambdaLayerVersion>> = {};
  for (const layer of layersUsed(catalog)) {
    const id = `layer-${layer}`;
    layers[layer] = new LambdaLayerVersion(scope, id, {
      layerName: resourceName(config, layer),
      ...codeLocation(scope, id, layerZipPath(distDir, layer), artifacts, 'make layers'),
      compatibleRuntimes: [LAMBDA_RUNTIME],
      compatibleArchitectures: [LAMBDA_ARCHITECTURE],
    });
  }
  return layers;
}
