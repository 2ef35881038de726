// Mocha helper: handler loggers created inside this file's tests log nothing (they read
// POWERTOOLS_LOG_LEVEL when created), so the test report stays readable.
export function quietLogs(): void {
  let previous: string | undefined;
  before(() => {
    previous = process.env.POWERTOOLS_LOG_LEVEL;
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  });
  after(() => {
    if (previous === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
    else process.env.POWERTOOLS_LOG_LEVEL = previous;
  });
}
