import { createServer } from 'node:net';

/** Resolves true when nothing listens on `port` (on any interface). */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/** Fails with one message naming every busy port, before anything is started. */
export async function assertPortsFree(ports: Array<{ port: number; what: string }>): Promise<void> {
  const busy: string[] = [];
  for (const { port, what } of ports) if (!(await portIsFree(port))) busy.push(`${port} (${what})`);
  if (busy.length > 0) {
    throw new Error(
      `port(s) already in use: ${busy.join(', ')} — is another \`npm start\` running? Stop it or change the port via env (PORT, EMBEDDED_PG_PORT, TEMPORAL_DEV_PORT, TEMPORAL_UI_PORT).`,
    );
  }
}
