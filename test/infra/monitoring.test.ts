// The dashboard in the synthesized Terraform: the lesson's four panels (AWS-Lambda-LESS-14, "CloudWatch
// Dashboard") as metric math, each expression reading exactly the metrics it means, and the handlers'
// work-done metrics under the dimensions the deployed functions emit them with.
import { resolve } from 'node:path';
import { expect } from 'chai';
import { catalog, pipelines } from '../../handlers/catalog';
import { kebabName } from '../../handlers/catalog-types';
import { pipelineStateMachine } from '../../infra/asl-definition';
import { makeFakeDist, resourcesOf, synthStack, type FakeDist } from './synth-helpers';

type MetricLine = (string | Record<string, unknown>)[];
interface Widget {
  properties: { title: string; metrics: MetricLine[] };
}

/** A line of a widget: its metric (namespace, name, dimensions) or expression, and its options. */
interface Line {
  id?: string;
  expression?: string;
  namespace?: string;
  name?: string;
  dimensions: Record<string, string>;
  options: Record<string, unknown>;
}

function linesOf(widget: Widget): Line[] {
  return widget.properties.metrics.map((raw) => {
    const options = (typeof raw.at(-1) === 'object' ? raw.at(-1) : {}) as Record<string, unknown>;
    const parts = raw.filter((p): p is string => typeof p === 'string');
    const dimensions: Record<string, string> = {};
    for (let i = 2; i + 1 < parts.length; i += 2) dimensions[parts[i]!] = parts[i + 1]!;
    return { id: options.id as string | undefined, expression: options.expression as string | undefined, namespace: parts[0], name: parts[1], dimensions, options };
  });
}

/** What METRICS("x") reads in CloudWatch: every metric of the graph whose id contains x. */
const metricsMatching = (lines: Line[], part: string) => lines.filter((l) => l.expression === undefined && l.id?.includes(part));

