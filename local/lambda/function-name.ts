// Invoke accepts what the Lambda API accepts: a name, a function ARN, or a qualified ARN (`:$LATEST`).

const arnPattern = /^arn:aws:lambda:([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]+)(?::([^:]+))?$/;

export type ResolvedName = { ok: true; name: string } | { ok: false; reason: string };

export function resolveFunctionName(nameOrArn: string, region: string): ResolvedName {
  const m = arnPattern.exec(nameOrArn);
  if (!m) return { ok: true, name: nameOrArn };
  const [, arnRegion, , name, qualifier] = m;
  if (arnRegion !== region) return { ok: false, reason: `ARN region ${arnRegion} is not the local region ${region}` };
  if (qualifier !== undefined && qualifier !== '$LATEST') {
    return { ok: false, reason: `only the $LATEST version exists locally (got qualifier "${qualifier}")` };
  }
  return { ok: true, name: name! };
}
