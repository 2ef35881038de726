// The execution history: AWS-shaped events with ids and previousEventId, live subscribers, and the
// 25,000-event quota.
import { StatesError } from './errors';
import type { HistoryEvent, HistoryListener } from './types';

export interface History {
  readonly events: HistoryEvent[];
  /** Appends an event after `previousEventId`; returns its id. Throws States.Runtime past the quota. */
  add(type: string, previousEventId: number, details?: Record<string, unknown>): number;
  /** Appends even past the quota: the closing Execution* event must always be recorded. */
  addFinal(type: string, previousEventId: number, details?: Record<string, unknown>): number;
  subscribe(listener: HistoryListener): () => void;
}

export const HISTORY_LIMIT_ERROR = 'States.Runtime';

/** `TaskStateEntered` → `stateEnteredEventDetails`; `MapIterationStarted` → `mapIterationStartedEventDetails`. */
export function detailsKey(type: string): `${string}EventDetails` {
  if (/StateEntered$/.test(type)) return 'stateEnteredEventDetails';
  if (/StateExited$/.test(type)) return 'stateExitedEventDetails';
  return `${type[0]!.toLowerCase()}${type.slice(1)}EventDetails`;
}

const keyCache = new Map<string, `${string}EventDetails`>();
function cachedKey(type: string): `${string}EventDetails` {
  let key = keyCache.get(type);
  if (!key) keyCache.set(type, (key = detailsKey(type)));
  return key;
}

export function createHistory(maxEvents: number): History {
  const events: HistoryEvent[] = [];
  const listeners = new Set<HistoryListener>();

  function append(type: string, previousEventId: number, details?: Record<string, unknown>): number {
    const event: HistoryEvent = { id: events.length + 1, previousEventId, timestamp: new Date(), type };
    if (details) event[cachedKey(type)] = details;
    events.push(event);
    for (const listener of listeners) {
      try {
        listener(event);
      } catch {
        // A broken subscriber must not break the execution it watches.
      }
    }
    return event.id;
  }

  return {
    events,
    add(type, previousEventId, details) {
      if (events.length >= maxEvents) {
        throw new StatesError(
          HISTORY_LIMIT_ERROR,
          `The execution reached the maximum number of history events (${maxEvents}).`,
        );
      }
      return append(type, previousEventId, details);
    },
    addFinal: append,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
