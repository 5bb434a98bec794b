import { QueryClient } from "@tanstack/react-query";
import { HostError } from "../host";

/**
 * One client per app (and one per test, so tests never share a cache). Errors the backend
 * returns are answers, not glitches: asking again gives the same `{code, message}`, so they are
 * not retried; the user gets the message at once and a Retry button where that makes sense.
 * Window focus refetching is off because the backend announces changes through events
 * (DESIGN.md, "How data flows").
 *
 * `networkMode: "always"`: every query and mutation goes to the local cache over IPC, never to
 * the network. TanStack's default ("online") pauses them while the OS reports no network,
 * which would freeze the whole app at a client site without a connection, exactly where
 * offline work matters most.
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        networkMode: "always",
        retry: (failureCount, error) => !(error instanceof HostError) && failureCount < 2,
        refetchOnWindowFocus: false,
        staleTime: Number.POSITIVE_INFINITY,
      },
      mutations: { networkMode: "always" },
    },
  });
}
