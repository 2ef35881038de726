// ListMapRuns and DescribeMapRun.
import { ApiError } from '../api-types';
import { checkStatesArn } from './arns';
import { findExecution, readExecutionArn } from './execution-actions';
import { requiredString } from './request-fields';
import type { SfnAction } from './sfn-context';
import { describeMapRunShape, mapRunListItemShape } from './wire-shapes';

export const listMapRuns: SfnAction = (ctx, body) => {
  const arn = readExecutionArn(body);
  findExecution(ctx, arn);
  const page = ctx.paginate(body, {
    items: ctx.engine.control.listMapRuns(arn),
    keyOf: (r) => [r.startDate.getTime(), r.mapRunArn],
    descending: true,
    scope: ['ListMapRuns', arn],
  });
  return { mapRuns: page.items.map(mapRunListItemShape), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
};

export const describeMapRun: SfnAction = (ctx, body) => {
  const arn = checkStatesArn(requiredString(body, 'mapRunArn', { min: 1, max: 2000 }), 'mapRunArn', 'mapRun');
  const record = ctx.engine.control.describeMapRun(arn);
  if (!record) throw new ApiError('ResourceNotFound', `Resource Not Found: '${arn}'`);
  return describeMapRunShape(record);
};
