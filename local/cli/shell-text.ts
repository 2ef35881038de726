// Text the local commands print for a user to paste into a shell: quoted values, `export` lines, and the
// AWS CLI to name in example commands.
import { existsSync } from 'node:fs';

/** Single-quotes a value for a POSIX shell. */
export function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The Debian awscli (v2) when installed; a pip-installed v1 may come first on PATH and works too. */
export function awsCommand(): string {
  return existsSync('/usr/bin/aws') ? '/usr/bin/aws' : 'aws';
}

/** `  export NAME=value`, one line per variable, indented for a block of output. */
export function exportLines(env: Readonly<Record<string, string>>): string[] {
  return Object.entries(env).map(([k, v]) => `  export ${k}=${shellQuote(v)}`);
}
