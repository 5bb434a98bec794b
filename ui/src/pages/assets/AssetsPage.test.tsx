import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { type AssetPageRequest, type CatalogFilter, useAssetEvents } from "../../host";
import { NavigationProvider } from "../../lib/navigation";
import { renderWithProviders } from "../../test/render";
import { AssetsPage } from "./AssetsPage";
import { FAKE_OPTIONS, fakeInvoke, makeRows } from "./fakeCatalog";
import { localToday } from "./listState";

// The lowest IPC edge is mocked: Tauri's invoke. The generated bindings, the host's commands
// and hooks, and the page are all real.
const invoke = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/core", () => ({ isTauri: () => true, invoke }));
// Backend events: the handlers the page registers, by event name, so a test can emit one.
const listeners = vi.hoisted(() => new Map<string, (event: { payload: unknown }) => void>());
vi.mock("@tauri-apps/api/event", () => ({
  listen: vi.fn(async (name: string, cb: (event: { payload: unknown }) => void) => {
    listeners.set(name, cb);
    return () => listeners.delete(name);
  }),
  once: vi.fn(),
  emit: vi.fn(),
}));

const ROWS = makeRows(300, localToday());

/** The page as the app shows it: `App` mounts the data-changed subscription. */
function PageInApp() {
  useAssetEvents();
  return <AssetsPage />;
}

function renderPage() {
  return renderWithProviders(
    <NavigationProvider value={{ page: "assets", navigate: () => {} }}>
      <PageInApp />
    </NavigationProvider>,
  );
}

function pageRequests(): AssetPageRequest[] {
  return invoke.mock.calls
    .filter(([cmd]) => cmd === "asset_page")
    .map(([, args]) => (args as { request: AssetPageRequest }).request);
}

const lastFilter = (): CatalogFilter | undefined => {
  const requests = pageRequests();
  return requests[requests.length - 1]?.filter;
};

// jsdom has no layout: give elements the size of a window so the virtualizer has a viewport.
const sizes = ["clientHeight", "clientWidth"] as const;
const original = sizes.map((p) => Object.getOwnPropertyDescriptor(HTMLElement.prototype, p));
beforeAll(() => {
  for (const p of sizes) {
    Object.defineProperty(HTMLElement.prototype, p, {
      configurable: true,
      get: () => (p === "clientHeight" ? 600 : 1000),
    });
  }
});
afterAll(() => {
  sizes.forEach((p, i) => {
    const d = original[i];
    if (d) Object.defineProperty(HTMLElement.prototype, p, d);
  });
});

beforeEach(() => {
  invoke.mockImplementation(fakeInvoke(ROWS));
});

// Mantine renders a lot per row; jsdom is slow at it on a shared 2-core machine.
vi.setConfig({ testTimeout: 20_000 });
configure({ asyncUtilTimeout: 5000 });

