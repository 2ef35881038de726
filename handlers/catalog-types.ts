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
  /**
   * Lambda reserved concurrency: this many instances held for the function alone, and no more at once.
   * Unset (the default) shares the account's pool. Lambda refuses a reservation that leaves fewer than
   * 100 unreserved, so on an account whose limit is 10 (a new one's may be) any value fails the apply.
   */
  reservedConcurrency?: number;
}

/** Throws naming the entry and field when the catalog's reserved concurrency is not a usable value. */
export function assertReservedConcurrency(spec: Pick<FunctionSpec, 'name' | 'reservedConcurrency'>): void {
  const value = spec.reservedConcurrency;
  if (value === undefined) return;
  // 0 is Lambda's "throttle every invocation": a pipeline task that can never run is a mistake, not a setting.
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`Catalog entry ${spec.name}: reservedConcurrency must be a whole number of at least 1 (or unset), got ${value}`);
  }
}

/** `VideoSplit` → `video-split`, the suffix of the deployed function name. */
export function kebabName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}
