import { useMutation, useQueryClient } from "@tanstack/react-query";
import { showErrorToast } from "../../components/notify";
import { connectionKeys, type HostError, type SyncOutcome, syncKeys, syncNow } from "../../host";

/**
 * "Sync now" for one connection (`connectionId`) or all (`null`), shared by the Sync page and
 * the top bar. Each connection's outcome is kept for its summary line; one that could not run
 * at all (already running, no secret) is announced with Rust's reason.
 */
export function useSyncNow() {
  const queryClient = useQueryClient();
  return useMutation<SyncOutcome[], HostError, string | null>({
    mutationFn: (connectionId) => syncNow(connectionId),
    onSuccess: (outcomes) => {
      for (const outcome of outcomes) {
        queryClient.setQueryData(syncKeys.outcome(outcome.connectionId), outcome);
        if (outcome.error) showErrorToast(`${outcome.connectionName} did not sync`, outcome.error);
      }
    },
    onError: (error) => showErrorToast("Could not sync", error),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: connectionKeys.all }),
  });
}
