import type { ConflictEntry, Connection, OutboxEntry } from "../../host";

/** An error as Tauri rejects a command with it: the `AppError` object itself, not an `Error`. */
export function appError(code: string, message: string) {
  return { code, message };
}

/** A connection as `list_connections` returns it, with sensible defaults to override. */
export function makeConnection(
  overrides: Partial<Omit<Connection, "status">> & { status?: Partial<Connection["status"]> } = {},
): Connection {
  return {
    id: "c-halo",
    kind: "halo",
    name: "Contoso Halo",
    baseUrl: "https://contoso.halopsa.com/api",
    authUrl: null,
    tenant: null,
    clientId: "assetdesk",
    demo: false,
    cachedAssets: 640,
    queuedOps: 0,
    ...overrides,
    status: {
      connectionId: overrides.id ?? "c-halo",
      running: false,
      reachability: "online",
      lastSyncAt: null,
      lastError: null,
      scheduleMinutes: 15,
      ...overrides.status,
    },
  };
}

export function makeConflict(overrides: Partial<ConflictEntry> = {}): ConflictEntry {
  return {
    id: 1,
    assetId: 42,
    assetName: "LON-LT-0042",
    connectionId: "c-halo",
    connectionName: "Contoso Halo",
    provider: "halo",
    field: "serial",
    label: "Serial number",
    base: "SN-100",
    local: "SN-200",
    remote: "SN-300",
    baseText: "SN-100",
    localText: "SN-200",
    remoteText: "SN-300",
    createdAt: Date.now() - 60_000,
    ...overrides,
  };
}

export function makeQueued(overrides: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    clientOpId: "op-1",
    seq: 1,
    assetId: 42,
    assetName: "LON-LT-0042",
    connectionId: "c-halo",
    connectionName: "Contoso Halo",
    provider: "halo",
    op: "update",
    fields: ["serial"],
    state: "pending",
    attempts: 0,
    lastError: null,
    nextAttemptAt: null,
    createdAt: Date.now() - 120_000,
    canRetry: false,
    canDiscard: true,
    ...overrides,
  };
}

type Handler = (args: Record<string, unknown> | undefined) => unknown;

/**
 * A stand-in for the Rust side at Tauri's `invoke`: each command answers from `handlers`, or
 * (for the read-only lists a page loads on mount) with an empty answer. An unexpected command
 * fails the test loudly instead of hanging a query.
 */
export function fakeInvoke(handlers: Record<string, Handler>) {
  const defaults: Record<string, Handler> = {
    app_info: () => ({ version: "0.1.0", dataDir: "/d", logDir: "/d/logs", schemaVersion: 3 }),
    list_connections: () => [],
    demo_status: () => ({
      active: false,
      online: true,
      connectionIds: [],
      haloUrl: null,
      syncroUrl: null,
    }),
    outbox_list: () => [],
    conflicts_list: () => [],
  };
  return async (cmd: string, args?: Record<string, unknown>) => {
    const handler = handlers[cmd] ?? defaults[cmd];
    if (!handler) throw new Error(`fakeInvoke: unexpected command ${cmd}`);
    return handler(args);
  };
}
