// s3rver 3.7 stores tags only through PutObjectTagging and ignores the `x-amz-tagging` header of PutObject
// and CreateMultipartUpload, which S3 honours (our work/ intermediates are tagged that way so the bucket's
// lifecycle rule expires them). Without this shim a test could not see the tags that AWS would set.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

interface KoaLikeContext {
  params: { bucket: string; key: string };
  query: Record<string, string | undefined>;
  headers: Record<string, string | string[] | undefined>;
  store: {
    putSubresource(bucket: string, key: string, config: unknown): Promise<void>;
    /** The filesystem store's layout: CreateMultipartUpload keeps its request headers in `<uploads>/<id>/metadata`. */
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
  };
}

type Controller = (ctx: KoaLikeContext) => Promise<void>;

let installed = false;

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** `a=1&b=two` (URL-encoded, as S3 takes it) → the Tagging XML s3rver's tagging subresource stores. */
export function taggingXml(header: string): string {
  const tags = [...new URLSearchParams(header)]
    .map(([key, value]) => `<Tag><Key>${escapeXml(key)}</Key><Value>${escapeXml(value)}</Value></Tag>`)
    .join('');
  return `<Tagging><TagSet>${tags}</TagSet></Tagging>`;
}

export function installS3rverPutTaggingShim(): void {
  if (installed) return;
  installed = true;
  const require = createRequire(import.meta.url);
  const objectController = require('s3rver/lib/controllers/object') as Record<string, Controller>;
  const { TaggingConfiguration } = require('s3rver/lib/models/config') as {
    TaggingConfiguration: { validate(xml: string): unknown };
  };
  const applyTagging = async (ctx: KoaLikeContext, header: unknown): Promise<void> => {
    if (typeof header === 'string' && header.length > 0) {
      await ctx.store.putSubresource(ctx.params.bucket, ctx.params.key, TaggingConfiguration.validate(taggingXml(header)));
    }
  };
  const putObject = objectController.putObject!;
  // s3rver's router looks the controller up on every request, so replacing the export takes effect.
  objectController.putObject = async (ctx) => {
    await putObject(ctx);
    await applyTagging(ctx, ctx.headers['x-amz-tagging']);
  };
  // The tags of a multipart upload come with CreateMultipartUpload, whose headers s3rver keeps with the
  // upload, and apply once CompleteMultipartUpload makes the object.
  const completeMultipartUpload = objectController.completeMultipartUpload!;
  objectController.completeMultipartUpload = async (ctx) => {
    const uploadId = ctx.query.uploadId ?? '';
    const metadataPath = path.join(ctx.store.getResourcePath(ctx.params.bucket, undefined, 'uploads'), uploadId, 'metadata');
    const initiated = await readFile(metadataPath, 'utf8')
      .then((text) => JSON.parse(text) as Record<string, unknown>)
      .catch(() => ({}) as Record<string, unknown>); // unknown upload: s3rver answers NoSuchUpload itself
    await completeMultipartUpload(ctx);
    await applyTagging(ctx, initiated['x-amz-tagging']);
  };
}
