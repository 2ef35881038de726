// TestState: one state run on an input, as AWS's API runs it for unit-testing a state. The engine checks every
// field of the request itself (readTestCase takes it as it came off the wire, naming what is wrong), runs the
// state and answers in the API's shapes; its refusals reach the client as the API errors they name.
import type { TestStateRequest } from '../../engine/test-state-types';
import { requiredString } from './request-fields';
import type { SfnAction } from './sfn-context';

export const testState: SfnAction = ({ engine }, body) => {
  requiredString(body, 'definition');
  return engine.testState(body as unknown as TestStateRequest);
};
