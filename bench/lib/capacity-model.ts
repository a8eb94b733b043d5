/**
 * The capacity model of docs/capacity.md, from the figures `npm run bench:capacity` measured: pure
 * arithmetic, no measurement here, so the document's every number traces to a measured cost and a
 * stated assumption.
 */

/** What one request costs the server and its stores, each per request. */
export interface RequestCost {
  label: string;
  /** Requests the server counted in the measured run. */
  requests: number;
  rps: number;
  p99: number;
  errors: number;
  /** Server CPU (utime + stime, all threads), µs. */
  cpuMicros: number;
  pgStatements: number;
  pgTransactions: number;
  /** Time a PostgreSQL connection was held for the request's work, µs. */
  pgBusyMicros: number;
  redis: number;
  redisByCommand: Record<string, number>;
  /** Server-wide cross-checks (neighbours included), when taken. */
  xactCommit?: number;
  redisCalls?: number;
}

/** One feed run: K guards connected, then revocations delivered to every one. */
export interface FeedRun {
  guards: number;
  /** Live entries each new guard caught up on when it connected. */
  caughtUp: number;
  connect: { cpuMicros: number; pgStatements: number; redis: number; rssBytes: number; heapBytes: number };
  /** Revocations one at a time, each delivered to every guard before the next (one entry per write). */
  trickle: DeliveryRun;
  /** Revocations fired 16 at a time (the hub batches what one store read finds). */
  burst: DeliveryRun;
}

export interface DeliveryRun {
  revocations: number;
  /** Server CPU for the whole run (the revoke requests included), µs. */
  cpuMicros: number;
  /** Bytes written to the feed sockets, HTTP chunk framing included. */
  streamBytes: number;
  pgStatements: number;
  redis: number;
}

export const RATES = [1_000, 10_000, 100_000] as const;
export const REFRESH_SHARE = 0.1;
export const TARGET_UTILISATION = 0.6;
export const GUARDS = 1_000_000;
/** Feed streams one serving process is given in the model (an assumption, see the document). */
export const STREAMS_PER_PROCESS = 10_000;
/** The server's heartbeat period on an idle stream (revocation-stream.ts), s. */
export const HEARTBEAT_SECONDS = 15;
export const DEFAULT_POOL_SIZE = 10;

/** A 90/10 mix of client_credentials and refresh rotations: the average of each figure. */
export function mix(cc: RequestCost, refresh: RequestCost) {
  const blend = (f: (cost: RequestCost) => number) =>
    (1 - REFRESH_SHARE) * f(cc) + REFRESH_SHARE * f(refresh);
  return {
    cpuMicros: blend((c) => c.cpuMicros),
    pgStatements: blend((c) => c.pgStatements),
    pgTransactions: blend((c) => c.pgTransactions),
    pgBusyMicros: blend((c) => c.pgBusyMicros),
    redis: blend((c) => c.redis),
  };
}

export interface TokenSizing {
  rate: number;
  /** CPU seconds per second: cores fully busy. */
  busyCores: number;
  /** Cores to provision at the target utilisation (one worker each). */
  cores: number;
  pgTransactionsPerSecond: number;
  pgStatementsPerSecond: number;
  /** Connections busy on average (Little's law: rate × time held). */
  pgBusyConnections: number;
  /** Connections to provision at the target utilisation. */
  pgConnections: number;
  /** SESAME_DB_POOL_SIZE per worker that gives that many across the workers (at least 2). */
  poolPerWorker: number;
  redisOpsPerSecond: number;
}

export function sizeTokens(rate: number, cc: RequestCost, refresh: RequestCost): TokenSizing {
  const m = mix(cc, refresh);
  const busyCores = (rate * m.cpuMicros) / 1e6;
  const cores = Math.max(1, Math.ceil(busyCores / TARGET_UTILISATION));
  const pgBusyConnections = (rate * m.pgBusyMicros) / 1e6;
  const pgConnections = Math.max(1, Math.ceil(pgBusyConnections / TARGET_UTILISATION));
  return {
    rate,
    busyCores,
    cores,
    pgTransactionsPerSecond: rate * m.pgTransactions,
    pgStatementsPerSecond: rate * m.pgStatements,
    pgBusyConnections,
    pgConnections,
    poolPerWorker: Math.max(2, Math.ceil(pgConnections / cores)),
    redisOpsPerSecond: rate * m.redis,
  };
}

/** Per delivered entry, fitted from two runs with different numbers of guards. */
export interface FeedFit {
  /** Server CPU per entry per guard (the slope), µs. */
  cpuPerDelivery: number;
  /** Server CPU per revocation whatever the number of guards (the revoke request, the store read), µs. */
  cpuPerRevocation: number;
  bytesPerDelivery: number;
}

export function fitFeed(runs: readonly FeedRun[], pick: (run: FeedRun) => DeliveryRun): FeedFit {
  const sorted = [...runs].sort((a, b) => a.guards - b.guards);
  const small = sorted[0]!;
  const large = sorted.at(-1)!;
  const per = (run: FeedRun) => pick(run).cpuMicros / pick(run).revocations;
  const cpuPerDelivery =
    large.guards === small.guards
      ? per(large) / large.guards
      : (per(large) - per(small)) / (large.guards - small.guards);
  const bytes = (run: FeedRun) => pick(run).streamBytes / (pick(run).revocations * run.guards);
  return {
    cpuPerDelivery,
    cpuPerRevocation: Math.max(0, per(small) - cpuPerDelivery * small.guards),
    bytesPerDelivery: (bytes(small) + bytes(large)) / 2,
  };
}

export interface FeedSizing {
  processes: number;
  /** Memory of the open streams across the fleet, bytes. */
  streamMemory: number;
  /** Cores busy delivering one revocation per second to every guard (one entry per write). */
  coresPerRevocationPerSecond: number;
  /** Cores busy with heartbeats alone. */
  heartbeatCores: number;
  /** Bytes per second on the wire for one revocation per second to every guard. */
  bytesPerRevocationPerSecond: number;
  /** CPU seconds to accept every guard again (a full reconnection). */
  reconnectCpuSeconds: number;
  /** Store reads per revocation: one per serving process (its hub), whatever its number of streams. */
  storeReadsPerRevocation: number;
}

export function sizeFeed(trickle: FeedFit, large: FeedRun): FeedSizing {
  const processes = Math.ceil(GUARDS / STREAMS_PER_PROCESS);
  return {
    processes,
    streamMemory: GUARDS * large.connect.rssBytes,
    coresPerRevocationPerSecond: (GUARDS * trickle.cpuPerDelivery) / 1e6,
    // A heartbeat is one small write per stream, like a one-entry delivery (an assumption: not timed).
    heartbeatCores: ((GUARDS / HEARTBEAT_SECONDS) * trickle.cpuPerDelivery) / 1e6,
    bytesPerRevocationPerSecond: GUARDS * trickle.bytesPerDelivery,
    reconnectCpuSeconds: (GUARDS * large.connect.cpuMicros) / 1e6,
    storeReadsPerRevocation: processes,
  };
}
