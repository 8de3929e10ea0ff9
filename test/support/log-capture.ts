import { logger } from '../../observability/logger';

export type LogLine = Record<string, unknown>;

/** The JSON lines the root logger writes (at debug and up) while `work` runs; they do not reach stdout. */
export async function linesLoggedBy(work: () => unknown): Promise<LogLine[]> {
  const written: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  const level = logger.level;
  logger.level = 'debug';
  try {
    await work();
  } finally {
    logger.level = level;
    spy.mockRestore();
  }
  return written.map((line) => JSON.parse(line) as LogLine);
}
