import { join } from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { expect } from 'chai';
import { analyzeDefinition, escapeTerraformDirectives, findPlaceholders, loadAslFile, substitutePlaceholders, withDeclaredReaderKeys, type AslFile } from '../../infra/asl-definition';
import { FIXTURES } from './synth-helpers';

const file = (definition: object, path = 'asl/test.asl.json', itemReaderKeys: Record<string, string> = {}): AslFile => ({
  machine: 'test',
  path,
  definition: definition as AslFile['definition'],
  itemReaderKeys,
});
const task = (resource: string, parameters: object = {}) => ({ StartAt: 'T', States: { T: { Type: 'Task', Resource: resource, Parameters: parameters, End: true } } });

describe('infra/asl-definition', () => {
  it('loads a state machine named as its source says', () => {
    const file = loadAslFile({ name: 'pipeline', aslPath: join(FIXTURES, 'asl', 'pipeline.asl.json') });
    expect(file.machine).to.equal('pipeline');
    expect(file.definition.StartAt).to.be.a('string');
    expect(() => loadAslFile({ name: 'Bad_Name', aslPath: join(FIXTURES, 'asl', 'pipeline.asl.json') })).to.throw(/lower-case kebab/);
  });

  it('rejects a file that is not JSON or not a state machine, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'longhaul-asl-'));
    try {
      writeFileSync(join(dir, 'broken.asl.json'), '{ nope');
      expect(() => loadAslFile({ name: 'broken', aslPath: join(dir, 'broken.asl.json') })).to.throw(/broken\.asl\.json: not valid JSON/);
      writeFileSync(join(dir, 'broken.asl.json'), '{"Comment": "no states"}');
      expect(() => loadAslFile({ name: 'broken', aslPath: join(dir, 'broken.asl.json') })).to.throw(/broken\.asl\.json: not a state machine definition/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds placeholders in nested strings, once each', () => {
    const def = task('arn:aws:states:::lambda:invoke', { FunctionName: '${AArn}', Nested: { B: 'x/${DataBucket}/${AArn}' } });
    expect(findPlaceholders(file(def).definition)).to.deep.equal(['AArn', 'DataBucket']);
  });

  it('substitutes placeholders inside longer strings and refuses unknown ones', () => {
    const f = file(task('arn:aws:states:::lambda:invoke', { FunctionName: '${AArn}', Key: 'in/${DataBucket}/k' }));
    const out = substitutePlaceholders(f, { AArn: 'arn:a', DataBucket: 'bkt' });
    expect(JSON.stringify(out)).to.include('"FunctionName":"arn:a"').and.include('"Key":"in/bkt/k"');
    expect(() => substitutePlaceholders(f, { AArn: 'arn:a' })).to.throw(/asl\/test\.asl\.json: unknown placeholder\(s\) \$\{DataBucket\}; known: AArn/);
  });

  it('escapes Terraform template directives', () => {
    expect(escapeTerraformDirectives('{"a":"%{x} and %{y}","b":"100%"}')).to.equal('{"a":"%%{x} and %%{y}","b":"100%"}');
  });

  it('lists invoked functions, Distributed Map use, readers, writers and table actions', () => {
    const uses = analyzeDefinition(file(JSON.parse(JSON.stringify({
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          Branches: [{ StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: '${FirstArn}' }, End: true } } }],
          Next: 'M',
        },
        M: {
          Type: 'Map',
          ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: '${DataBucket}', Prefix: 'jobs/x/' } },
          ItemProcessor: {
            ProcessorConfig: { Mode: 'DISTRIBUTED' },
            StartAt: 'B',
            States: { B: { Type: 'Task', Resource: '${SecondArn}', End: true } },
          },
          ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: '${DataBucket}', Prefix: 'out' } },
          Next: 'D',
        },
        D: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:putItem', Parameters: { TableName: '${ProgressTable}' }, End: true },
      },
    }))), ['FirstArnless', 'First', 'Second', 'Unused']);
    expect(uses.functions).to.deep.equal(['First', 'Second']);
    expect(uses.distributedMap).to.equal(true);
    expect(uses.itemReaders).to.deep.equal([{ state: 'M', api: 'listObjectsV2', bucket: '${DataBucket}', keyOrPrefix: 'jobs/x/' }]);
    expect(uses.resultWriters).to.deep.equal([{ state: 'M', bucket: '${DataBucket}', keyOrPrefix: 'out' }]);
    expect(uses.tableActions).to.deep.equal(['dynamodb:PutItem']);
  });

  it('treats JSONPath and JSONata run-time keys as unknown, and an inline Map as not distributed', () => {
    const uses = analyzeDefinition(file({
      StartAt: 'M',
      States: {
        M: {
          Type: 'Map',
          ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Arguments: { Bucket: '{% $b %}', Key: '{% $k %}' } },
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
          End: true,
        },
      },
    }), []);
    expect(uses.distributedMap).to.equal(false);
    expect(uses.itemReaders).to.deep.equal([{ state: 'M', api: 'getObject', bucket: undefined, keyOrPrefix: undefined }]);
  });

  it('puts the declared key in place of a run-time ItemReader key, and refuses a declaration nothing uses', () => {
    const twoMaps = {
      StartAt: 'A',
      States: {
        A: { Type: 'Map', ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: 'b', 'Key.$': '$.plan.key' } }, ItemProcessor: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }, Next: 'B' },
        B: { Type: 'Map', ItemReader: { Resource: 'arn:aws:states:::s3:getObject', Parameters: { Bucket: 'b', Key: 'fixed.json' } }, ItemProcessor: { StartAt: 'Q', States: { Q: { Type: 'Pass', End: true } } }, End: true },
      },
    };
    const declared = file(twoMaps, 'asl/two.asl.json', { A: 'jobs/*/work/items.json' });
    expect(withDeclaredReaderKeys(declared, analyzeDefinition(declared, []).itemReaders).map((r) => [r.state, r.keyOrPrefix])).to.deep.equal([
      ['A', 'jobs/*/work/items.json'],
      ['B', 'fixed.json'],
    ]);
    const stray = file(twoMaps, 'asl/two.asl.json', { Nope: 'x' });
    expect(() => withDeclaredReaderKeys(stray, analyzeDefinition(stray, []).itemReaders)).to.throw(/asl\/two\.asl\.json: itemReaderKeys names "Nope", which is not a Map state with an ItemReader/);
    const literal = file(twoMaps, 'asl/two.asl.json', { B: 'other.json' });
    expect(() => withDeclaredReaderKeys(literal, analyzeDefinition(literal, []).itemReaders)).to.throw(/"B", whose ItemReader reads the literal "fixed\.json"/);
  });

  it('records startExecution targets and whether they are followed synchronously', () => {
    const uses = analyzeDefinition(file(task('arn:aws:states:::states:startExecution.sync:2', { StateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:child' })), []);
    expect(uses.startExecution).to.deep.equal([{ stateMachineArn: 'arn:aws:states:us-east-1:1:stateMachine:child', sync: true }]);
  });

  it('records a machine that starts itself again ($$.StateMachine.Id: continue-as-new)', () => {
    const uses = analyzeDefinition(file(task('arn:aws:states:::states:startExecution.sync:2', { 'StateMachineArn.$': '$$.StateMachine.Id' })), []);
    expect(uses.startExecution).to.deep.equal([{ stateMachineArn: undefined, self: true, sync: true }]);
  });

  it('refuses an integration it would have to guess IAM for, naming file, state and resource', () => {
    expect(() => analyzeDefinition(file(task('arn:aws:states:::sqs:sendMessage')), [])).to.throw(
      /asl\/test\.asl\.json: state "T" uses integration "arn:aws:states:::sqs:sendMessage"/,
    );
  });
});