describe("Assets page", () => {
  it("renders the first page's rows with sync, warranty and provider signals", async () => {
    renderPage();
    const rows = await screen.findAllByTestId("asset-row");
    expect(rows.length).toBeGreaterThan(5);
    // Virtualized: far fewer rows in the DOM than the 300 that exist.
    expect(rows.length).toBeLessThan(100);
    expect(await screen.findByTestId("row-count")).toHaveTextContent("300 assets");
    const first = pageRequests()[0];
    expect(first?.limit).toBeLessThanOrEqual(500);
    expect(first?.after).toBeNull();
    const badges = screen.getAllByTestId("sync-badge").map((b) => b.dataset.state);
    expect(badges).toContain("pending");
    expect(screen.getAllByText("Halo").length).toBeGreaterThan(0);
    expect(screen.getAllByText("Syncro").length).toBeGreaterThan(0);
  });

  it("sends what the user types to the host as the search", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findAllByTestId("asset-row");
    await user.click(screen.getByRole("textbox", { name: "Search assets" }));
    await user.paste("acme lat");
    await waitFor(() => expect(lastFilter()?.search).toBe("acme lat"));
    await waitFor(() =>
      expect(
        screen.getAllByTestId("asset-row").every((r) => /ACME/.test(r.textContent ?? "")),
      ).toBe(true),
    );
  });

  it("searches at once, and sends only the latest text once a running search answers", async () => {
    const user = userEvent.setup();
    const backend = fakeInvoke(ROWS);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    invoke.mockImplementation(async (cmd: string, args?: Record<string, unknown>) => {
      const search = (args as { request?: AssetPageRequest } | undefined)?.request?.filter.search;
      if (cmd === "asset_page" && search === "a") await held;
      return backend(cmd, args);
    });
    renderPage();
    await screen.findAllByTestId("asset-row");
    const box = screen.getByRole("textbox", { name: "Search assets" });
    await user.type(box, "a");
    // No timer to wait for: the first keystroke searches at once.
    await waitFor(() => expect(lastFilter()?.search).toBe("a"));
    await user.type(box, "cm");
    // While "a" runs, "ac" and "acm" wait: however long it takes (a debounce or a throttle
    // would have sent them by now).
    await new Promise((resolve) => setTimeout(resolve, 400));
    const searches = () => pageRequests().map((r) => r.filter.search);
    expect(searches()).not.toContain("ac");
    expect(searches()).not.toContain("acm");
    release();
    await waitFor(() => expect(lastFilter()?.search).toBe("acm"));
    expect(searches()).not.toContain("ac");
  });

  it("applies a filter bar choice to the request", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findAllByTestId("asset-row");
    await user.click(screen.getByPlaceholderText("Sync state"));
    await user.click(await screen.findByRole("option", { name: "Conflict", hidden: true }));
    await waitFor(() => expect(lastFilter()?.syncStates).toEqual(["conflict"]));
    await waitFor(() =>
      expect(screen.getAllByTestId("sync-badge").every((b) => b.dataset.state === "conflict")).toBe(
        true,
      ),
    );
  });

  it("offers to clear filters when nothing matches", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findAllByTestId("asset-row");
    const search = screen.getByRole("textbox", { name: "Search assets" });
    await user.click(search);
    await user.paste("zzzqqq");
    expect(await screen.findByText("No assets match")).toBeInTheDocument();
    const empty = screen.getByTestId("empty-state");
    await user.click(within(empty).getByRole("button", { name: "Clear filters" }));
    expect(await screen.findAllByTestId("asset-row")).not.toHaveLength(0);
    expect(search).toHaveValue("");
  });

  it("selects rows with the arrow keys and shows the detail", async () => {
    const user = userEvent.setup();
    renderPage();
    await screen.findAllByTestId("asset-row");
    await user.keyboard("/");
    expect(screen.getByRole("textbox", { name: "Search assets" })).toHaveFocus();
    await user.keyboard("{ArrowDown}{ArrowDown}");
    const selected = screen.getAllByTestId("asset-row").filter((r) => r.dataset.selected);
    expect(selected).toHaveLength(1);
    const name = within(selected[0] as HTMLElement).getAllByRole("cell")[0]?.textContent ?? "";
    const detail = screen.getByTestId("asset-detail");
    const title = await within(detail).findByTestId("detail-name");
    expect(name).toContain(title.textContent ?? "—");
    expect(within(detail).getByText("Agent data")).toBeInTheDocument();
    expect(within(detail).getByText("RAM (GB)")).toBeInTheDocument();
    expect(invoke).toHaveBeenCalledWith("asset_detail", { id: expect.any(Number) });
    // The journal names lookups and says what has not reached the provider yet.
    const journal = await within(detail).findByTestId("journal");
    expect(journal).toHaveTextContent("Acme Dental → Initech");
    expect(journal).toHaveTextContent("SN-OLD → SN-NEW");
    expect(journal).toHaveTextContent("Not synced yet");
  });

  it("refetches the list when the backend says assets changed", async () => {
    renderPage();
    await screen.findAllByTestId("asset-row");
    await waitFor(() => expect(listeners.has("data-changed")).toBe(true));
    const before = pageRequests().length;
    listeners.get("data-changed")?.({
      payload: { seq: 9, entities: ["lookup"], origins: ["sync"], assetIds: [], bulk: true },
    });
    await waitFor(() => expect(pageRequests().length).toBeGreaterThan(before));
    const afterLookup = pageRequests().length;
    // A change the asset views do not show (a calendar-only entity) refetches nothing.
    listeners.get("data-changed")?.({
      payload: { seq: 10, entities: ["settings"], origins: ["user"], assetIds: [], bulk: false },
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(pageRequests().length).toBe(afterLookup);
  });

  it("keeps the first-run empty state when there is no connection", async () => {
    invoke.mockImplementation(fakeInvoke([], { ...FAKE_OPTIONS, connections: [] }));
    renderPage();
    expect(await screen.findByText("No connection yet")).toBeInTheDocument();
    expect(screen.queryByRole("table", { name: "Assets" })).not.toBeInTheDocument();
  });

  it("asks for the first page while the filter options are still loading", async () => {
    // Launch speed: the first list does not wait for the options (one round trip, not two).
    const backend = fakeInvoke(ROWS, FAKE_OPTIONS);
    invoke.mockImplementation((cmd: string, args?: Record<string, unknown>) =>
      cmd === "filter_options" ? new Promise(() => {}) : backend(cmd, args),
    );
    renderPage();
    await waitFor(() => expect(invoke).toHaveBeenCalledWith("asset_page", expect.anything()));
    expect(invoke).toHaveBeenCalledWith("asset_count", expect.anything());
  });
});
