import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AssetRow } from "../../host";
import { NavigationProvider } from "../../lib/navigation";
import { renderWithProviders } from "../../test/render";
import { AssetsPage } from "./AssetsPage";
import { fakeInvoke, makeRows } from "./fakeCatalog";
import { localToday } from "./listState";
import { withWindowSizedElements } from "./testEnv";

// Only Tauri's invoke is mocked: bindings, host, hooks and the page are the real ones.
const invoke = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/core", () => ({ isTauri: () => true, invoke }));
vi.mock("@tauri-apps/api/event", () => ({
  listen: vi.fn(async () => () => {}),
  once: vi.fn(),
  emit: vi.fn(),
}));

vi.setConfig({ testTimeout: 30_000 });
configure({ asyncUtilTimeout: 5000 });

withWindowSizedElements();

let rows: AssetRow[] = [];
beforeEach(() => {
  window.localStorage.clear();
  rows = makeRows(60, localToday());
  invoke.mockImplementation(fakeInvoke(rows));
});

function renderPage() {
  return renderWithProviders(
    <NavigationProvider value={{ page: "assets", navigate: () => {} }}>
      <AssetsPage />
    </NavigationProvider>,
  );
}

const rowName = (row: HTMLElement) => within(row).getAllByRole("cell")[0]?.textContent ?? "";
const byName = (name: string) => rows.find((r) => name.includes(r.name));

describe("multi-select and bulk edit", () => {
  it("selects with Ctrl-click, confirms once naming the count, and reports per row", async () => {
    const user = userEvent.setup();
    renderPage();
    const shown = await screen.findAllByTestId("asset-row");
    // Three rows: one plain click, then Ctrl-click two more (one of them a Syncro asset,
    // which has no status and must come back as failed with Rust's reason).
    const syncroIndex = shown.findIndex((r) => byName(rowName(r))?.provider === "syncro");
    const haloIndexes = shown
      .map((r, i) => [r, i] as const)
      .filter(([r]) => byName(rowName(r))?.provider === "halo")
      .map(([, i]) => i);
    const picked = [haloIndexes[0], haloIndexes[1], syncroIndex].map((i) => shown[i ?? 0]);
    await user.click(picked[0] as HTMLElement);
    await user.keyboard("{Control>}");
    await user.click(picked[1] as HTMLElement);
    await user.click(picked[2] as HTMLElement);
    await user.keyboard("{/Control}");
    expect(await screen.findByTestId("selection-bar")).toHaveTextContent("3 selected");
    // Sent in list order, whatever the click order was.
    const ids = shown.filter((r) => picked.includes(r)).map((r) => byName(rowName(r))?.id);

    await user.click(screen.getByRole("button", { name: "Bulk edit…" }));
    const dialog = await screen.findByRole("dialog", { name: /Bulk edit · 3 assets/ });
    await user.click(within(dialog).getByRole("combobox", { name: "Change status" }));
    await user.click(await screen.findByRole("option", { name: "Retired", hidden: true }));
    await user.click(within(dialog).getByRole("button", { name: "Review" }));
    expect(within(dialog).getByTestId("bulk-confirm")).toHaveTextContent(
      'Change status to "Retired" on 3 assets?',
    );
    expect(invoke).not.toHaveBeenCalledWith("bulk_update_assets", expect.anything());
    await user.click(within(dialog).getByRole("button", { name: "Apply to 3 assets" }));

    expect(await within(dialog).findByTestId("bulk-summary")).toHaveTextContent(
      "2 updated · 0 unchanged · 1 failed",
    );
    const results = within(within(dialog).getByTestId("bulk-results")).getAllByRole("row");
    expect(results).toHaveLength(4);
    expect(within(dialog).getByText(/no asset status/)).toBeInTheDocument();
    const sent = invoke.mock.calls.filter(([c]) => c === "bulk_update_assets");
    expect(sent).toHaveLength(1);
    expect(sent[0]?.[1]).toEqual({
      request: {
        ids,
        change: { kind: "status", connectionId: "halo-1", statusId: 9 },
      },
    });
  });

  it("extends with Shift-click, ticks every loaded row with Ctrl+A, and Esc clears", async () => {
    const user = userEvent.setup();
    renderPage();
    const shown = await screen.findAllByTestId("asset-row");
    await user.click(shown[1] as HTMLElement);
    await user.keyboard("{Shift>}");
    await user.click(shown[5] as HTMLElement);
    await user.keyboard("{/Shift}");
    expect(await screen.findByTestId("selection-bar")).toHaveTextContent("5 selected");
    expect(screen.getAllByTestId("asset-row").filter((r) => r.dataset.checked)).toHaveLength(5);

    await user.keyboard("{Control>}a{/Control}");
    expect(screen.getByTestId("selection-bar")).toHaveTextContent("60 selected");
    await user.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("selection-bar")).not.toBeInTheDocument());
    expect(screen.getByTestId("row-count")).toHaveTextContent("60 assets");
  });

  it("retires the selection with one confirmation that names the count", async () => {
    const user = userEvent.setup();
    renderPage();
    const shown = await screen.findAllByTestId("asset-row");
    await user.click(shown[0] as HTMLElement);
    await user.keyboard("{Shift>}");
    await user.click(shown[3] as HTMLElement);
    await user.keyboard("{/Shift}");
    await user.click(screen.getByRole("button", { name: "Bulk edit…" }));
    const dialog = await screen.findByRole("dialog");
    await user.click(within(dialog).getByRole("combobox", { name: "Change" }));
    await user.click(
      await screen.findByRole("option", {
        name: "Retire (retired status + inactive)",
        hidden: true,
      }),
    );
    await user.click(within(dialog).getByRole("button", { name: "Review" }));
    expect(within(dialog).getByTestId("bulk-confirm")).toHaveTextContent("Retire 4 assets?");
    await user.click(within(dialog).getByRole("button", { name: "Apply to 4 assets" }));
    expect(await within(dialog).findByTestId("bulk-summary")).toHaveTextContent("4 updated");
    const sent = invoke.mock.calls.find(([c]) => c === "bulk_update_assets")?.[1] as {
      request: { change: unknown };
    };
    expect(sent.request.change).toEqual({ kind: "retire" });
  });
});

