// The one price table `longhaul cost` uses: AWS list prices in us-east-1, dated. Overridable with a JSON
// file of the same shape (`--prices file.json`; any subset of the fields).
import { readFileSync } from 'node:fs';

export interface PriceTable {
  /** When the figures were last checked against AWS's pricing pages. */
  checked: string;
  region: string;
  currency: 'USD';
  stepFunctions: {
    /** Standard workflows, per state transition (first-tier list price $0.025 per 1,000). */
    perTransition: number;
  };
  lambda: {
    /** Per request (invocation): $0.20 per million. */
    perRequest: number;
    /** Per GB-second of duration, by architecture (first tier: 6 billion GB-s a month on x86, 7.5 on arm64). */
    perGbSecond: { x86_64: number; arm64: number };
    /** Per GB-second of ephemeral storage configured above the free 512 MB. */
    perEphemeralGbSecond: number;
  };
  s3: {
    /** S3 Standard PUT, COPY, POST and LIST requests: $0.005 per 1,000. */
    perPutOrList: number;
    /** S3 Standard GET, SELECT and all other requests: $0.0004 per 1,000 (DELETE is free). */
    perGetOrOther: number;
  };
  dynamodb: {
    /** On-demand write request units: $0.625 per million (since the November 2024 price cut). */
    perWriteUnit: number;
    /** On-demand read request units: $0.125 per million. */
    perReadUnit: number;
  };
}

export const DEFAULT_PRICES: PriceTable = {
  checked: '2026-12-06',
  region: 'us-east-1',
  currency: 'USD',
  stepFunctions: { perTransition: 0.025 / 1000 },
  lambda: {
    perRequest: 0.2 / 1_000_000,
    perGbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 },
    perEphemeralGbSecond: 0.0000000309,
  },
  s3: { perPutOrList: 0.005 / 1000, perGetOrOther: 0.0004 / 1000 },
  dynamodb: { perWriteUnit: 0.625 / 1_000_000, perReadUnit: 0.125 / 1_000_000 },
};

/** The default table with a JSON file's figures laid over it; errors name the file and the field. */
export function loadPrices(file: string | undefined): PriceTable {
  if (file === undefined) return DEFAULT_PRICES;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`--prices ${file}: ${(err as Error).message}`);
  }
  return overlayPrices(DEFAULT_PRICES, raw, file);
}

export function overlayPrices(base: PriceTable, override: unknown, source = 'prices'): PriceTable {
  return overlay(base, override, source) as PriceTable;
}

function overlay(base: unknown, override: unknown, path: string): unknown {
  if (override === undefined) return base;
  if (typeof base === 'number') {
    if (typeof override !== 'number' || !(override >= 0) || !Number.isFinite(override)) {
      throw new Error(`${path} must be a number ≥ 0, got ${JSON.stringify(override)}`);
    }
    return override;
  }
  if (typeof base === 'string') {
    if (typeof override !== 'string') throw new Error(`${path} must be a string, got ${JSON.stringify(override)}`);
    return override;
  }
  if (typeof override !== 'object' || override === null || Array.isArray(override)) {
    throw new Error(`${path} must be an object, got ${JSON.stringify(override)}`);
  }
  const known = base as Record<string, unknown>;
  const result: Record<string, unknown> = { ...known };
  for (const [key, value] of Object.entries(override)) {
    if (!Object.hasOwn(known, key)) throw new Error(`${path}.${key} is not a price field (there are: ${Object.keys(known).join(', ')})`);
    result[key] = overlay(known[key], value, `${path}.${key}`);
  }
  return result;
}
