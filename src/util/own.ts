// Looking up a name that came from outside (a request, the CLI, a config file) in a plain
// object: only the object's own keys count, so `constructor`, `__proto__` or `toString`
// never find something from Object.prototype.
export function hasOwn(record: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, key);
}

/** `record[key]` when `key` is one of its own properties, else undefined. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return hasOwn(record, key) ? record[key] : undefined;
}
