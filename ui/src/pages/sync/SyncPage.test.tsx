import { act, configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { useSyncEvents } from "../../host";
import { NavigationProvider } from "../../lib/navigation";
import { renderWithProviders } from "../../test/render";
import {
  appError,
  fakeInvoke,
  makeConflict,
  makeConnection,
  makeQueued,
} from "../settings/fakeBackend";
import { SyncPage } from "./SyncPage";

// Tauri's invoke and listen are the only fakes: host, hooks and page are real.
const invoke = vi.hoisted(() => vi.fn());
const listeners = vi.hoisted(() => new Map<string, (event: { payload: unknown }) => void>());
vi.mock("@tauri-apps/api/core", () => ({ isTauri: () => true, invoke }));
vi.mock("@tauri-apps/api/event", () => ({
  listen: vi.fn(async (name: string, cb: (event: { payload: unknown }) => void) => {
    listeners.set(name, cb);
    return () => listeners.delete(name);
  }),
}));

vi.setConfig({ testTimeout: 20_000 });
configure({ asyncUtilTimeout: 5000 });

const calls = (cmd: string) =>
  invoke.mock.calls.filter(([name]) => name === cmd).map(([, args]) => args);

function Harness() {
  useSyncEvents();
  return <SyncPage />;
}

function renderPage() {
  return renderWithProviders(
    <NavigationProvider value={{ page: "sync", navigate: () => {} }}>
      <Harness />
    </NavigationProvider>,
  );
}

beforeEach(() => {
  listeners.clear();
  invoke.mockImplementation(fakeInvoke({ list_connections: () => [makeConnection()] }));
});

describe("Sync › conflict resolver", () => {
  it("shows base, yours and theirs per field, and sends the choice for that field", async () => {
    let open = [
      makeConflict({ id: 7 }),
      makeConflict({
        id: 8,
        field: "status_id",
        label: "Status",
        base: 1,
        local: 2,
        remote: 3,
        baseText: "Active",
        localText: "In repair",
        remoteText: "Retired",
      }),
    ];
    invoke.mockImplementation(
      fakeInvoke({
        list_connections: () => [makeConnection()],
        conflicts_list: () => open,
        resolve_conflict: (args) => {
          open = open.filter((c) => c.id !== (args as { id: number }).id);
          return null;
        },
      }),
    );
    const user = userEvent.setup();
    renderPage();

    const asset = await screen.findByRole("region", { name: /Conflicts \(2\)/ });
    const [serial, status] = within(asset).getAllByTestId("conflict-field");
    if (!serial || !status) throw new Error("expected two conflicting fields");
    expect(within(serial).getByTestId("conflict-base")).toHaveTextContent("SN-100");
    expect(within(serial).getByTestId("conflict-yours")).toHaveTextContent("SN-200");
    expect(within(serial).getByTestId("conflict-theirs")).toHaveTextContent("SN-300");
    // Lookups show names, and cannot be typed (only mine or theirs).
    expect(within(status).getByTestId("conflict-theirs")).toHaveTextContent("Retired");
    expect(within(status).queryByTestId("edit-value")).not.toBeInTheDocument();

    await user.click(within(status).getByTestId("take-theirs"));
    await waitFor(() =>
      expect(calls("resolve_conflict")).toEqual([{ id: 8, resolution: { kind: "take_theirs" } }]),
    );
    await waitFor(() =>
      expect(screen.getByRole("region", { name: /Conflicts \(1\)/ })).toBeVisible(),
    );

    await user.click(screen.getByTestId("keep-mine"));
    await waitFor(() =>
      expect(calls("resolve_conflict")[1]).toEqual({ id: 7, resolution: { kind: "keep_mine" } }),
    );
    await waitFor(() =>
      expect(screen.queryByRole("region", { name: /Conflicts/ })).not.toBeInTheDocument(),
    );
  });

  it("edits a value: starts from mine, sends the typed value", async () => {
    invoke.mockImplementation(
      fakeInvoke({
        list_connections: () => [makeConnection()],
        conflicts_list: () => [makeConflict({ id: 7 })],
        resolve_conflict: () => null,
      }),
    );
    const user = userEvent.setup();
    renderPage();

    await user.click(await screen.findByTestId("edit-value"));
    const input = screen.getByTestId("edit-input");
    expect(input).toHaveValue("SN-200");
    await user.clear(input);
    await user.type(input, "SN-250");
    await user.click(screen.getByTestId("edit-save"));

    await waitFor(() =>
      expect(calls("resolve_conflict")).toEqual([
        { id: 7, resolution: { kind: "edit", value: "SN-250" } },
      ]),
    );
  });

  it("shows Rust's message when a resolution is refused", async () => {
    invoke.mockImplementation(
      fakeInvoke({
        list_connections: () => [makeConnection()],
        conflicts_list: () => [makeConflict({ id: 7, field: "mac", label: "MAC address" })],
        resolve_conflict: () => {
          throw appError("invalid_input", "mac: MAC must look like 00:1A:2B:3C:4D:5E");
        },
      }),
    );
    const user = userEvent.setup();
    renderPage();

    await user.click(await screen.findByTestId("edit-value"));
    await user.clear(screen.getByTestId("edit-input"));
    await user.type(screen.getByTestId("edit-input"), "nope");
    await user.click(screen.getByTestId("edit-save"));

    expect(await screen.findByText("mac: MAC must look like 00:1A:2B:3C:4D:5E")).toBeVisible();
    expect(screen.getByText("Could not resolve MAC address of LON-LT-0042")).toBeVisible();
    // The box stays open with what was typed, so the user can fix it.
    expect(screen.getByTestId("edit-input")).toHaveValue("nope");
  });
});

describe("Sync › queue and connections", () => {
  it("lists queued edits with state, attempts and error; discard asks first", async () => {
    let ops = [
      makeQueued({ clientOpId: "op-1", fields: ["serial", "warranty_end"] }),
      makeQueued({
        clientOpId: "op-2",
        assetName: "NYC-SRV-01",
        state: "failed",
        attempts: 2,
        lastError: "HaloPSA rejected the serial: already used by asset 118",
        canRetry: true,
      }),
    ];
    invoke.mockImplementation(
      fakeInvoke({
        list_connections: () => [makeConnection({ queuedOps: ops.length })],
        outbox_list: () => ops,
        outbox_discard: (args) => {
          ops = ops.filter((o) => o.clientOpId !== (args as { clientOpId: string }).clientOpId);
          return null;
        },
        outbox_retry: () => null,
      }),
    );
    const user = userEvent.setup();
    renderPage();

    const rows = await screen.findAllByTestId("queue-row");
    expect(rows).toHaveLength(2);
    const [first, failed] = rows as [HTMLElement, HTMLElement];
    expect(first).toHaveTextContent("Edit: Serial, Warranty end");
    expect(within(first).getByTestId("queue-state")).toHaveTextContent("Queued");
    expect(within(first).queryByTestId("queue-retry")).not.toBeInTheDocument();
    expect(within(failed).getByTestId("queue-state")).toHaveTextContent("Needs attention");
    expect(within(failed).getByTestId("queue-error")).toHaveTextContent(
      "already used by asset 118",
    );
    expect(failed).toHaveTextContent("2");

    await user.click(within(failed).getByTestId("queue-retry"));
    await waitFor(() => expect(calls("outbox_retry")).toEqual([{ clientOpId: "op-2" }]));

    await user.click(within(first).getByTestId("queue-discard"));
    const dialog = await screen.findByRole("dialog", { name: "Discard this change?" });
    expect(dialog).toHaveTextContent("1 queued change to LON-LT-0042");
    expect(calls("outbox_discard")).toHaveLength(0);
    await user.click(within(dialog).getByTestId("queue-discard-confirm"));

    await waitFor(() => expect(calls("outbox_discard")).toEqual([{ clientOpId: "op-1" }]));
    await waitFor(() => expect(screen.getAllByTestId("queue-row")).toHaveLength(1));
  });

  it("syncs now, shows progress from the events, and refetches when the sync ends", async () => {
    let running = false;
    invoke.mockImplementation(
      fakeInvoke({
        list_connections: () => [makeConnection({ status: { running } })],
        sync_now: () => {
          running = true;
          return new Promise(() => {});
        },
        cancel_sync: () => 1,
      }),
    );
    const user = userEvent.setup();
    renderPage();

    await user.click(await screen.findByTestId("sync-now"));
    expect(calls("sync_now")).toEqual([{ connectionId: "c-halo" }]);
    await waitFor(() => expect(listeners.has("sync-progress")).toBe(true));
    act(() =>
      listeners.get("sync-progress")?.({
        payload: {
          connectionId: "c-halo",
          phase: "pull",
          entity: "assets",
          page: 3,
          pages: 8,
          rows: 150,
          queuedOps: 0,
          errors: 0,
          message: null,
        },
      }),
    );
    expect(await screen.findByTestId("sync-progress-text")).toHaveTextContent(
      "Fetching assets · page 3 of 8 · 150 rows",
    );
    expect(screen.getByRole("progressbar")).toHaveAttribute("aria-valuenow", "37.5");
    expect(screen.getByTestId("sync-cancel")).toBeVisible();

    const before = calls("list_connections").length;
    running = false;
    act(() =>
      listeners.get("sync-progress")?.({
        payload: {
          connectionId: "c-halo",
          phase: "done",
          entity: null,
          page: null,
          pages: null,
          rows: 400,
          queuedOps: 0,
          errors: 0,
          message: null,
        },
      }),
    );
    await waitFor(() => expect(calls("list_connections").length).toBeGreaterThan(before));
  });
});