describe('infra/monitoring: the dashboard', () => {
  let dist: FakeDist;
  let widgets: Widget[];
  let lambdas: Record<string, Record<string, unknown>>;
  const root = resolve(import.meta.dirname, '..', '..');
  const deployedName = (catalogName: string) => lambdas[`fn-${kebabName(catalogName)}`]!.function_name as string;
  const find = (title: string) => {
    const found = widgets.find((w) => w.properties.title.startsWith(title));
    if (!found) throw new Error(`no widget titled "${title}…" among ${widgets.map((w) => w.properties.title).join(' | ')}`);
    return linesOf(found);
  };

  before(() => {
    dist = makeFakeDist(catalog);
    const tf = synthStack({ catalog, stateMachines: pipelines.map((p) => pipelineStateMachine(p, root)), distDir: dist.dir });
    widgets = (JSON.parse(resourcesOf(tf, 'aws_cloudwatch_dashboard').dashboard!.dashboard_body as string) as { widgets: Widget[] }).widgets;
    lambdas = resourcesOf(tf, 'aws_lambda_function');
  });
  after(() => dist.remove());

  it('shows each pipeline’s success rate: succeeded over finished executions', () => {
    const lines = find('Pipeline success rate');
    for (const pipeline of pipelines) {
      const arn = `\${aws_sfn_state_machine.sm-${pipeline.name}.arn}`;
      const expr = lines.find((l) => l.expression && l.options.label === `longhaul-dev-${pipeline.name} success rate (%)`);
      expect(expr?.expression, pipeline.name).to.be.a('string');
      // Resolve each id the expression names to the metric it reads.
      const read = (id: string) => lines.find((l) => l.id === id && l.expression === undefined)!;
      const ids = [...expr!.expression!.matchAll(/FILL\((\w+), 0\)/g)].map((m) => m[1]!);
      const metricOf = Object.fromEntries(ids.map((id) => [read(id).name, id]));
      expect(Object.keys(metricOf)).to.have.members(['ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']);
      for (const id of ids) expect(read(id), id).to.deep.include({ namespace: 'AWS/States', dimensions: { StateMachineArn: arn } });
      for (const id of ids) expect(read(id).options, id).to.include({ stat: 'Sum', visible: false });
      const f = (name: string) => `FILL(${metricOf[name]}, 0)`;
      expect(expr!.expression).to.equal(
        `100 * ${f('ExecutionsSucceeded')} / (${['ExecutionsSucceeded', 'ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted'].map(f).join(' + ')})`,
      );
    }
  });

  it('shows each pipeline’s average execution duration in seconds', () => {
    const lines = find('Average execution duration');
    for (const pipeline of pipelines) {
      const expr = lines.find((l) => l.options.label === `longhaul-dev-${pipeline.name} average duration (s)`)!;
      const [, id] = /^(\w+) \/ 1000$/.exec(expr.expression ?? '') ?? [];
      const metric = lines.find((l) => l.id === id && l.expression === undefined)!;
      expect(metric).to.deep.include({ namespace: 'AWS/States', name: 'ExecutionTime', dimensions: { StateMachineArn: `\${aws_sfn_state_machine.sm-${pipeline.name}.arn}` } });
      expect(metric.options.stat).to.equal('Average');
    }
  });

  it('names the bottleneck step: the one function with the highest p99 duration', () => {
    const lines = find('Bottleneck step');
    const expr = lines.find((l) => l.expression)!;
    expect(expr.expression).to.equal('SORT(METRICS("p99_"), MAX, DESC, 1)');
    const read = metricsMatching(lines, 'p99_');
    expect(read.map((l) => l.dimensions.FunctionName)).to.have.members(catalog.map((f) => deployedName(f.name)));
    for (const l of read) expect(l).to.deep.include({ namespace: 'AWS/Lambda', name: 'Duration' });
    for (const l of read) expect(l.options).to.include({ stat: 'p99', visible: false, label: l.dimensions.FunctionName });
  });

  it('shows the error rate: all functions’ errors over all their invocations', () => {
    const lines = find('Lambda error rate');
    const expr = lines.find((l) => l.expression)!;
    const [, errors, invocations] = /^100 \* SUM\(METRICS\("(\w+)"\)\) \/ SUM\(METRICS\("(\w+)"\)\)$/.exec(expr.expression ?? '') ?? [];
    const everyFunction = catalog.map((f) => deployedName(f.name));
    for (const [part, metric] of [[errors!, 'Errors'], [invocations!, 'Invocations']] as const) {
      const read = metricsMatching(lines, part);
      expect(read.map((l) => l.dimensions.FunctionName), metric).to.have.members(everyFunction);
      for (const l of read) expect(l, metric).to.deep.include({ namespace: 'AWS/Lambda', name: metric });
      for (const l of read) expect(l.options.stat).to.equal('Sum');
    }
  });

  it('plots the work handlers report under the dimensions the deployed functions emit', () => {
    for (const [title, metric, reporter] of [
      ['Video frames transcoded', 'FramesEncoded', 'VideoTranscodeChunk'],
      ['ETL rows read', 'RowsRead', 'EtlTransform'],
      ['ML samples trained', 'SamplesTrained', 'MlTrain'],
    ] as const) {
      const lines = find(title);
      const [, part] = /^SUM\(METRICS\("(\w+)"\)\)$/.exec(lines.find((l) => l.expression)?.expression ?? '') ?? [];
      const read = metricsMatching(lines, part!);
      const name = deployedName(reporter);
      // A handler's record carries function = its Lambda name and pipeline = its LONGHAUL_PIPELINE variable.
      const variables = (lambdas[`fn-${kebabName(reporter)}`]!.environment as { variables: Record<string, string> }).variables;
      expect(variables.LONGHAUL_PIPELINE, reporter).to.be.oneOf(pipelines.map((p) => p.name));
      expect(read.map((l) => l.dimensions), title).to.deep.include({ function: name, pipeline: variables.LONGHAUL_PIPELINE });
      for (const l of read) expect(l).to.deep.include({ namespace: 'longhaul', name: metric });
      for (const l of read) expect(Object.keys(l.dimensions)).to.deep.equal(['function', 'pipeline']);
    }
    expect(widgets.map((w) => w.properties.title)).to.include('S3 bytes read and written (per 5 min)');
  });

  it('gives every metric and expression an id CloudWatch accepts, unique within its graph', () => {
    for (const widget of widgets) {
      const ids = linesOf(widget).map((l) => l.id).filter((id): id is string => id !== undefined);
      for (const id of ids) expect(id, widget.properties.title).to.match(/^[a-z][A-Za-z0-9_]*$/);
      expect(new Set(ids).size, widget.properties.title).to.equal(ids.length);
    }
  });
});
