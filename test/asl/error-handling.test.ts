// Every asl/ file against the one table of named errors (handlers/lib/errors.ts): what must be retried is
// retried, what must not be is not, and every failure reaches the shared RecordFailure task before the
// execution fails. Retriers are matched with AWS's rules (first matching retrier, States.ALL and
// States.TaskFailed as wildcards), so a States.ALL retrier that would also retry InvalidInput fails here.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect } from 'chai';
import { pipelines } from '../../handlers/catalog';
import { ERRORS, type ErrorName } from '../../handlers/lib/errors';
import { errorMatches } from '../../local/engine/error-matching';
import { RETRY_DEFAULTS } from '../../local/engine/retry';
import { tallyPipeline } from '../fixtures/pipelines/tally/pipeline';

const root = resolve(import.meta.dirname, '..', '..');
const LAMBDA_SERVICE_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];
const RECORD_FAILURE = '${RecordFailureArn}';

interface Rule {
  ErrorEquals: string[];
  MaxAttempts?: number;
  Next?: string;
}
interface State {
  Type: string;
  Next?: string;
  Parameters?: { FunctionName?: string };
  Retry?: Rule[];
  Catch?: Rule[];
  Branches?: Branch[];
  ItemProcessor?: Branch;
  Iterator?: Branch;
}
interface Branch {
  States: Record<string, State>;
}

/** A Lambda task, with the branch it sits in and the states enclosing it (innermost first), each with its own branch. */
interface TaskSite {
  name: string;
  state: State;
  enclosing: { state: State; branch: Branch }[];
  branch: Branch;
}

function lambdaTasks(branch: Branch, enclosing: TaskSite['enclosing'] = []): TaskSite[] {
  const sites: TaskSite[] = [];
  for (const [name, state] of Object.entries(branch.States)) {
    if (state.Type === 'Task') sites.push({ name, state, enclosing, branch });
    const inner = [...(state.Branches ?? []), ...[state.ItemProcessor ?? state.Iterator].filter((b): b is Branch => b !== undefined)];
    for (const b of inner) sites.push(...lambdaTasks(b, [{ state, branch }, ...enclosing]));
  }
  return sites;
}

/** Whether an error is retried: the first retrier matching it decides, with its attempts. */
function retried(state: State, error: string): boolean {
  const rule = state.Retry?.find((r) => errorMatches(r.ErrorEquals, error));
  return rule !== undefined && (rule.MaxAttempts ?? RETRY_DEFAULTS.MaxAttempts) > 0;
}

/** The state a failure of the task goes to: its own Catch, or that of the nearest enclosing state with one. */
function catchTarget(site: TaskSite, error: string): State | undefined {
  for (const { state, branch } of [{ state: site.state, branch: site.branch }, ...site.enclosing]) {
    const rule = state.Catch?.find((r) => errorMatches(r.ErrorEquals, error));
    if (rule?.Next) return branch.States[rule.Next];
  }
  return undefined;
}

const aslFiles = readdirSync(join(root, 'asl')).filter((f) => f.endsWith('.asl.json'));

describe('asl/: Retry and Catch against the error table', () => {
  it('every asl/ file is the state machine of a declared pipeline', () => {
    expect(aslFiles.map((f) => `asl/${f}`).sort()).to.deep.equal(pipelines.map((p) => p.asl).sort());
  });

  it('the table gives every named error a retry class', () => {
    for (const [name, entry] of Object.entries(ERRORS)) expect(['never', 'transient', 'bug'], name).to.include(entry.retry);
    // The names thrown by handlers/lib and the pipelines (ASL matches these strings).
    expect(Object.keys(ERRORS).sort()).to.deep.equal(
      ['ChunkOverBudget', 'InputNotFound', 'InternalError', 'InvalidInput', 'JobMismatch', 'TransientError', 'VerificationFailed'].sort(),
    );
  });

  // The fixture pipeline too: it is the shape a new pipeline copies.
  for (const pipeline of [...pipelines, tallyPipeline]) {
    describe(pipeline.asl, () => {
      const machine = JSON.parse(readFileSync(join(root, pipeline.asl), 'utf8')) as Branch;
      const tasks = lambdaTasks(machine);
      const workTasks = tasks.filter((t) => t.state.Parameters?.FunctionName !== RECORD_FAILURE);

      it('has Lambda tasks, one of them the shared RecordFailure', () => {
        expect(workTasks.length).to.be.greaterThan(0);
        expect(tasks.filter((t) => t.state.Parameters?.FunctionName === RECORD_FAILURE)).to.have.lengthOf(1);
      });

      it('names only errors of the table, AWS (States.*, Lambda.*) or the Lambda sandbox', () => {
        for (const { name, state } of tasks) {
          for (const rule of [...(state.Retry ?? []), ...(state.Catch ?? [])]) {
            for (const error of rule.ErrorEquals) {
              const known = error in ERRORS || error.startsWith('States.') || error.startsWith('Lambda.') || error === 'Sandbox.Timedout';
              expect(known, `${name}: ${error}`).to.equal(true);
            }
          }
        }
      });

      it('retries transient errors and the Lambda service errors, and never an error of class never or bug', () => {
        for (const { name, state } of tasks) {
          for (const error of LAMBDA_SERVICE_ERRORS) expect(retried(state, error), `${name} retries ${error}`).to.equal(true);
          for (const [error, entry] of Object.entries(ERRORS) as [ErrorName, (typeof ERRORS)[ErrorName]][]) {
            expect(retried(state, error), `${name} ${entry.retry === 'transient' ? 'retries' : 'does not retry'} ${error}`).to.equal(entry.retry === 'transient');
          }
        }
      });

      it('sends every failure of every task to RecordFailure, which always ends in a Fail state', () => {
        for (const site of workTasks) {
          for (const error of [...Object.keys(ERRORS), ...LAMBDA_SERVICE_ERRORS, 'Sandbox.Timedout', 'States.Timeout', 'States.TaskFailed']) {
            const target = catchTarget(site, error);
            expect(target?.Parameters?.FunctionName, `${site.name}: ${error}`).to.equal(RECORD_FAILURE);
          }
        }
        const record = tasks.find((t) => t.state.Parameters?.FunctionName === RECORD_FAILURE)!;
        const after = [record.state.Next, ...(record.state.Catch ?? []).map((c) => c.Next)];
        for (const next of after) expect(record.branch.States[next!]?.Type, `RecordFailure → ${next}`).to.equal('Fail');
        expect(record.state.Catch?.some((c) => c.ErrorEquals.includes('States.ALL')), 'RecordFailure catches its own failure').to.equal(true);
      });
    });
  }
});
