/**
 * How the embedded servers treat the disk. `durable` (npm start's default): a commit is on disk
 * before it is acknowledged. `fast`: nothing waits for the disk — for tests and benches that ask
 * for it explicitly (`EMBEDDED_DURABILITY=fast`), never for data anyone keeps.
 */
export type Durability = 'durable' | 'fast';

export function durabilityFromEnv(raw: string | undefined): Durability {
  if (raw === undefined || raw === '' || raw === 'durable') return 'durable';
  if (raw === 'fast') return 'fast';
  throw new Error(`EMBEDDED_DURABILITY must be "durable" or "fast", got "${raw}"`);
}
