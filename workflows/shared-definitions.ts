/**
 * One copy of each compiled definition per worker, shared by every instance that runs it. Each instance
 * receives its definition in its start input and the SDK decodes a fresh copy of it for every instance
 * (and again for every replay after an eviction); holding that copy for the instance's life made the
 * definition, its calendars' holiday sets and everything derived from them a per-instance cost.
 *
 * The worker preloads this module (worker.ts, the SDK's `preloadModules`), so its map outlives any one
 * workflow. Keyed by the definition's full content, not by its `hash` field (which only the compiler
 * vouches for): an instance always runs exactly the definition its own input carries, so replay stays
 * deterministic. The shared copy is deep-frozen: an instance that tried to change it would otherwise change
 * it for every other instance.
 */
import type { CompiledDefinition } from '../dsl/compile';

const byContent = new Map<string, CompiledDefinition>();

export function sharedDefinition(definition: CompiledDefinition): CompiledDefinition {
  const key = JSON.stringify(definition);
  let shared = byContent.get(key);
  if (!shared) {
    shared = deepFreeze(definition);
    byContent.set(key, shared);
  }
  return shared;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
