// The workers' node is the runtime's major, and the binary really is that version.
import { execFileSync } from 'node:child_process';
import { expect } from 'chai';
import { LAMBDA_RUNTIME } from '../../../infra/lambda-runtime';
import { lambdaNode, lambdaNodeMajor } from '../../../local/lambda/lambda-node';

describe('local/lambda node', () => {
  it("reads the major from Lambda's runtime name, and refuses a runtime that is not node", () => {
    expect(lambdaNodeMajor('nodejs22.x')).to.equal(22);
    expect(lambdaNodeMajor('nodejs24.x')).to.equal(24);
    expect(() => lambdaNodeMajor('python3.12')).to.throw('LAMBDA_RUNTIME "python3.12" is not a nodejsNN.x runtime');
  });

  it(`finds a node ${LAMBDA_RUNTIME} runs, which says so itself`, () => {
    const node = lambdaNode();
    const printed = execFileSync(node.path, ['--version'], { encoding: 'utf8' }).trim();
    expect(printed).to.equal(`v${node.version}`);
    expect(Number(node.version.split('.')[0])).to.equal(lambdaNodeMajor(LAMBDA_RUNTIME));
  });
});
