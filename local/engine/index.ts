// The local Step Functions engine's public API.
export { createEngine, type Engine, type EngineOptions } from './engine';
export { loadDefinition, DefinitionError, type LoadOptions } from './definition-loader';
export { StatesError } from './errors';
export { findTestCase, loadMockConfig, parseMockConfig, mockedStateNames, MockConfigError, type MockConfig } from './mock-config';
export { MAX_HISTORY_EVENTS, MAX_PAYLOAD_BYTES, INLINE_MAP_MAX_CONCURRENCY } from './quotas';
export type { MapRunProgress, TaskHandler } from './run-context';
export type {
  Execution,
  ExecutionResult,
  ExecutionStatus,
  HistoryEvent,
  HistoryListener,
  StateMachineDefinition,
  StateDefinition,
} from './types';
