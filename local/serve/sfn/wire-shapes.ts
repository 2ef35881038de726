// The engine's records (Dates, optional fields) in the shapes the Step Functions API returns: times as
// epoch seconds with fractions, absent fields left out rather than null, as AWS's JSON protocol does.
import type { ExecutionRecord, MapRunRecord } from '../../engine/control-types';
import type { HistoryEvent } from '../../engine';
import { mapRunStateMachineArn } from './arns';
import type { StateMachineEntry } from './state-machines';

export type Wire = Record<string, unknown>;

export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

/** Copies `fields` leaving out undefined ones, as AWS leaves out absent members. */
function defined(fields: Wire): Wire {
  const out: Wire = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}

const seconds = (date: Date | undefined) => (date ? epochSeconds(date) : undefined);

/** One item of ListExecutions. */
export function executionListItemShape(record: ExecutionRecord): Wire {
  return defined({
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: epochSeconds(record.startDate),
    stopDate: seconds(record.stopDate),
    mapRunArn: record.mapRunArn,
    redriveCount: record.redriveCount,
    redriveDate: seconds(record.redriveDate),
  });
}

/** DescribeExecution: the list item's fields and more; `metadataOnly` (includedData METADATA_ONLY) leaves out input and output. */
export function describeExecutionShape(record: ExecutionRecord, metadataOnly = false): Wire {
  const data = metadataOnly
    ? {}
    : {
        input: record.input,
        inputDetails: { included: true },
        output: record.output,
        outputDetails: record.output === undefined ? undefined : { included: true },
      };
  return defined({
    ...executionListItemShape(record),
    ...data,
    error: record.error,
    cause: record.cause,
    redriveStatus: record.redriveStatus,
    redriveStatusReason: record.redriveStatusReason,
  });
}

/** One item of ListMapRuns. */
export function mapRunListItemShape(record: MapRunRecord): Wire {
  return defined({
    executionArn: record.executionArn,
    mapRunArn: record.mapRunArn,
    stateMachineArn: mapRunStateMachineArn(record.mapRunArn),
    startDate: epochSeconds(record.startDate),
    stopDate: seconds(record.stopDate),
  });
}

/** DescribeMapRun. */
export function describeMapRunShape(record: MapRunRecord): Wire {
  return defined({
    mapRunArn: record.mapRunArn,
    executionArn: record.executionArn,
    status: record.status,
    startDate: epochSeconds(record.startDate),
    stopDate: seconds(record.stopDate),
    maxConcurrency: record.maxConcurrency,
    toleratedFailurePercentage: record.toleratedFailurePercentage,
    toleratedFailureCount: record.toleratedFailureCount,
    itemCounts: { ...record.itemCounts },
    executionCounts: { ...record.executionCounts },
    redriveCount: record.redriveCount,
    redriveDate: seconds(record.redriveDate),
  });
}

// What GetExecutionHistory's includeExecutionData=false leaves out of every event's details.
const EXECUTION_DATA = new Set(['input', 'output', 'parameters', 'assignedVariables']);

/** One GetExecutionHistory event; without execution data its payloads (input, output, parameters) are left out. */
export function historyEventShape(event: HistoryEvent, includeExecutionData: boolean): Wire {
  const out: Wire = { timestamp: epochSeconds(event.timestamp), type: event.type, id: event.id, previousEventId: event.previousEventId };
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || value === undefined) continue;
    const details = value as Record<string, unknown>;
    out[key] = includeExecutionData
      ? details
      : Object.fromEntries(Object.entries(details).filter(([field]) => !EXECUTION_DATA.has(field)));
  }
  return out;
}

/** DescribeStateMachine. */
export function describeStateMachineShape(entry: StateMachineEntry): Wire {
  return defined({
    stateMachineArn: entry.arn,
    name: entry.name,
    status: 'ACTIVE',
    definition: entry.definitionText,
    roleArn: entry.roleArn,
    type: entry.type,
    creationDate: epochSeconds(entry.creationDate),
    loggingConfiguration: entry.loggingConfiguration,
    tracingConfiguration: entry.tracingConfiguration,
    revisionId: entry.revisionId,
  });
}

/** One item of ListStateMachines. */
export function stateMachineListItemShape(entry: StateMachineEntry): Wire {
  return { stateMachineArn: entry.arn, name: entry.name, type: entry.type, creationDate: epochSeconds(entry.creationDate) };
}

/**
 * DescribeStateMachineForExecution: the definition the execution runs (an update after it started does not
 * change it), with the machine's role and configuration. A Distributed Map child runs `<machine>/<label>`,
 * which is no registered machine: it takes its parent machine's (`machine`).
 */
export function stateMachineForExecutionShape(record: ExecutionRecord, machine: StateMachineEntry | undefined): Wire {
  const name = record.stateMachineArn.slice(record.stateMachineArn.lastIndexOf(':') + 1);
  return defined({
    stateMachineArn: record.stateMachineArn,
    name,
    definition: record.definition,
    roleArn: machine?.roleArn,
    updateDate: epochSeconds(machine?.updateDate ?? machine?.creationDate ?? record.startDate),
    mapRunArn: record.mapRunArn,
    loggingConfiguration: machine?.loggingConfiguration,
    tracingConfiguration: machine?.tracingConfiguration,
    revisionId: machine?.revisionId,
  });
}
