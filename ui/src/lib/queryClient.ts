import { QueryClient } from "@tanstack/react-query";
import { HostError } from "../host";

/**
 * One client per app (and one per test, so tests never share a cache). Errors the backend
 * returns are answers, not glitches: asking again gives the same `{code, message}`, so they are
 * not retried; the user gets the message at once and a Retry button where that makes sense.
 * Window focus refetching is off because the backend announces changes through events
 * (DESIGN.md, "How data flows").
 */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failureCount, error) => !(error instanceof HostError) && failureCount < 2,
        refetchOnWindowFocus: false,
        staleTime: Number.POSITIVE_INFINITY,
      },
    },
  });
}
