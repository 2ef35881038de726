// The ETL pipeline, declared once: plan → scan CSV ranges + stitch (CSV only) → transform partitions
// (Distributed Map, time-boxed) → gather → reduce buckets (in parallel) → report. Its functions, its execution
// input, how `longhaul run etl` builds one from local files and flags, and what a finished job reports.
// See README.md, "The ETL pipeline".
import { basename, extname, join } from 'node:path';
import { z } from 'zod';
import type { FunctionSpec } from '../catalog-types';
import { jobKeys, keyPatterns } from '../lib/storage-layout';
import { definePipeline, sourceFileUpload } from '../pipeline';
import { etlJobSchema } from './job-input';
import { etlKeys } from './keys';
import { etlLiveFigures } from './live-figures';

const etlFunction = (name: string, entry: string, description: string, sizing: Pick<FunctionSpec, 'memoryMb' | 'timeoutSeconds'>, s3: FunctionSpec['s3']): FunctionSpec => ({
  name,
  entry: `handlers/etl/${entry}`,
  description,
  ...sizing,
  // Streams and buffers in memory; nothing large goes to /tmp.
  ephemeralStorageMb: 512,
  layers: [],
  s3,
  table: 'write',
});

const readWork = { read: [keyPatterns.work], write: [keyPatterns.work] };

export const etlFunctions: readonly FunctionSpec[] = [
  etlFunction('EtlPlan', 'plan.ts', 'Validates an ETL job and its spec, recognises the input (CSV or Parquet) and checks its columns, writes the manifest', { memoryMb: 1024, timeoutSeconds: 300 }, {
    read: [keyPatterns.input, keyPatterns.work],
    write: [keyPatterns.work],
  }),
  etlFunction('EtlScanRange', 'scan-range.ts', 'Reads one byte range of a CSV input once: its quotes and its first row start for either quote state', { memoryMb: 1024, timeoutSeconds: 300 }, {
    read: [keyPatterns.input, keyPatterns.work],
    write: [keyPatterns.work],
  }),
  etlFunction('EtlStitch', 'stitch.ts', "Turns the range scans into partitions at true row boundaries (the running quote parity)", { memoryMb: 1024, timeoutSeconds: 300 }, readWork),
  etlFunction('EtlTransform', 'transform.ts', 'Transforms one partition through the spec into partial aggregates, rows and rejects; time-boxed and checkpointed', { memoryMb: 1769, timeoutSeconds: 900 }, {
    read: [keyPatterns.input, keyPatterns.work],
    write: [keyPatterns.work],
  }),
  etlFunction('EtlGather', 'gather.ts', "Reads every transformed partition's summary once: row totals, the reject limit, each bucket's runs", { memoryMb: 1024, timeoutSeconds: 300 }, readWork),
  etlFunction('EtlReduce', 'reduce.ts', 'Merges one bucket of the partial aggregates from every partition (a streaming merge of sorted runs)', { memoryMb: 1024, timeoutSeconds: 900 }, readWork),
  etlFunction('EtlReport', 'report.ts', 'Writes aggregates.csv/.parquet (a streaming merge of the reduced buckets), rejects.csv, rows/ and report.json', { memoryMb: 1024, timeoutSeconds: 900 }, {
    read: [keyPatterns.work, keyPatterns.output],
    write: [keyPatterns.work, keyPatterns.output],
  }),
];

const reportSchema = z.object({
  rowsIn: z.number(),
  rowsOut: z.number(),
  rowsFiltered: z.number(),
  rowsRejected: z.number(),
  partitions: z.number(),
  groups: z.number(),
  bytesIn: z.number(),
  rejectPercent: z.number(),
  format: z.enum(['csv', 'parquet']),
});

/** The state machine's output: Report's result (asl/etl.asl.json, state Report). */
export const etlOutputSchema = z.object({
  jobId: z.string(),
  report: reportSchema,
  reportKey: z.string(),
  outputs: z.array(z.string()),
  reused: z.boolean(),
});

export const etlPipeline = definePipeline({
  name: 'etl',
  description: 'filter, aggregate and convert a CSV or Parquet file of any size in parallel, exactly',
  asl: 'asl/etl.asl.json',
  itemReaderKeys: { Scan: etlKeys.ranges('*'), Transform: etlKeys.partitions('*') },
  functions: etlFunctions,
  job: etlJobSchema,
  output: etlOutputSchema,
  units: { name: 'partition', functionName: 'EtlTransform' },
  figures: etlLiveFigures,
  cli: {
    uploads: [sourceFileUpload('The CSV or Parquet file. Required.', '.csv', 'application/octet-stream')],
    flags: [
      { name: 'spec', field: ['spec'], type: 'json', help: 'The spec: columns and types, where, groupBy, aggregates, rows (README.md, "The ETL pipeline"). Required.' },
      { name: 'partition-mb', field: ['partitionMb'], type: 'number', help: 'Bytes of CSV per partition, in MB.' },
      { name: 'max-concurrency', field: ['maxConcurrency'], type: 'integer', help: 'Partitions transformed at once.' },
      { name: 'max-reject-percent', field: ['maxRejectPercent'], type: 'number', help: 'Rejected rows allowed, in percent of the rows read, before the job fails.' },
      { name: 'reduce-buckets', field: ['reduceBuckets'], type: 'integer', help: 'Buckets the partial aggregates are reduced in; default from the partition count.' },
    ],
    outputHelp: 'Folder for aggregates.csv, aggregates.parquet, rejects.csv, report.json and rows/. Default .longhaul/out/<name>-etl/',
    defaultOutput: (_job, inputs) => join('.longhaul/out', `${basename(inputs.input ?? 'data', extname(inputs.input ?? ''))}-etl`),
    outputFiles: (output, target) => {
      const prefix = jobKeys.output(output.jobId, '');
      return output.outputs.map((key) => ({ key, path: join(target, key.slice(prefix.length)) }));
    },
  },
  summarize: ({ report: r, reused }) => ({
    facts: [
      ['rows', `${r.rowsIn} read, ${r.rowsOut} kept, ${r.rowsFiltered} filtered out, ${r.rowsRejected} rejected (${r.rejectPercent.toFixed(3)}%)${reused ? ' (job had finished before: nothing redone)' : ''}`],
      ['partitions', `${r.partitions} (${r.format}, ${(r.bytesIn / 1e6).toFixed(1)} MB)`],
      ['groups', String(r.groups)],
    ],
    details: [],
    ok: true,
  }),
});
