// A Map's settings as values, whichever language the Map speaks: its items (or its ItemReader's arguments),
// MaxConcurrency, tolerated failures, ItemBatcher limits and BatchInput, ResultWriter arguments, and how each item
// becomes an iteration's input (ItemSelector). JSONPath reads them from the effective input, `…Path` fields and
// payload templates (a bad value is States.Runtime); JSONata evaluates its fields with `$states.input` the state
// input (a bad value is States.QueryEvaluationError, see jsonata/evaluate.ts).
import { StatesError } from './errors';
import { envOf } from './eval-env';
import type { BatchLimits } from './item-batcher';
import { MAX_READER_ITEMS } from './item-reader';
import { evaluateField, evaluateTyped, failEvaluation, jsonataScope, type JsonataScope } from './jsonata/evaluate';
import { readPath } from './json-path';
import { checkedItems, isNonNegativeInteger, isPercentage } from './map-items';
import { applyPayloadTemplate } from './payload-template';
import type { StateScope } from './run-context';
import { stateContext } from './state-context';
import type { MapState } from './types';

export interface Tolerance {
  count?: number;
  percentage?: number;
}

export interface MapSettings {
  /** The items, when there is no ItemReader to read them. */
  items?: unknown[];
  /** As given: 0 means no limit but the quota. */
  maxConcurrency: number;
  tolerance: Tolerance;
  reader?: { parameters: Record<string, unknown>; maxItems: number };
  batcher?: { limits: BatchLimits; batchInput?: unknown };
  writerParameters?: Record<string, unknown>;
}

export interface MapPlan {
  settings(): Promise<MapSettings>;
  /** Whether items go through an ItemSelector (else `select` returns them as they are). */
  selects: boolean;
  /** The input made of item `index`; `at` is the scope it is evaluated in (an inline Map's iteration). */
  select(at: StateScope, index: number, value: unknown): unknown;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function runtimeCheck(value: unknown, ok: (v: unknown) => boolean, message: string): number {
  if (!ok(value)) throw new StatesError('States.Runtime', `${message}, got ${JSON.stringify(value)}.`);
  return value as number;
}

function objectOf(value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new StatesError('States.Runtime', `${field} must be a JSON object, got ${JSON.stringify(value)}.`);
  }
  return value as Record<string, unknown>;
}

/** The plan of a JSONPath Map whose effective input (after InputPath) is `effective`. */
export function jsonPathMapPlan(scope: StateScope, state: MapState, effective: unknown): MapPlan {
  const env = envOf(scope.thread);
  const read = (path: string, field: string) => readPath(effective, path, field, env);
  const orPath = (value: unknown, path: string | undefined, field: string, fallback: unknown) => (path !== undefined ? read(path, `${field}Path`) : (value ?? fallback));
  const selector = state.ItemSelector ?? state.Parameters;
  return {
    async settings() {
      const name = scope.name;
      const settings: MapSettings = {
        maxConcurrency: runtimeCheck(orPath(state.MaxConcurrency, state.MaxConcurrencyPath, 'MaxConcurrency', 0), isNonNegativeInteger, `Map state '${name}': MaxConcurrency must be a non-negative integer`),
        tolerance: {
          count: tolerance(orPath(state.ToleratedFailureCount, state.ToleratedFailureCountPath, 'ToleratedFailureCount', undefined), MAX_SAFE, `Map state '${name}': ToleratedFailureCount`),
          percentage: tolerance(orPath(state.ToleratedFailurePercentage, state.ToleratedFailurePercentagePath, 'ToleratedFailurePercentage', undefined), 100, `Map state '${name}': ToleratedFailurePercentage`),
        },
      };
      const reader = state.ItemReader;
      if (reader) {
        const config = reader.ReaderConfig ?? {};
        settings.reader = {
          parameters: objectOf(applyPayloadTemplate(reader.Parameters ?? {}, effective, stateContext(scope), 'ItemReader.Parameters', env), 'ItemReader.Parameters'),
          maxItems: runtimeCheck(orPath(config.MaxItems, config.MaxItemsPath, 'MaxItems', 0), (v) => isNonNegativeInteger(v) && v <= MAX_READER_ITEMS, `ItemReader MaxItems must be an integer from 0 to ${MAX_READER_ITEMS}`),
        };
      } else {
        settings.items = checkedItems(name, state.ItemsPath !== undefined ? read(state.ItemsPath, 'ItemsPath') : effective, state.ItemsPath);
      }
      const batcher = state.ItemBatcher;
      if (batcher) {
        settings.batcher = {
          limits: {
            maxItems: runtimeCheck(orPath(batcher.MaxItemsPerBatch, batcher.MaxItemsPerBatchPath, 'MaxItemsPerBatch', 0), isNonNegativeInteger, 'ItemBatcher MaxItemsPerBatch must be a non-negative integer'),
            maxBytes: runtimeCheck(orPath(batcher.MaxInputBytesPerBatch, batcher.MaxInputBytesPerBatchPath, 'MaxInputBytesPerBatch', 0), isNonNegativeInteger, 'ItemBatcher MaxInputBytesPerBatch must be a non-negative integer'),
          },
          batchInput: batcher.BatchInput === undefined ? undefined : applyPayloadTemplate(batcher.BatchInput, effective, stateContext(scope), 'BatchInput', env),
        };
      }
      if (state.ResultWriter?.Parameters) {
        settings.writerParameters = objectOf(applyPayloadTemplate(state.ResultWriter.Parameters, effective, stateContext(scope), 'ResultWriter.Parameters', env), 'ResultWriter.Parameters');
      }
      return settings;
    },
    selects: selector !== undefined,
    select(at, index, value) {
      if (selector === undefined) return value;
      return applyPayloadTemplate(selector, effective, itemContext(at, index, value), 'ItemSelector', envOf(at.thread));
    },
  };
}

