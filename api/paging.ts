import { InvalidCursorError } from '../db/keyset';
import { validationFailed } from './errors';

/** A page, or 400 naming `query.cursor` when the cursor is not one a page returned. */
export async function pagedOrBadCursor<T>(page: () => Promise<T>): Promise<T> {
  try {
    return await page();
  } catch (err) {
    if (err instanceof InvalidCursorError) throw validationFailed([{ field: 'query.cursor', message: err.message }]);
    throw err;
  }
}
