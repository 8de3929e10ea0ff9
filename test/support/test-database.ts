import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { connectDatabase, type Database } from '../../db/client';
import { SecretBox } from '../../db/secret-box';

export interface TestDatabase {
  database: Database;
  secretBox: SecretBox;
  drop(): Promise<void>;
}

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run integration tests through jest (global setup starts the stack)`);
  return value;
}

/** A database of its own for one test file, cloned from the template that global setup migrated. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const templateUrl = new URL(required('TEST_DATABASE_URL'));
  const dbName = `test_${randomBytes(4).toString('hex')}`;
  const admin = postgres({ ...connectionOf(templateUrl, 'postgres'), max: 1, onnotice: () => undefined });
  await admin.unsafe(`create database "${dbName}" template "${templateUrl.pathname.slice(1)}"`);
  const dbUrl = new URL(templateUrl);
  dbUrl.pathname = `/${dbName}`;
  const database = connectDatabase(dbUrl.toString(), { max: 5 });
  return {
    database,
    secretBox: SecretBox.fromString(required('TEST_APP_SECRETS_KEY')),
    async drop() {
      await database.close();
      await admin.unsafe(`drop database if exists "${dbName}" with (force)`);
      await admin.end();
    },
  };
}

function connectionOf(url: URL, database: string) {
  return {
    host: url.hostname,
    port: Number(url.port),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database,
  };
}