function tolerance(value: unknown, max: number, what: string): number | undefined {
  if (value === undefined) return undefined;
  return runtimeCheck(value, (v) => typeof v === 'number' && v >= 0 && v <= max, `${what} must be a number from 0 to ${max}`);
}

/** `$$` while an item's ItemSelector is evaluated: the state's context with `Map.Item`. */
function itemContext(at: StateScope, index: number, value: unknown): Record<string, unknown> {
  return { ...stateContext(at), Map: { Item: { Index: index, Value: value } } };
}

const nonNegativeInteger = (v: unknown) => (isNonNegativeInteger(v) ? undefined : 'a non-negative integer');
const percentage = (v: unknown) => (isPercentage(v) ? undefined : 'a number from 0 to 100');
const jsonObject = (v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? undefined : 'a JSON object');

/** The plan of a JSONata Map (`js` holds its state input as `$states.input`). */
export function jsonataMapPlan(js: JsonataScope, state: MapState): MapPlan {
  const input = js.states.input;
  const number = async (value: unknown, location: string, check: (v: unknown) => string | undefined, fallback: number) =>
    (value === undefined ? fallback : (await evaluateTyped(js, value, location, check)) as number);
  const optional = async (value: unknown, location: string, check: (v: unknown) => string | undefined) =>
    (value === undefined ? undefined : ((await evaluateTyped(js, value, location, check)) as number));
  const selector = state.ItemSelector;
  return {
    async settings() {
      const settings: MapSettings = {
        maxConcurrency: await number(state.MaxConcurrency, 'MaxConcurrency', nonNegativeInteger, 0),
        tolerance: {
          count: await optional(state.ToleratedFailureCount, 'ToleratedFailureCount', nonNegativeInteger),
          percentage: await optional(state.ToleratedFailurePercentage, 'ToleratedFailurePercentage', percentage),
        },
      };
      const reader = state.ItemReader;
      if (reader) {
        settings.reader = {
          parameters: (reader.Arguments === undefined ? {} : await evaluateTyped(js, reader.Arguments, 'ItemReader/Arguments', jsonObject)) as Record<string, unknown>,
          maxItems: await number(reader.ReaderConfig?.MaxItems, 'ItemReader/ReaderConfig/MaxItems', (v) => (isNonNegativeInteger(v) && v <= MAX_READER_ITEMS ? undefined : `an integer from 0 to ${MAX_READER_ITEMS}`), 0),
        };
      } else if (state.Items === undefined) {
        if (!Array.isArray(input)) throw failEvaluation(js, 'Items', `Without Items, the state input must be a JSON array, got ${JSON.stringify(input)}.`);
        settings.items = input;
      } else {
        settings.items = (await evaluateTyped(js, state.Items, 'Items', (v) => (Array.isArray(v) ? undefined : 'a JSON array'))) as unknown[];
      }
      const batcher = state.ItemBatcher;
      if (batcher) {
        settings.batcher = {
          limits: {
            maxItems: await number(batcher.MaxItemsPerBatch, 'ItemBatcher/MaxItemsPerBatch', nonNegativeInteger, 0),
            maxBytes: await number(batcher.MaxInputBytesPerBatch, 'ItemBatcher/MaxInputBytesPerBatch', nonNegativeInteger, 0),
          },
          batchInput: batcher.BatchInput === undefined ? undefined : await evaluateField(js, batcher.BatchInput, 'ItemBatcher/BatchInput'),
        };
      }
      if (state.ResultWriter?.Arguments !== undefined) {
        settings.writerParameters = (await evaluateTyped(js, state.ResultWriter.Arguments, 'ResultWriter/Arguments', jsonObject)) as Record<string, unknown>;
      }
      return settings;
    },
    selects: selector !== undefined,
    select(at, index, value) {
      if (selector === undefined) return value;
      return evaluateField({ ...jsonataScope(at, { input }), mapItem: { Index: index, Value: value } }, selector, 'ItemSelector');
    },
  };
}
