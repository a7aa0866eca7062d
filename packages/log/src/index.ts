export { configureLogging, logger, withLogContext, levelFromEnv, LOG_LEVELS } from './logger.js';
export type { Log, LogContext, LogFormat, LogLevel, LoggingOptions } from './logger.js';
export type { LineSink } from './pretty-stream.js';
export { JsonlFile } from './jsonl-file.js';
