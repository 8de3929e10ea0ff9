import type { MiddlewareHandler } from 'hono';
import type { ApiEnv } from './context';
import { validationFailed } from './errors';

/** PostgreSQL stores no U+0000 (text or jsonb): a path or query holding one is refused before any lookup; bodies are checked by parseJson. */
export const refuseNulCharacters: MiddlewareHandler<ApiEnv> = async (c, next) => {
  let decodedPath: string;
  try {
    decodedPath = decodeURIComponent(c.req.path);
  } catch {
    throw validationFailed([{ field: 'path', message: 'is not valid percent-encoding' }]);
  }
  const badParam = Object.entries(c.req.query()).find(([key, value]) => key.includes('\u0000') || value.includes('\u0000'));
  if (decodedPath.includes('\u0000') || badParam) {
    throw validationFailed([{ field: badParam ? `query.${badParam[0]}` : 'path', message: 'must not contain the NUL character (U+0000)' }]);
  }
  await next();
};
