// s3rver 3.7 stores tags only through PutObjectTagging and ignores the `x-amz-tagging` header of PutObject,
// which S3 honours (our work/ intermediates are tagged that way so the bucket's lifecycle rule expires
// them). Without this shim a test could not see the tags that AWS would set.
import { createRequire } from 'node:module';

interface KoaLikeContext {
  params: { bucket: string; key: string };
  headers: Record<string, string | string[] | undefined>;
  store: { putSubresource(bucket: string, key: string, config: unknown): Promise<void> };
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
  const putObject = objectController.putObject!;
  // s3rver's router looks the controller up on every request, so replacing the export takes effect.
  objectController.putObject = async (ctx) => {
    await putObject(ctx);
    const header = ctx.headers['x-amz-tagging'];
    if (typeof header === 'string' && header.length > 0) {
      await ctx.store.putSubresource(ctx.params.bucket, ctx.params.key, TaggingConfiguration.validate(taggingXml(header)));
    }
  };
}
