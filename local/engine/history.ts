// The execution history: AWS-shaped events with ids and previousEventId, live subscribers, and the
// 25,000-event quota.
import { StatesError } from './errors';
import type { HistoryEvent, HistoryListener } from './types';

export interface History {
  readonly events: HistoryEvent[];
  /**
   * Each event's place in its thread (`<thread key>#<seq>`, see replay.ts), in step with `events`: what lets a
   * replayed execution find its own recorded events again. Not part of the API's event shape.
   */
  readonly keys: string[];
  /** Appends an event after `previousEventId`; returns its id. Throws States.Runtime past the quota. */
  add(type: string, previousEventId: number, details?: Record<string, unknown>, key?: string): number;
  /** Appends even past the quota: the closing Execution* event must always be recorded. */
  addFinal(type: string, previousEventId: number, details?: Record<string, unknown>, key?: string): number;
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

/** A history, possibly continuing `recorded` events (with their keys) of an execution resumed or redriven. */
export function createHistory(maxEvents: number, recorded?: { events: HistoryEvent[]; keys: string[] }): History {
  const events: HistoryEvent[] = recorded ? [...recorded.events] : [];
  const keys: string[] = recorded ? [...recorded.keys] : [];
  const listeners = new Set<HistoryListener>();

  function append(type: string, previousEventId: number, details?: Record<string, unknown>, key = ''): number {
    const event: HistoryEvent = { id: events.length + 1, previousEventId, timestamp: new Date(), type };
    if (details) event[cachedKey(type)] = details;
    events.push(event);
    keys.push(key);
    for (const listener of listeners) {
      try {
        listener(event, key);
      } catch {
        // A broken subscriber must not break the execution it watches.
      }
    }
    return event.id;
  }

  return {
    events,
    keys,
    add(type, previousEventId, details, key) {
      if (events.length >= maxEvents) {
        throw new StatesError(
          HISTORY_LIMIT_ERROR,
          `The execution reached the maximum number of history events (${maxEvents}).`,
        );
      }
      return append(type, previousEventId, details, key);
    },
    addFinal: append,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
