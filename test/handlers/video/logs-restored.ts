// Imported after the handlers (see logs-silent.ts): later loggers, other suites', log as configured.
import { previousLogLevel } from './logs-silent';

if (previousLogLevel === undefined) delete process.env.POWERTOOLS_LOG_LEVEL;
else process.env.POWERTOOLS_LOG_LEVEL = previousLogLevel;
