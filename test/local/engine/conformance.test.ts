// The conformance suite: small definitions with their input and the output or error AWS gives,
// taken from the Step Functions developer guide's worked examples where it has them.
import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, types } from './harness';

interface Case {
  name: string;
  definition: object;
  input: unknown;
  output?: unknown;
  status?: string;
  error?: string;
  /** Exact Cause, or a substring of it when the case says so by not starting with `{`… see below. */
  cause?: string;
  /** These event types must appear in the history in this order (not necessarily adjacent). */
  events?: string[];
}

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/asl/conformance');

function expectSubsequence(actual: string[], expected: string[]): void {
  let at = 0;
  for (const type of actual) if (type === expected[at]) at++;
  expect(at, `history ${actual.join(', ')} should contain in order: ${expected.join(', ')}`).to.equal(expected.length);
}

for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
  const cases = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Case[];
  describe(`conformance: ${file}`, () => {
    for (const c of cases) {
      it(c.name, async () => {
        const result = await run(c.definition, c.input);
        if (c.error === undefined) {
          expect(result.status, `${result.error}: ${result.cause}`).to.equal('SUCCEEDED');
          expect(result.output).to.deep.equal(c.output);
        } else {
          expect(result.status).to.equal(c.status ?? 'FAILED');
          expect(result.error).to.equal(c.error);
          if (c.cause !== undefined) {
            if (c.cause.startsWith('{') || !result.cause?.includes(c.cause)) expect(result.cause).to.equal(c.cause);
          }
        }
        if (c.events) expectSubsequence(types(result.history), c.events);
      });
    }
  });
}
