import { skipToken, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  commands,
  type LinkCandidate_Serialize,
  type LinkOutcome_Serialize,
  type LinkRole,
  type LinkScope_Serialize,
  type LinkSearch,
  type LinkTree_Serialize,
  type TreeAsset_Serialize,
} from "../bindings";
import { assetKeys } from "./assets";
import { calendarKeys } from "./calendar";
import type { HostError } from "./errors";
import { call } from "./ipc";
import { hostKeys } from "./queries";

export type LinkTree = LinkTree_Serialize;
export type TreeAsset = TreeAsset_Serialize;
export type LinkScope = LinkScope_Serialize;
export type LinkCandidate = LinkCandidate_Serialize;
export type LinkOutcome = LinkOutcome_Serialize;
export type { LinkRole, LinkSearch };

/** `link_tree`: ancestors, the asset and its subtree, with counts and where the link lives. */
export function getLinkTree(id: number): Promise<LinkTree> {
  return call(() => commands.linkTree(id));
}

/** `set_asset_parent`: set, move (another parent) or clear (`null`) the parent of a child. */
export function setAssetParent(childId: number, parentId: number | null): Promise<LinkOutcome> {
  return call(() => commands.setAssetParent(childId, parentId));
}

/** `link_candidates`: the search picker's options, with why some cannot be chosen. */
export function getLinkCandidates(search: LinkSearch): Promise<LinkCandidate[]> {
  return call(() => commands.linkCandidates(search));
}

export const linkKeys = {
  all: [...hostKeys.all, "links"] as const,
  tree: (id: number) => [...linkKeys.all, "tree", id] as const,
  candidates: (search: LinkSearch) => [...linkKeys.all, "candidates", search] as const,
};

/** The tree around `id`; idle while nothing is selected. */
export function useLinkTree(id: number | null) {
  return useQuery<LinkTree, HostError>({
    queryKey: linkKeys.tree(id ?? -1),
    queryFn: id === null ? skipToken : () => getLinkTree(id),
  });
}

/** The picker's candidates; idle while the picker is closed. */
export function useLinkCandidates(search: LinkSearch | null) {
  return useQuery<LinkCandidate[], HostError>({
    queryKey: search ? linkKeys.candidates(search) : [...linkKeys.all, "candidates", "idle"],
    queryFn: search ? () => getLinkCandidates(search) : skipToken,
  });
}

/** A link change; on success trees, asset views and the calendar refetch. */
export function useSetParent() {
  const queryClient = useQueryClient();
  return useMutation<LinkOutcome, HostError, { childId: number; parentId: number | null }>({
    mutationFn: ({ childId, parentId }) => setAssetParent(childId, parentId),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: linkKeys.all });
      void queryClient.invalidateQueries({ queryKey: assetKeys.all });
      void queryClient.invalidateQueries({ queryKey: calendarKeys.all });
    },
  });
}
