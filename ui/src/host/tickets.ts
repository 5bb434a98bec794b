import { skipToken, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import {
  type AssetTicket_Serialize,
  type AssetTicketList_Serialize,
  commands,
  type TicketRequest_Serialize,
  type TicketRequestState,
} from "../bindings";
import { assetKeys } from "./assets";
import type { HostError } from "./errors";
import { call } from "./ipc";

// The UI only receives these: pick the serialize direction of tauri-specta's pair.
export type AssetTicket = AssetTicket_Serialize;
export type AssetTicketList = AssetTicketList_Serialize;
export type TicketRequest = TicketRequest_Serialize;
export type { TicketRequestState };

/** What the "Create ticket for this asset" form submits. */
export interface NewTicketInput {
  assetId: number;
  summary: string;
  details: string;
}

/**
 * Ticket queries live under the asset keys, so every data-changed event about assets or the
 * outbox (a sync ran, an edit was queued) refreshes an open ticket section too.
 */
export const ticketKeys = {
  all: [...assetKeys.all, "tickets"] as const,
  ofAsset: (id: number) => [...assetKeys.all, "tickets", id] as const,
};

/** `asset_tickets`: the asset's cached tickets and its requests not created yet (no network). */
export function getAssetTickets(assetId: number): Promise<AssetTicketList> {
  return call(() => commands.assetTickets(assetId));
}

/**
 * `refresh_asset_tickets`: asks the asset's provider (tickets opened in the PSA appear too) and
 * replaces the cache; when the provider cannot be reached, the cached list with the reason.
 */
export function refreshAssetTickets(assetId: number): Promise<AssetTicketList> {
  return call(() => commands.refreshAssetTickets(assetId));
}

/** `create_ticket_for_asset`: queues the request; the next sync creates the ticket. */
export function createTicketForAsset(input: NewTicketInput): Promise<TicketRequest> {
  return call(() => commands.createTicketForAsset(input.assetId, input.summary, input.details));
}

/** `retry_ticket`: puts a request the provider refused back in the queue. */
export function retryTicket(clientOpId: string): Promise<TicketRequest> {
  return call(() => commands.retryTicket(clientOpId));
}

/**
 * The tickets of the asset shown in the panel; idle while nothing is selected. The cached list
 * shows at once (offline too); a refresh from the provider then replaces it, so opening an
 * asset never waits on the network.
 */
export function useAssetTickets(assetId: number | null) {
  const queryClient = useQueryClient();
  useEffect(() => {
    if (assetId === null) return;
    let current = true;
    refreshAssetTickets(assetId).then(
      (fresh) => {
        if (current) queryClient.setQueryData(ticketKeys.ofAsset(assetId), fresh);
      },
      // The cached list stays; the backend only fails here when the asset itself is gone,
      // which the detail panel already reports.
      () => {},
    );
    return () => {
      current = false;
    };
  }, [assetId, queryClient]);
  return useQuery<AssetTicketList, HostError>({
    queryKey: ticketKeys.ofAsset(assetId ?? -1),
    queryFn: assetId === null ? skipToken : () => getAssetTickets(assetId),
  });
}

/** Queues a ticket request; the asset's ticket list and journal refetch afterwards. */
export function useCreateTicket() {
  const queryClient = useQueryClient();
  return useMutation<TicketRequest, HostError, NewTicketInput>({
    mutationFn: createTicketForAsset,
    onSuccess: (req) => {
      void queryClient.invalidateQueries({ queryKey: ticketKeys.ofAsset(req.assetId) });
      void queryClient.invalidateQueries({ queryKey: assetKeys.journal(req.assetId) });
    },
  });
}

/** Retries a refused ticket request. */
export function useRetryTicket() {
  const queryClient = useQueryClient();
  return useMutation<TicketRequest, HostError, string>({
    mutationFn: retryTicket,
    onSuccess: (req) =>
      void queryClient.invalidateQueries({ queryKey: ticketKeys.ofAsset(req.assetId) }),
  });
}
