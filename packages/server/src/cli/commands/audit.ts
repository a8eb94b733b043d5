/**
 * `sesame audit export`: the audit trail as JSON lines, oldest first, for a SIEM or an archive.
 * Pages through the store by event id, so an export of millions of events runs in constant memory
 * and `--after-id` resumes one where the last line left off. Events never hold secrets or tokens
 * (store/types.ts AuditEvent), so the export holds none either.
 */
import type { Command } from 'commander';
import type { Services } from '../../domain/services.js';
import { auditRecord } from '../../domain/system/audit-record.js';
import { commandConfig, withExistingStore, withStoreOptions } from '../context.js';
import { usage } from '../failure.js';

interface ExportOptions {
  dataDir?: string;
  config?: string;
  since?: string;
  afterId?: string;
  type?: string;
  format: string;
}

const PAGE = 1000;
const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `--since`: an ISO 8601 date or time (2026-12-01, 2026-12-01T08:00:00Z), or a span back from now
 * (30m, 24h, 7d). Answers epoch milliseconds.
 */
export function parseSince(value: string, now: number): number {
  const span = /^(\d{1,6})([mhd])$/.exec(value);
  if (span) return now - Number(span[1]) * UNIT_MS[span[2]!]!;
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    const at = Date.parse(value);
    if (!Number.isNaN(at)) return at;
  }
  throw usage(
    `--since ${JSON.stringify(value)}: give an ISO 8601 date or time (2026-12-01T08:00:00Z) or a span (30m, 24h, 7d)`,
  );
}

function parseAfterId(value: string): number {
  if (!/^\d{1,15}$/.test(value))
    throw usage(`--after-id must be an event id (a whole number), not ${JSON.stringify(value)}`);
  return Number(value);
}

/** Writes a line; resolves when it may write more (back-pressure), rejects when stdout is gone. */
function writeLine(line: string): Promise<void> {
  return new Promise((done, fail) => {
    const ok = process.stdout.write(line, (error) => (error ? fail(error) : undefined));
    if (ok) done();
    else process.stdout.once('drain', done);
  });
}

type AuditList = Services['auditTrail']['list'];

/**
 * Every event matching the filters after `afterId`, oldest first, a page at a time, each written
 * as one JSON line (the admin API's fields, and `time` in ISO 8601). Answers how many.
 *
 * @example await exportAuditEvents(services.auditTrail.list, { type: 'login.failed' }, writeLine);
 */
export async function exportAuditEvents(
  list: AuditList,
  filters: { since?: number; type?: string; afterId?: number },
  write: (line: string) => Promise<void>,
  pageSize = PAGE,
): Promise<number> {
  let afterId = filters.afterId ?? 0;
  let written = 0;
  for (;;) {
    const page = await list({ since: filters.since, type: filters.type, afterId, limit: pageSize });
    for (const event of page) {
      await write(`${JSON.stringify(auditRecord(event))}\n`);
    }
    written += page.length;
    if (page.length < pageSize) return written;
    afterId = page[page.length - 1]!.id;
  }
}

/** Registers `sesame audit export`. */
export function registerAudit(program: Command): void {
  const audit = program.command('audit').description('the audit trail');
  withStoreOptions(audit.command('export'))
    .description('print audit events as JSON lines, oldest first')
    .option(
      '--since <when>',
      'from this time: ISO 8601 (2026-12-01T08:00:00Z) or a span back from now (24h, 7d)',
    )
    .option('--after-id <id>', 'only events after this id (resume an export from its last line)')
    .option(
      '--type <type>',
      'only events of this type (login.failed, refresh.reuse, admin.user.changed, ...)',
    )
    .option('--format <format>', 'jsonl (one JSON object per line)', 'jsonl')
    .action(async (options: ExportOptions) => {
      if (options.format !== 'jsonl') throw usage(`--format ${options.format}: only jsonl is supported`);
      const since = options.since === undefined ? undefined : parseSince(options.since, Date.now());
      const afterId = options.afterId === undefined ? undefined : parseAfterId(options.afterId);
      // A reader that stops early (`| head`) is not a failure: the export ends quietly.
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') process.exit(0);
      });
      await withExistingStore(commandConfig(options), (services) =>
        exportAuditEvents(services.auditTrail.list, { since, type: options.type, afterId }, writeLine),
      );
    });
}
