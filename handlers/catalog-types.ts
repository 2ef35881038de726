// The shape of one Lambda function, shared by infra (Terraform) and the local runtime.
// Kept apart from the table itself so tests and tools can describe ad-hoc functions the same way.

export type LayerName = 'ffmpeg' | 'tfjs';

/** What a function may do with the progress table. `write` includes read. */
export type TableAccess = 'none' | 'read' | 'write';

export interface S3Access {
  /** Key patterns under the data bucket, e.g. `jobs/*\/input/*`; `*` matches within and across segments as IAM does. */
  read: string[];
  write: string[];
}

export interface FunctionSpec {
  /** PascalCase catalog name; ASL refers to it as `${<name>Arn}`. */
  name: string;
  /** Path of the handler module from the repository root; it exports `handler`. */
  entry: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** Lambda's /tmp size (512..10240). */
  ephemeralStorageMb: number;
  layers: LayerName[];
  s3: S3Access;
  table: TableAccess;
  /** Extra environment beyond the common one (bucket, table, region). */
  env?: Record<string, string>;
}

/** `VideoSplit` → `video-split`, the suffix of the deployed function name. */
export function kebabName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
