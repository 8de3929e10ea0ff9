import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { LogExporterConfig } from '@temporalio/worker';
import { logger, type LogLevelName } from './logger';

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const satisfies Record<LogLevel, LogLevelName>;

/**
 * The Temporal SDK's logger (Runtime.install({logger})) as lines of the root logger: the SDK's
 * own lines, workflow.log and the core's forwarded lines come out as JSON like every other line.
 */
export class PinoTemporalLogger implements TemporalLogger {
  private readonly target;

  /** @param level the SDK's lines below it are dropped (its DEBUG lines are many: one per activation). */
  constructor(level: LogLevelName) {
    this.target = logger.child({ component: 'temporal' }, { level });
  }

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.target[PINO_LEVEL[level]](meta ? plainMeta(meta) : {}, message);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }

  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }

  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }

  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }

  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}

/** The SDK's metadata without its symbol keys; an `error` goes under `err`, which pino serializes. */
function plainMeta(meta: LogMetadata): Record<string, unknown> {
  const { error, ...rest } = meta as Record<string, unknown>;
  return error instanceof Error ? { ...rest, err: error } : error === undefined ? rest : { ...rest, error };
}

/** `telemetryOptions.logging` for Runtime.install: the core's own lines (warnings and errors) go to the Runtime logger too, not straight to the console. */
export const forwardTemporalCoreLogs: LogExporterConfig = { filter: { core: 'WARN', other: 'ERROR' }, forward: {} };
