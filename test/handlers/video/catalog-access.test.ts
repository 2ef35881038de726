// Every S3 request each video handler makes, recorded at the SDK client while the pipeline runs (first
// run, then a re-run that takes the reuse paths), must be allowed by that function's catalog patterns:
// in AWS its role grants exactly those, and a HEAD it may not make is a 403, never "not found".
import { expect } from 'chai';
import { findFunction } from '../../../handlers/catalog';
import { s3Client } from '../../../handlers/lib/s3';
import { useLocalServices } from '../../support/services';
import { fakeContext, jobInput, merge, probe, split, transcodeChunk, uploadClip } from './pipeline-steps';

type Access = 'read' | 'write';

// S3 object API call → the catalog access whose IAM actions it needs (see infra/iam-policies.ts).
const ACCESS: Record<string, Access> = {
  GetObjectCommand: 'read',
  HeadObjectCommand: 'read',
  PutObjectCommand: 'write',
  // A server-side copy writes its key and reads its CopySource (recorded as a read of that key).
  CopyObjectCommand: 'write',
  UploadPartCopyCommand: 'write',
  CreateMultipartUploadCommand: 'write',
  UploadPartCommand: 'write',
  CompleteMultipartUploadCommand: 'write',
  AbortMultipartUploadCommand: 'write',
  PutObjectTaggingCommand: 'write',
  DeleteObjectCommand: 'write',
  DeleteObjectsCommand: 'write',
};

interface Request {
  fn: string;
  command: string;
  key: string;
}

/** IAM's resource wildcards: `*` any run of characters (slashes included), `?` one. */
function iamPattern(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

function keysOf(command: string, input: Record<string, unknown>): string[] {
  if (command === 'DeleteObjectsCommand') return ((input.Delete as { Objects: { Key: string }[] }).Objects ?? []).map((o) => o.Key);
  return typeof input.Key === 'string' ? [input.Key] : [];
}

/** The key a copy reads (`bucket/key`, URL-encoded), if the call is a copy. */
function copySourceKey(input: Record<string, unknown>): string | undefined {
  if (typeof input.CopySource !== 'string') return undefined;
  return decodeURIComponent(input.CopySource.split('/').slice(1).join('/'));
}

describe('video handlers stay inside their catalog S3 access', function () {
  this.timeout(120_000);
  useLocalServices();

  it('every request of every handler, first run and re-run, matches the function’s read or write patterns', async () => {
    const requests: Request[] = [];
    let current = '';
    const client = s3Client();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as Record<string, unknown>;
        for (const key of keysOf(context.commandName ?? '', input)) requests.push({ fn: current, command: context.commandName ?? '', key });
        const source = copySourceKey(input);
        if (source !== undefined) requests.push({ fn: current, command: 'GetObjectCommand', key: source });
        return next(args);
      },
      { step: 'initialize', name: 'recordCatalogAccess' },
    );
    const as = async <T>(fn: string, call: () => Promise<T>): Promise<T> => {
      current = fn;
      try {
        return await call();
      } finally {
        current = '';
      }
    };
    try {
      const jobId = 'v-catalog-access';
      const key = await uploadClip(jobId, { fps: '25', gop: 25, durationSeconds: 2, audio: true });
      const input = jobInput(jobId, key, { chunkSeconds: 1 });
      for (let run = 0; run < 2; run++) {
        const plan = await as('VideoProbe', () => probe(input, fakeContext('VideoProbe')));
        await as('VideoSplit', () => split({ jobId }, fakeContext('VideoSplit')));
        for (let index = 0; index < plan.chunkCount; index++) {
          await as('VideoTranscodeChunk', () => transcodeChunk({ jobId, index }, fakeContext('VideoTranscodeChunk')));
        }
        await as('VideoMerge', () => merge({ jobId }, fakeContext('VideoMerge')));
      }
    } finally {
      client.middlewareStack.remove('recordCatalogAccess');
    }

    const handlerRequests = requests.filter((r) => r.fn !== '');
    // The recorder saw each function, the merge's reads under output/ included.
    expect(new Set(handlerRequests.map((r) => r.fn))).to.deep.equal(
      new Set(['VideoProbe', 'VideoSplit', 'VideoTranscodeChunk', 'VideoMerge']),
    );
    expect(handlerRequests.some((r) => r.fn === 'VideoMerge' && r.command === 'HeadObjectCommand' && r.key.includes('/output/'))).to.equal(true);

    const denied: string[] = [];
    for (const r of handlerRequests) {
      const access = ACCESS[r.command];
      if (!access) {
        denied.push(`${r.fn} ${r.command} ${r.key}: unknown S3 call (add it to ACCESS)`);
        continue;
      }
      const s3 = findFunction(r.fn).s3;
      const patterns = s3[access];
      if (!patterns.some((p) => iamPattern(p).test(r.key))) denied.push(`${r.fn} ${r.command} ${r.key} (${access}: ${patterns.join(', ') || 'none'})`);
    }
    expect([...new Set(denied)]).to.deep.equal([]);
  });
});