describe("list preferences", () => {
  it("hides a column from the chooser and remembers it and the sort across visits", async () => {
    const user = userEvent.setup();
    const first = renderPage();
    await screen.findAllByTestId("asset-row");
    expect(screen.getByRole("columnheader", { name: /Serial/ })).toBeInTheDocument();
    await user.click(screen.getByTestId("column-chooser"));
    await user.click(await screen.findByRole("checkbox", { name: "Serial", hidden: true }));
    await user.click(await screen.findByRole("checkbox", { name: "Model", hidden: true }));
    await waitFor(() =>
      expect(screen.queryByRole("columnheader", { name: /Serial/ })).not.toBeInTheDocument(),
    );
    expect(screen.getByRole("columnheader", { name: /Model/ })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Client" }));
    first.unmount();

    renderPage();
    await screen.findAllByTestId("asset-row");
    expect(screen.queryByRole("columnheader", { name: /Serial/ })).not.toBeInTheDocument();
    expect(screen.getByRole("columnheader", { name: /Client/ })).toHaveAttribute(
      "aria-sort",
      "ascending",
    );
    const requests = invoke.mock.calls.filter(([c]) => c === "asset_page");
    expect(requests[requests.length - 1]?.[1]).toMatchObject({
      request: { sort: { column: "client", descending: false } },
    });
  });

  it("saves a view of the search and filters and applies it later", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findAllByTestId("asset-row");
    const search = screen.getByRole("textbox", { name: "Search assets" });
    await user.click(search);
    await user.paste("initech");
    await user.click(screen.getByTestId("views-menu"));
    await user.click(
      await screen.findByRole("menuitem", { name: "Save current view…", hidden: true }),
    );
    await user.type(await screen.findByRole("textbox", { name: "Name" }), "Initech kit");
    await user.click(screen.getByRole("button", { name: "Save view" }));

    await user.click(screen.getByRole("button", { name: "Clear search" }));
    await waitFor(() => expect(search).toHaveValue(""));
    await user.click(screen.getByTestId("views-menu"));
    await user.click(await screen.findByRole("menuitem", { name: "Initech kit", hidden: true }));
    await waitFor(() => expect(search).toHaveValue("initech"));
    await waitFor(() =>
      expect(
        screen.getAllByTestId("asset-row").every((r) => /INITECH/.test(r.textContent ?? "")),
      ).toBe(true),
    );
    expect(JSON.parse(window.localStorage.getItem("assetdesk.assets.views.v1") ?? "[]")).toEqual([
      expect.objectContaining({ name: "Initech kit" }),
    ]);
  });

  it("opens a new asset with Ctrl+N and the selected one with Enter", async () => {
    const user = userEvent.setup();
    renderPage();
    const shown = await screen.findAllByTestId("asset-row");
    await user.keyboard("{Control>}n{/Control}");
    expect(await screen.findByRole("form", { name: "New asset" })).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    await waitFor(() =>
      expect(screen.queryByRole("form", { name: "New asset" })).not.toBeInTheDocument(),
    );
    await user.click(shown[2] as HTMLElement);
    await user.keyboard("{Enter}");
    const form = await screen.findByRole("form", { name: "Edit asset" });
    await waitFor(() =>
      expect(
        within(form).getByDisplayValue(byName(rowName(shown[2] as HTMLElement))?.name ?? "?"),
      ).toBeInTheDocument(),
    );
  });
});
