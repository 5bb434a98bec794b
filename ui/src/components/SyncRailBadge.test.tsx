import { screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { syncKeys } from "../host";
import { renderWithProviders } from "../test/render";
import { SyncRailBadge } from "./SyncRailBadge";

const invoke = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/core", () => ({ isTauri: () => true, invoke }));

function answer(counts: { queued: number; failed: number; conflicts: number }) {
  invoke.mockImplementation(async (cmd: string) => {
    if (cmd === "queue_counts") return counts;
    throw new Error(`unexpected command ${cmd}`);
  });
}

describe("SyncRailBadge", () => {
  it("shows conflicts first: they need the user", async () => {
    answer({ queued: 5, failed: 1, conflicts: 2 });
    renderWithProviders(<SyncRailBadge />);
    const badge = await screen.findByTestId("sync-rail-badge");
    expect(badge).toHaveTextContent(/^2$/);
    expect(badge).toHaveAttribute("aria-label", "5 queued, 1 need attention, 2 in conflict");
  });

  it("shows the queued count when nothing needs the user, and nothing when all is sent", async () => {
    answer({ queued: 3, failed: 0, conflicts: 0 });
    const { unmount } = renderWithProviders(<SyncRailBadge />);
    expect(await screen.findByTestId("sync-rail-badge")).toHaveTextContent(/^3$/);
    unmount();

    answer({ queued: 0, failed: 0, conflicts: 0 });
    const { queryClient } = renderWithProviders(<SyncRailBadge />);
    // Only once the counts have arrived does "no badge" mean "nothing waits".
    await vi.waitFor(() =>
      expect(queryClient.getQueryState(syncKeys.counts())?.status).toBe("success"),
    );
    expect(screen.queryByTestId("sync-rail-badge")).not.toBeInTheDocument();
  });
});
