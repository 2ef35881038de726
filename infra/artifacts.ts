// Where built zips live, how Terraform finds them, and whether Lambda gets them directly or via S3.
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { S3Object } from '@cdktf/provider-aws/lib/s3-object';
import type { LayerName } from '../handlers/catalog-types';
import type { PrivateBucket } from './storage';

/** Lambda refuses zips above this size in a direct upload: they must come from S3. */
export const DIRECT_UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;

export const functionZipPath = (distDir: string, name: string) => join(distDir, 'functions', `${name}.zip`);
export const layerZipPath = (distDir: string, layer: LayerName) => join(distDir, 'layers', `${layer}.zip`);

export interface ArtifactContext {
  /** The folder Terraform runs in: artifact paths are written relative to it so the output is portable. */
  terraformDir: string;
  artifactsBucket: PrivateBucket;
}

/** The code-location arguments shared by aws_lambda_function and aws_lambda_layer_version. */
export interface CodeLocation {
  filename?: string;
  s3Bucket?: string;
  s3Key?: string;
  s3ObjectVersion?: string;
  /** Computed by Terraform from the file at plan time, so it never goes stale after a rebuild. */
  sourceCodeHash: string;
}

/**
 * Builds the code location of one zip. Fails with the command to run when the zip is missing: the
 * upload route depends on its size, and a plan without the file would fail later, less clearly.
 */
export function codeLocation(scope: Construct, id: string, zipPath: string, ctx: ArtifactContext, buildHint: string): CodeLocation {
  if (!existsSync(zipPath)) throw new Error(`Missing ${zipPath}: run \`${buildHint}\` before synthesizing`);
  const path = terraformPath(ctx.terraformDir, zipPath);
  const sourceCodeHash = Fn.filebase64sha256(path);
  if (statSync(zipPath).size <= DIRECT_UPLOAD_LIMIT_BYTES) return { filename: path, sourceCodeHash };
  const object = new S3Object(scope, `${id}-artifact`, {
    bucket: ctx.artifactsBucket.name,
    key: `artifacts/${basename(dirname(zipPath))}/${basename(zipPath)}`,
    source: path,
    sourceHash: Fn.filemd5(path),
    // Without it the object can be written before versioning is on: it gets no version id, and the next
    // refresh, finding one, replaces the layer or function (and every function using the layer).
    dependsOn: [ctx.artifactsBucket.versioning],
  });
  return { s3Bucket: object.bucket, s3Key: object.key, s3ObjectVersion: object.versionId, sourceCodeHash };
}

function terraformPath(terraformDir: string, file: string): string {
  return relative(terraformDir, file).split(sep).join('/');
}
