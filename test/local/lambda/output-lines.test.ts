import { expect } from 'chai';
import { createLineSplitter } from '../../../local/lambda/output-lines';
import { END_OF_INVOCATION_MARK } from '../../../local/lambda/worker-protocol';

function collect() {
  const events: string[] = [];
  const splitter = createLineSplitter(
    (text) => events.push(`line:${text}`),
    () => events.push('mark'),
  );
  return { events, splitter };
}

describe('local/lambda output lines', () => {
  it('joins chunks into lines and drops CR of CRLF', () => {
    const { events, splitter } = collect();
    splitter.push('hel');
    splitter.push('lo\r\nwor');
    splitter.push('ld\n\n');
    expect(events).to.deep.equal(['line:hello', 'line:world', 'line:']);
  });

  it('reports the end-of-invocation mark, also when it ends an unterminated line', () => {
    const { events, splitter } = collect();
    splitter.push(`done\n${END_OF_INVOCATION_MARK}\n`);
    splitter.push(`partial${END_OF_INVOCATION_MARK}\nnext`);
    splitter.flush();
    expect(events).to.deep.equal(['line:done', 'mark', 'line:partial', 'mark', 'line:next']);
  });
});
