// The `${Name}` placeholders of asl/ files: which names exist and how they are replaced. ASL files are
// plain JSON that AWS would accept once these are filled in; infra fills them with Terraform references,
// the local runtime with local ARNs and names. One implementation for both, so they cannot drift.

/** The names every ASL file may use besides one `${<Function>Arn}` per catalog function. */
export const RESOURCE_PLACEHOLDERS = { bucket: 'DataBucket', table: 'ProgressTable' } as const;

const PLACEHOLDER = /\$\{([^}]*)\}/g;

/** `VideoSplit` → `VideoSplitArn`, the placeholder naming a catalog function in asl/ files. */
export function arnPlaceholder(functionName: string): string {
  return `${functionName}Arn`;
}

/** The value of every placeholder: function ARNs by catalog name, the bucket and the table. */
export function placeholderValues(opts: { functionArns: Readonly<Record<string, string>>; bucket: string; table: string }): Record<string, string> {
  const values: Record<string, string> = { [RESOURCE_PLACEHOLDERS.bucket]: opts.bucket, [RESOURCE_PLACEHOLDERS.table]: opts.table };
  for (const [name, arn] of Object.entries(opts.functionArns)) values[arnPlaceholder(name)] = arn;
  return values;
}

/** Every placeholder name used anywhere in `value` (strings and object keys), sorted and unique. */
export function findPlaceholders(value: unknown): string[] {
  const found = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') for (const match of v.matchAll(PLACEHOLDER)) found.add(match[1]!);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        walk(k);
        walk(inner);
      }
    }
  };
  walk(value);
  return [...found].sort();
}

export interface Substituted {
  value: unknown;
  /** One line per placeholder without a value and per unclosed `${`, each naming where it is (`States.P.Result.a`). */
  problems: string[];
  /** Names of the placeholders without a value, sorted and unique. */
  unknown: string[];
}

/**
 * Replaces `${Name}` in every string, object keys included. A placeholder without a value is left as
 * it is and reported; so is a `${` with no closing `}`, which Terraform would read as the start of an
 * interpolation.
 */
export function substitutePlaceholders(value: unknown, values: Readonly<Record<string, string>>): Substituted {
  const problems: string[] = [];
  const unknown = new Set<string>();
  const replace = (s: string, where: string): string => {
    if (!s.includes('${')) return s;
    if (s.replace(PLACEHOLDER, '').includes('${')) {
      problems.push(`${where || 'definition'}: unclosed placeholder in ${JSON.stringify(s)} (a "\${" with no closing "}")`);
    }
    return s.replace(PLACEHOLDER, (whole, name: string) => {
      if (Object.hasOwn(values, name)) return values[name]!;
      unknown.add(name);
      problems.push(`${where || 'definition'}: placeholder ${whole} has no value`);
      return whole;
    });
  };
  const walk = (v: unknown, where: string): unknown => {
    if (typeof v === 'string') return replace(v, where);
    if (Array.isArray(v)) return v.map((inner, i) => walk(inner, `${where}[${i}]`));
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, inner] of Object.entries(v)) out[replace(k, where)] = walk(inner, where === '' ? k : `${where}.${k}`);
      return out;
    }
    return v;
  };
  return { value: walk(value, ''), problems, unknown: [...unknown].sort() };
}
