/** A value as JSON carries it: dates become ISO strings, undefined fields vanish. */
export type AsJson<T> = T extends Date
  ? string
  : T extends Array<infer U>
    ? Array<AsJson<U>>
    : T extends object
      ? { [K in keyof T as T[K] extends undefined ? never : K]: AsJson<T[K]> }
      : T;

/** Database rows hold Dates; an answer holds what the client receives. */
export function asJson<T>(value: T): AsJson<T> {
  return JSON.parse(JSON.stringify(value)) as AsJson<T>;
}
