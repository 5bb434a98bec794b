import { skipToken, useQuery } from "@tanstack/react-query";
import {
  type ConnectionSettings_Deserialize,
  type ConnectionStatus_Serialize,
  type ConnectionView_Serialize,
  commands,
  type PermissionCheck_Serialize,
  type PermissionReport_Serialize,
  type Removal,
  type SyncOutcome_Serialize,
  type SyncReport_Serialize,
  type TestOutcome,
} from "../bindings";
import type { HostError } from "./errors";
import { call, inDesktopApp } from "./ipc";
import { hostKeys } from "./queries";

// The UI receives the `_Serialize` shapes and sends the `_Deserialize` ones (see assets.ts).
/** One connection as Settings and the sync centre list it, with its live sync status. */
export type Connection = ConnectionView_Serialize;
/** Whether it syncs, is reachable, when it last synced, and its background schedule. */
export type ConnectionStatus = ConnectionStatus_Serialize;
/** What the user enters for a connection, minus the secret (sent separately, once). */
export type ConnectionSettings = ConnectionSettings_Deserialize;
export type PermissionReport = PermissionReport_Serialize;
export type PermissionCheck = PermissionCheck_Serialize;
/** How one connection's "sync now" went: its report, or why it could not run. */
export type SyncOutcome = SyncOutcome_Serialize;
export type SyncReport = SyncReport_Serialize;

/** `list_connections`: every connection with its counts and sync status, by name. */
export function listConnections(): Promise<Connection[]> {
  return call(commands.listConnections);
}

/** `add_connection`: Rust validates the settings; the secret goes to the OS keychain only. */
export function addConnection(settings: ConnectionSettings, secret: string): Promise<Connection> {
  return call(() => commands.addConnection(settings, secret));
}

/** `edit_connection`: `secret` null keeps the stored one. */
export function editConnection(
  id: string,
  settings: ConnectionSettings,
  secret: string | null,
): Promise<Connection> {
  return call(() => commands.editConnection(id, settings, secret));
}

/** `remove_connection`: refused while edits are queued unless `force` (which drops them). */
export function removeConnection(id: string, force: boolean): Promise<Removal> {
  return call(() => commands.removeConnection(id, force));
}

/** `test_connection`: sign in and read one page; each failure has its own status. */
export function testConnection(id: string): Promise<TestOutcome> {
  return call(() => commands.testConnection(id));
}

/** `check_permissions`: what the credentials may do, naming what is missing. */
export function checkPermissions(id: string): Promise<PermissionReport> {
  return call(() => commands.checkPermissions(id));
}

/** `set_sync_schedule`: background sync every `minutes`, or off (`null`). */
export function setSyncSchedule(id: string, minutes: number | null): Promise<ConnectionStatus> {
  return call(() => commands.setSyncSchedule(id, minutes));
}

export const connectionKeys = {
  all: [...hostKeys.all, "connections"] as const,
  list: () => [...connectionKeys.all, "list"] as const,
};

/**
 * The connections. Kept current by events (`useSyncEvents`): status events patch a
 * connection's line in place, data-changed events refetch the counts. Idle outside the
 * desktop app, where there is nothing to ask.
 */
export function useConnections() {
  return useQuery<Connection[], HostError>({
    queryKey: connectionKeys.list(),
    queryFn: inDesktopApp() ? listConnections : skipToken,
  });
}

/** The form fields a connection error can point at. */
export type ConnectionField = "name" | "url" | "authUrl" | "tenant" | "clientId" | "secret";

/**
 * Rust's field names (connections.rs `ConnectionError::Invalid`, whose message reads
 * "{field}: {message}") mapped to the form's. `token` is Syncro's API token, which the form
 * collects in the same secret box as Halo's client secret.
 */
const RUST_FIELDS: Record<string, ConnectionField> = {
  name: "name",
  url: "url",
  auth_url: "authUrl",
  tenant: "tenant",
  client_id: "clientId",
  secret: "secret",
  client_secret: "secret",
  token: "secret",
};

/**
 * The form field a rejected save points at, and the message for under it; `null` when the
 * error is not about one field (keychain unavailable, a database error), so the form shows it
 * as a whole. AppError carries no field, so the "{field}: " prefix Rust writes is parsed.
 */
export function connectionFieldError(
  error: HostError,
): { field: ConnectionField; message: string } | null {
  if (error.code !== "invalid_input") return null;
  const match = /^([a-z_]+): (.+)$/s.exec(error.message);
  const field = match?.[1] ? RUST_FIELDS[match[1]] : undefined;
  if (!field || !match?.[2]) return null;
  return { field, message: match[2] };
}
