import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { LinkTree } from "../../host";
import { renderWithProviders } from "../../test/render";
import { LinkTreePanel } from "./LinkTreePanel";

// The lowest IPC edge is mocked: Tauri's invoke. Bindings, host and component are real.
const invoke = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/core", () => ({ isTauri: () => true, invoke }));

const node = (
  id: number,
  name: string,
  parentId: number | null,
  depth: number,
  childCount = 0,
) => ({
  id,
  name,
  typeName: id === 1 ? "Server" : "Virtual Machine",
  clientName: "Alpha Dental",
  parentId,
  depth,
  childCount,
  descendantCount: childCount,
  inactive: false,
  syncState: "synced" as const,
  localOnly: false,
});

const TREE: LinkTree = {
  focusId: 1,
  ancestors: [],
  nodes: [node(1, "HOST-01", null, 0, 2), node(2, "VM-A", 1, 1), node(3, "VM-B", 1, 1)],
  truncated: false,
  scope: { kind: "provider", provider: "halo", field: null },
};

beforeEach(() => {
  invoke.mockReset();
  invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
    switch (cmd) {
      case "link_tree":
        return TREE;
      case "link_candidates":
        return [
          {
            id: 2,
            name: "VM-A",
            typeName: null,
            clientName: null,
            blocked: "inside this asset's tree (would make a loop)",
            warning: null,
          },
          {
            id: 9,
            name: "RACK-HOST",
            typeName: "Server",
            clientName: "Beta Law",
            blocked: null,
            warning: "another client: the link would cross clients",
          },
        ];
      case "set_asset_parent":
        if (args.parentId === 2) {
          throw {
            code: "invalid_input",
            message:
              "“VM-A” is already inside “HOST-01”'s tree, so “HOST-01” cannot go under it (that would make a loop)",
          };
        }
        return {
          childId: args.childId,
          parentId: args.parentId,
          queued: true,
          warnings: [
            "“HOST-01” (“Alpha Dental”) now sits under “RACK-HOST” (“Beta Law”): the link crosses clients",
          ],
          notes: [],
          scope: { kind: "provider", provider: "halo", field: null },
        };
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
});

describe("LinkTreePanel", () => {
  it("shows the subtree with counts and collapses it", async () => {
    renderWithProviders(<LinkTreePanel assetId={1} />);
    const tree = await screen.findByTestId("link-tree");
    expect(
      within(tree)
        .getAllByTestId("link-node")
        .map((n) => n.dataset.name),
    ).toEqual(["HOST-01", "VM-A", "VM-B"]);
    expect(within(tree).getByTestId("link-count")).toHaveTextContent("2 children");
    await userEvent.click(screen.getByRole("button", { name: "Collapse HOST-01" }));
    expect(
      within(tree)
        .getAllByTestId("link-node")
        .map((n) => n.dataset.name),
    ).toEqual(["HOST-01"]);
  });

  it("marks refused candidates and links a chosen parent, showing the cross-client warning", async () => {
    renderWithProviders(<LinkTreePanel assetId={1} />);
    await userEvent.click(await screen.findByTestId("link-set-parent"));
    const candidates = await screen.findAllByTestId("link-candidate");
    expect(candidates[0]).toBeDisabled();
    expect(candidates[0]).toHaveTextContent("would make a loop");
    await userEvent.click(candidates[1] as HTMLElement);
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("set_asset_parent", { childId: 1, parentId: 9 }),
    );
    expect(await screen.findByTestId("link-notes")).toHaveTextContent("crosses clients");
  });

  it("shows the backend's refusal naming both assets", async () => {
    // The picker offered VM-A (say the tree changed since); the backend refuses the loop.
    const base = invoke.getMockImplementation();
    invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) =>
      cmd === "link_candidates"
        ? [{ id: 2, name: "VM-A", typeName: null, clientName: null, blocked: null, warning: null }]
        : base?.(cmd, args),
    );
    renderWithProviders(<LinkTreePanel assetId={1} />);
    await userEvent.click(await screen.findByTestId("link-set-parent"));
    const [candidate] = await screen.findAllByTestId("link-candidate");
    await userEvent.click(candidate as HTMLElement);
    expect(await screen.findByTestId("link-error")).toHaveTextContent(
      "“VM-A” is already inside “HOST-01”'s tree",
    );
  });

  it("says when Syncro cannot hold the link", async () => {
    invoke.mockImplementation(async () => ({
      ...TREE,
      scope: {
        kind: "local_only",
        reason: "Syncro has no asset relations; … stays in AssetDesk.",
      },
    }));
    renderWithProviders(<LinkTreePanel assetId={1} />);
    expect(await screen.findByTestId("link-scope")).toHaveTextContent("stays in AssetDesk");
  });
});
