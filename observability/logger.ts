import { trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { currentLogFields } from './log-context';

export type LogFormat = 'json' | 'pretty';
export type { Logger };

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevelName = (typeof LEVELS)[number];

/** `LOG_LEVEL` (any case: the Temporal spelling `INFO` too), default `info`. */
export function logLevelFromEnv(env: NodeJS.ProcessEnv = process.env): LogLevelName {
  const raw = (env.LOG_LEVEL || 'info').toLowerCase();
  if (!(LEVELS as readonly string[]).includes(raw)) throw new Error(`LOG_LEVEL must be one of ${LEVELS.join(', ')}; got "${env.LOG_LEVEL}"`);
  return raw as LogLevelName;
}

/** `LOG_FORMAT`: `json` or `pretty`; unset: JSON, except on a terminal of embedded mode (see logToTerminal). */
export function logFormatFromEnv(env: NodeJS.ProcessEnv = process.env): LogFormat | undefined {
  const raw = env.LOG_FORMAT?.toLowerCase();
  if (!raw) return undefined;
  if (raw !== 'json' && raw !== 'pretty') throw new Error(`LOG_FORMAT must be json or pretty; got "${env.LOG_FORMAT}"`);
  return raw;
}

/**
 * Keys whose values never reach a line, at any of the first three levels of what is logged. Code
 * does not log secrets in the first place; this is the second line of defence.
 */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'cookie',
  'x-signature',
  'X-Signature',
  'x-ddpaas-signature',
  'signature',
  'secret',
  'appSecret',
  'apiSecret',
  'callbackSecret',
  'token',
  'accessToken',
  'access_token',
  // Temporal's task token: it completes the activity it names.
  'taskToken',
  'password',
  'appSecretsKey',
  'previousAppSecretsKey',
];
const REDACTED_PATHS = SECRET_KEYS.flatMap((key) => {
  const safe = `["${key}"]`;
  return [safe, `*${safe}`, `*.*${safe}`];
});

/** Where lines go: stdout, as JSON lines or (a person at a terminal) through pino-pretty. */
class LogDestination {
  private target: { write(line: string): unknown } = process.stdout;

  write(line: string): void {
    this.target.write(line);
  }

  usePretty(): void {
    this.target = pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true });
  }
}

/** The trace and span of the line, when tracing is on and a span is active. */
function traceFields(): { traceId?: string; spanId?: string } {
  const span = trace.getActiveSpan()?.spanContext();
  return span && trace.isSpanContextValid(span) ? { traceId: span.traceId, spanId: span.spanId } : {};
}

const destination = new LogDestination();
const format = logFormatFromEnv();
if (format === 'pretty') destination.usePretty();

/**
 * The process's one root logger: JSON lines on stdout (`level` as a word, `time` ISO 8601), each
 * with the fields of the work it belongs to (log-context.ts: requestId, instanceId, taskId,
 * actionId, appKey, userId, activityType) and, with tracing on, its traceId and spanId.
 */
export const logger: Logger = pino(
  {
    level: logLevelFromEnv(),
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => ({ ...currentLogFields(), ...traceFields() }),
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  },
  destination,
);

/** Embedded mode (`npm start`): pretty lines when stdout is a terminal, unless LOG_FORMAT says otherwise. Call it before anything is logged. */
export function logToTerminal(): void {
  if (format === undefined && process.stdout.isTTY) destination.usePretty();
}

/** What a caught error says, for a line: its message and kind (no stack, no cause: an error may quote what it was given). */
export function errorFields(err: unknown): { error: string; errorType?: string } {
  return err instanceof Error ? { error: err.message, errorType: err.name } : { error: String(err) };
}

const RECORD_LEVELS = new Set<string>(['trace', 'debug', 'info', 'warn', 'error']);

/** A line given as one object (`{level, msg, ...fields}`, the shape the DingTalk Stream client reports in) as a line of the root logger. */
export function logRecord(record: Record<string, unknown>): void {
  const { level, msg, ...fields } = record;
  const method = typeof level === 'string' && RECORD_LEVELS.has(level) ? (level as 'info') : 'info';
  logger[method](fields, typeof msg === 'string' ? msg : '');
}
