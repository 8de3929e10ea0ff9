import type { MiddlewareHandler } from 'hono';
import type { ApiEnv } from './context';
import { ApiError } from './errors';

/** PostgreSQL stores no U+0000 (text or jsonb): a path or query holding one is refused before any lookup; bodies are checked by parseJson. */
export const refuseNulCharacters: MiddlewareHandler<ApiEnv> = async (c, next) => {
  let decodedPath: string;
  try {
    decodedPath = decodeURIComponent(c.req.path);
  } catch {
    throw new ApiError(400, 'VALIDATION_FAILED', 'the path is not valid percent-encoding', [{ field: 'path', message: 'is not valid percent-encoding' }]);
  }
  const badParam = Object.entries(c.req.query()).find(([key, value]) => key.includes('\u0000') || value.includes('\u0000'));
  if (decodedPath.includes('\u0000') || badParam) {
    const field = badParam ? `query.${badParam[0]}` : 'path';
    throw new ApiError(400, 'VALIDATION_FAILED', `${field}: must not contain the NUL character (U+0000)`, [
      { field, message: 'must not contain the NUL character (U+0000)' },
    ]);
  }
  await next();
};
