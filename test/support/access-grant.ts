// Mocha helper: runs a describe block's handler code under the local IAM check with one grant (set in
// `before`, after `setup`, e.g. writing the objects the grant must deny; the environment restored in `after`).
import { LOCAL_ACCESS_ENV, type LocalAccessGrant } from '../../handlers/lib/local-access';
import { applyEnv } from '../../local/process-env';

export function useAccessGrant(grant: () => LocalAccessGrant, setup?: () => Promise<void>): void {
  let restoreEnv: (() => void) | undefined;
  before(async () => {
    await setup?.();
    // A new value of the variable means new clients (they are cached per environment), built with the check.
    restoreEnv = applyEnv({ [LOCAL_ACCESS_ENV]: JSON.stringify(grant()) });
  });
  after(() => {
    restoreEnv?.();
    restoreEnv = undefined;
  });
}
