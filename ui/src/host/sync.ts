import { skipToken, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import {
  type ConflictChoice,
  commands,
  type FieldConflict,
  type QueueCounts,
  type QueuedEdit_Serialize,
  type QueuedState,
  type SyncPhase,
  type SyncProgress_Serialize,
} from "../bindings";
import { type Connection, connectionKeys, type SyncOutcome } from "./connections";
import { demoKeys } from "./demo";
import type { HostError } from "./errors";
import { onConnectionStatus, onDataChanged, onSyncProgress } from "./events";
import { call, inDesktopApp } from "./ipc";
import { hostKeys } from "./queries";

/** One local edit waiting in the outbox, with its state, attempts and last error. */
export type OutboxEntry = QueuedEdit_Serialize;
export type OpState = QueuedState;
/** One field changed both here and at the provider: base, mine and theirs. */
export type ConflictEntry = FieldConflict;
/** Keep mine, take theirs, or a typed value. */
export type Resolution = ConflictChoice;
export type SyncProgress = SyncProgress_Serialize;
export type { QueueCounts, SyncPhase };

/** `sync_now`: one connection, or all (`null`); resolves when the syncs have ended. */
export function syncNow(connectionId: string | null): Promise<SyncOutcome[]> {
  return call(() => commands.syncNow(connectionId));
}

/** `cancel_sync`: stops at the next page or op boundary; returns how many were running. */
export function cancelSync(connectionId: string | null): Promise<number> {
  return call(() => commands.cancelSync(connectionId));
}

/** `outbox_list`: edits not yet acknowledged, oldest first. */
export function listOutbox(): Promise<OutboxEntry[]> {
  return call(() => commands.outboxList(false));
}

/** `outbox_retry`: a failed edit (or one waiting out a backoff) is sent at the next sync. */
export async function retryOp(clientOpId: string): Promise<void> {
  await call(() => commands.outboxRetry(clientOpId));
}

/** `outbox_discard`: the edit is dropped and never sent. */
export async function discardOp(clientOpId: string): Promise<void> {
  await call(() => commands.outboxDiscard(clientOpId));
}

/** `conflicts_list`: open conflicting fields, oldest first. */
export function listConflicts(): Promise<ConflictEntry[]> {
  return call(commands.conflictsList);
}

/** `resolve_conflict`: settles one field; the asset's edit goes out at the next sync. */
export async function resolveConflict(id: number, resolution: Resolution): Promise<void> {
  await call(() => commands.resolveConflict(id, resolution));
}

/** `queue_counts`: queued, failed and conflict counts for the Sync rail badge. */
export function getQueueCounts(): Promise<QueueCounts> {
  return call(commands.queueCounts);
}

export const syncKeys = {
  all: [...hostKeys.all, "sync"] as const,
  outbox: () => [...syncKeys.all, "outbox"] as const,
  conflicts: () => [...syncKeys.all, "conflicts"] as const,
  counts: () => [...syncKeys.all, "counts"] as const,
  /** Not fetched: the last progress event per connection, written by `useSyncEvents`. */
  progress: (connectionId: string) => [...syncKeys.all, "progress", connectionId] as const,
  /** Not fetched: how the last "sync now" of a connection went, written by its caller. */
  outcome: (connectionId: string) => [...syncKeys.all, "outcome", connectionId] as const,
};

export function useOutbox() {
  return useQuery<OutboxEntry[], HostError>({
    queryKey: syncKeys.outbox(),
    queryFn: inDesktopApp() ? listOutbox : skipToken,
  });
}

export function useConflicts() {
  return useQuery<ConflictEntry[], HostError>({
    queryKey: syncKeys.conflicts(),
    queryFn: inDesktopApp() ? listConflicts : skipToken,
  });
}

export function useQueueCounts() {
  return useQuery<QueueCounts, HostError>({
    queryKey: syncKeys.counts(),
    queryFn: inDesktopApp() ? getQueueCounts : skipToken,
  });
}

/** The latest progress event of a connection's sync, if one arrived since the app opened. */
export function useSyncProgress(connectionId: string): SyncProgress | undefined {
  return useQuery<SyncProgress>({ queryKey: syncKeys.progress(connectionId), queryFn: skipToken })
    .data;
}

/** The latest progress event of each of `connectionIds` (`undefined` where none arrived). */
export function useSyncProgresses(connectionIds: string[]): (SyncProgress | undefined)[] {
  return useQueries({
    queries: connectionIds.map((id) => ({ queryKey: syncKeys.progress(id), queryFn: skipToken })),
    combine: (results) => results.map((r) => r.data as SyncProgress | undefined),
  });
}

/** How the last "sync now" of a connection went, while this window is open. */
export function useSyncOutcome(connectionId: string): SyncOutcome | undefined {
  return useQuery<SyncOutcome>({ queryKey: syncKeys.outcome(connectionId), queryFn: skipToken })
    .data;
}

const TERMINAL: ReadonlySet<SyncPhase> = new Set(["done", "offline", "failed", "cancelled"]);

/**
 * Routes the sync events into the query cache (DESIGN.md "How data flows"): progress is
 * stored per connection for the progress bars; a connection's status event patches its line
 * in place (no refetch for a flag); a data-changed event, or the end of a sync, refetches the
 * connections' counts, the queue, the conflicts and the demo's status. Mount it once, near
 * the root.
 */
export function useSyncEvents(): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (!inDesktopApp()) return;
    const refetch = () => {
      void queryClient.invalidateQueries({ queryKey: connectionKeys.all });
      void queryClient.invalidateQueries({ queryKey: syncKeys.outbox() });
      void queryClient.invalidateQueries({ queryKey: syncKeys.conflicts() });
      void queryClient.invalidateQueries({ queryKey: syncKeys.counts() });
      void queryClient.invalidateQueries({ queryKey: demoKeys.all });
    };
    const stops = [
      onSyncProgress((progress) => {
        queryClient.setQueryData(syncKeys.progress(progress.connectionId), progress);
        if (TERMINAL.has(progress.phase)) refetch();
      }),
      onConnectionStatus((status) => {
        let known = false;
        queryClient.setQueryData<Connection[]>(connectionKeys.list(), (list) =>
          list?.map((c) => {
            if (c.id !== status.connectionId) return c;
            known = true;
            return { ...c, status };
          }),
        );
        // A connection this window has not listed yet (added by the CLI, say).
        if (!known) void queryClient.invalidateQueries({ queryKey: connectionKeys.all });
      }),
      onDataChanged(refetch),
    ];
    return () => {
      for (const stop of stops) stop();
    };
  }, [queryClient]);
}
