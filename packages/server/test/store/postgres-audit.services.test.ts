/**
 * The PostgreSQL store's audit inserts (store/sql/postgres-audit.ts): a group is one prepared
 * statement over column arrays, so every value must come back exactly as given whatever an array
 * literal would make of it (quotes, backslashes, braces, commas, the word NULL, empty strings), in
 * the order given; a group is atomic: one refused row refuses every caller of the group and
 * writes nothing, and the next group on the same connections commits.
 */
import { PG_URL } from '@sesame/testkit';
import pg from 'pg';
import { expect, it } from 'vitest';
import { describeWithServices, openTestPostgresStore } from '../helpers/services.js';
import { anAuditEvent, T0 } from './conformance/fixtures.js';

/** Values an array literal gives meaning to; each must be stored as the plain string it is. */
const AWKWARD = [
  'NULL',
  'null',
  '',
  '"',
  '\\',
  '\\"',
  '{a,b}',
  'x,y',
  ' padded ',
  "it's",
  'é 🔑',
  '{}',
  'a\nb',
];

async function countRows(schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query(`select count(*)::int as n from "${schema}".audit_events`);
    return rows[0].n;
  } finally {
    await client.end();
  }
}

await describeWithServices(['PostgreSQL'], 'PostgreSQL audit inserts', () => {
  it('writes every event of a burst, in order, and reads them back as they were given', async () => {
    const { store } = await openTestPostgresStore();
    const events = Array.from({ length: 50 }, (_, i) => anAuditEvent(i));
    await Promise.all(events.map((e) => store.addAuditEvent(e)));
    const rows = await store.listAuditEvents({ afterId: 0, limit: 100 });
    expect(rows.map(({ id: _, ...row }) => row)).toEqual(events);
    await store.close();
  });

  it('stores strings an array literal would read otherwise exactly as given, and null as null', async () => {
    const { store } = await openTestPostgresStore();
    const events = AWKWARD.map((text, i) => ({
      at: T0 + i,
      type: `t${text}`,
      actor: text,
      subject: i % 2 ? null : text,
      clientId: text,
      ip: i % 2 ? text : null,
      details: { text, list: [text, null] },
    }));
    await Promise.all(events.map((e) => store.addAuditEvent(e)));
    const rows = await store.listAuditEvents({ afterId: 0, limit: 100 });
    expect(rows.map(({ id: _, ...row }) => row)).toEqual(events);
    // The one string that reads as SQL NULL in an array literal, unquoted: still a string here.
    expect(rows[0]).toMatchObject({ actor: 'NULL', subject: 'NULL', clientId: 'NULL' });
    await store.close();
  });

  it('a group is atomic: one refused event refuses every caller of the group and writes nothing', async () => {
    const { store, schema } = await openTestPostgresStore();
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`create function "${schema}".refuse_bad() returns trigger language plpgsql as $$
      begin if new.type = 'bad' then raise exception 'refused'; end if; return new; end $$`);
    await client.query(`create trigger refuse_bad before insert on "${schema}".audit_events
      for each row execute function "${schema}".refuse_bad()`);
    await client.end();
    const results = await Promise.allSettled([
      store.addAuditEvent(anAuditEvent(1)),
      store.addAuditEvent({ ...anAuditEvent(2), type: 'bad' }),
      store.addAuditEvent(anAuditEvent(3)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(await countRows(schema)).toBe(0);
    // The prepared statement and its connections stay usable: the next group commits.
    await Promise.all([store.addAuditEvent(anAuditEvent(4)), store.addAuditEvent(anAuditEvent(5))]);
    expect(await countRows(schema)).toBe(2);
    await store.close();
  });
});
