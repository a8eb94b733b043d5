/**
 * Store spans without touching the store: a wrapper around the store contract (store/types.ts)
 * that runs each method call inside a span `store.<method>`, put in place by the composition root only
 * when tracing is on. The span carries the method name and `db.system` (sqlite or postgresql),
 * never the arguments: they are usernames, hashes, token digests.
 */
import { SpanKind } from '@opentelemetry/api';
import type { Store } from '../store/types.js';
import { inTrace, traceCall } from './spans.js';

/** Methods that are not calls to the database (subscriptions, the lifecycle, in-memory states). */
const UNTRACED = new Set([
  'close',
  'watchRevocations',
  'watchSigningKeys',
  'revocationsLive',
  'dependencies',
]);

/** Every method name of an object, its own and its classes' (a store may be either). */
function methodNames(object: object): string[] {
  const names = new Set<string>();
  for (
    let level = object;
    level !== null && level !== Object.prototype;
    level = Object.getPrototypeOf(level)
  ) {
    for (const name of Object.getOwnPropertyNames(level)) {
      if (name !== 'constructor' && typeof (object as Record<string, unknown>)[name] === 'function')
        names.add(name);
    }
  }
  return [...names];
}

/**
 * The store, its methods traced: a frozen object with the store's values and, for each method, one
 * that calls it inside a span (the stores are frozen objects, which a Proxy cannot answer for
 * differently). Calls outside a traced operation (the key rotation timer, the denylist's sync) make
 * no span: a trace starts at a request.
 *
 * @example const traced = traceStore(store);
 */
export function traceStore<S extends Store>(store: S): S {
  const system = store.kind === 'postgres' ? 'postgresql' : 'sqlite';
  const traced: Record<string, unknown> = { ...(store as object) };
  for (const property of methodNames(store)) {
    const method = (store as unknown as Record<string, (...args: unknown[]) => unknown>)[property]!;
    if (UNTRACED.has(property)) {
      traced[property] = method.bind(store);
      continue;
    }
    const name = `store.${property}`;
    const attributes = { 'db.system': system, 'db.operation.name': property };
    traced[property] = (...args: unknown[]) => {
      if (!inTrace()) return method.apply(store, args);
      return traceCall(name, attributes, () => method.apply(store, args), SpanKind.CLIENT);
    };
  }
  return Object.freeze(traced) as S;
}
