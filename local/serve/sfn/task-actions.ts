// SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat: a `.waitForTaskToken` task's callbacks.
import { optionalString, parseJsonPayload, requiredString, type RequestBody } from './request-fields';
import type { SfnAction } from './sfn-context';

const readTaskToken = (body: RequestBody) => requiredString(body, 'taskToken', { min: 1, max: 2048 });

export const sendTaskSuccess: SfnAction = ({ engine }, body) => {
  const taskToken = readTaskToken(body);
  const output = requiredString(body, 'output');
  parseJsonPayload(output, 'output', 'InvalidOutput');
  engine.control.sendTaskSuccess(taskToken, output);
  return {};
};

export const sendTaskFailure: SfnAction = ({ engine }, body) => {
  const taskToken = readTaskToken(body);
  const error = optionalString(body, 'error', { max: 256 });
  const cause = optionalString(body, 'cause', { max: 32_768 });
  engine.control.sendTaskFailure(taskToken, error, cause);
  return {};
};

export const sendTaskHeartbeat: SfnAction = ({ engine }, body) => {
  engine.control.sendTaskHeartbeat(readTaskToken(body));
  return {};
};
