// What every Step Functions action works with: the engine, the state machines, and the paginator.
import type { Engine } from '../../engine';
import type { Paginate } from './pagination';
import type { RequestBody } from './request-fields';
import type { StateMachineRegistry } from './state-machines';

export interface SfnContext {
  engine: Engine;
  registry: StateMachineRegistry;
  region: string;
  paginate: Paginate;
  /** RedriveExecution's answers by `<executionArn>\n<clientToken>`, so a retried request redrives once. */
  redrives: Map<string, number>;
}

/** One API action: the request body in, the response body out (or an ApiError thrown). */
export type SfnAction = (ctx: SfnContext, body: RequestBody) => unknown;
