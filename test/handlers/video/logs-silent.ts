// Imported before the handlers: their module-level loggers read POWERTOOLS_LOG_LEVEL when created,
// so the pipeline's INFO lines stay out of the test report. logs-restored.ts undoes it.
export const previousLogLevel = process.env.POWERTOOLS_LOG_LEVEL;
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
