// ARNs of the local runtime: the shapes AWS uses, in one fake account, so code that parses or logs ARNs
// behaves as it will in AWS.

/** The account every local resource belongs to. */
export const LOCAL_ACCOUNT_ID = '000000000000';

/**
 * `arn:aws:<service>:<region>:000000000000:<resource>`. IAM is global: pass `''` as the region, as its
 * ARNs have none (`arn:aws:iam::000000000000:role/x`).
 */
export function localArn(service: string, region: string, resource: string): string {
  return `arn:aws:${service}:${region}:${LOCAL_ACCOUNT_ID}:${resource}`;
}

/** The local ARN of a catalog function: `arn:aws:lambda:<region>:000000000000:function:<Name>`. */
export function localFunctionArn(name: string, region: string): string {
  return localArn('lambda', region, `function:${name}`);
}
