// Functions every pipeline shares (their handlers are in this folder).
import type { FunctionSpec } from '../catalog-types';

export const sharedFunctions: readonly FunctionSpec[] = [
  {
    name: 'RecordFailure',
    entry: 'handlers/shared/record-failure.ts',
    description: "Every state machine's Catch target: marks the job FAILED in the progress table with the execution's Error and Cause",
    memoryMb: 256,
    timeoutSeconds: 30,
    ephemeralStorageMb: 512,
    layers: [],
    s3: { read: [], write: [] },
    table: 'write',
  },
];
