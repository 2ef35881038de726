// s3rver 3.7 encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3 (node >= 17)
// no longer offers: every listing longer than one page (1000 keys) fails with a 500, so a
// Distributed Map ItemReader over a big prefix would break locally but not in AWS.
//
// The token only has to round-trip through the same s3rver, not be secret, so where DES is
// unavailable we let s3rver's 'des' cipher be the identity. The shim touches nothing but the
// algorithm name 'des', which cannot work on this node anyway.
import crypto from 'node:crypto';

let installed = false;

function desWorks(): boolean {
  try {
    crypto.createCipheriv('des', Buffer.alloc(8), Buffer.alloc(8));
    return true;
  } catch {
    return false;
  }
}

// Just the calls s3rver makes: update(string | Buffer, encoding?) and final().
function identityCipher() {
  return {
    update: (data: string | Buffer, encoding?: BufferEncoding) =>
      typeof data === 'string' ? Buffer.from(data, encoding ?? 'utf8') : Buffer.from(data),
    final: () => Buffer.alloc(0),
  };
}

export function installS3rverListTokenShim(): void {
  if (installed || desWorks()) return;
  installed = true;
  const createCipheriv = crypto.createCipheriv;
  const createDecipheriv = crypto.createDecipheriv;
  const patch = crypto as unknown as Record<'createCipheriv' | 'createDecipheriv', (...args: unknown[]) => unknown>;
  patch.createCipheriv = (...args: unknown[]) =>
    args[0] === 'des' ? identityCipher() : (createCipheriv as (...a: unknown[]) => unknown)(...args);
  patch.createDecipheriv = (...args: unknown[]) =>
    args[0] === 'des' ? identityCipher() : (createDecipheriv as (...a: unknown[]) => unknown)(...args);
}
