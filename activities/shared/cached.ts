/** Caches a lookup's promise (pipelines, fields, users): concurrent callers share one request, and a failed lookup is forgotten so the next attempt asks again. */
export function cached<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
  let value = cache.get(key);
  if (!value) {
    value = load();
    cache.set(key, value);
    value.catch(() => cache.delete(key));
  }
  return value;
}
