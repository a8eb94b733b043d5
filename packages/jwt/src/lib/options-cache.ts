/**
 * What lets the one-shot `verify` and `sign` run as fast as a prebuilt verifier or signer: the
 * function compiled for a set of options is kept, and reused by a later call whose options have
 * the same values, field by field. Most callers write the options as a literal in the call, a new
 * object (and a new `algorithms` array) every time, so options are matched by value, not identity.
 *
 * A compiled function must depend on nothing but the values matched. So it is compiled from a
 * snapshot, never from the caller's object: lists are copied (a caller who later changes the
 * array it passed changes nothing that was compiled), and options holding any other object (a
 * `header`) are not cached at all. Dates and functions (`currentDate`, `issuedAt`) match by
 * identity; the compiled code reads them on every call, as the uncached path does.
 */

/** An option's value as kept: a primitive, a function or Date (by identity), or a copied list. */
type Kept = unknown;

/** A copied list of strings, told apart from a value kept by identity. */
class KeptList {
  constructor(readonly items: readonly string[]) {}
}

/**
 * The values of `fields` in `options`, each read once, or undefined when one of them cannot be
 * matched by value (an object other than a Date or a list of strings): such options are not cached.
 */
export function snapshotOf(options: object, fields: readonly string[]): Kept[] | undefined {
  const values: Kept[] = [];
  for (const field of fields) {
    const value: unknown = (options as Record<string, unknown>)[field];
    if (Array.isArray(value)) {
      const items: string[] = [];
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item !== 'string') return undefined;
        items.push(item);
      }
      values.push(new KeptList(items));
    } else if (typeof value === 'object' && value !== null && !(value instanceof Date)) return undefined;
    else values.push(value);
  }
  return values;
}

/** The options a snapshot stands for, as a fresh object the compiler reads (lists as copies). */
export function optionsOf(snapshot: readonly Kept[], fields: readonly string[]): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  for (let i = 0; i < fields.length; i++) {
    const value = snapshot[i];
    options[fields[i]!] = value instanceof KeptList ? [...value.items] : value;
  }
  return options;
}

function matches(options: object, fields: readonly string[], snapshot: readonly Kept[]): boolean {
  for (let i = 0; i < fields.length; i++) {
    const value: unknown = (options as Record<string, unknown>)[fields[i]!];
    const kept = snapshot[i];
    if (value === kept) continue;
    if (!(kept instanceof KeptList) || !Array.isArray(value)) return false;
    const { items } = kept;
    if (value.length !== items.length) return false;
    for (let j = 0; j < items.length; j++) if (value[j] !== items[j]) return false;
  }
  return true;
}

/**
 * A small most-recently-used list of compiled functions keyed by option values. Bounded: a caller
 * cycling through more option sets than it holds recompiles, as if there were no cache.
 */
export class OptionsCache<V> {
  private readonly entries: { snapshot: readonly Kept[]; value: V }[] = [];

  constructor(
    private readonly fields: readonly string[],
    private readonly limit: number,
  ) {}

  /** The value compiled for options equal to these, field by field, if it is still held. */
  find(options: object): V | undefined {
    const { entries, fields } = this;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      if (!matches(options, fields, entry.snapshot)) continue;
      if (i > 0) {
        entries.splice(i, 1);
        entries.unshift(entry);
      }
      return entry.value;
    }
    return undefined;
  }

  add(snapshot: readonly Kept[], value: V): void {
    this.entries.unshift({ snapshot, value });
    if (this.entries.length > this.limit) this.entries.pop();
  }
}
