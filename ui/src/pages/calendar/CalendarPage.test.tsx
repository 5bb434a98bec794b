import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { CalendarRange, CalendarRequest } from "../../host";
import { NavigationProvider } from "../../lib/navigation";
import { renderWithProviders } from "../../test/render";
import { FAKE_OPTIONS, fakeDetail, fakeInvoke, makeRows } from "../assets/fakeCatalog";
import { localToday } from "../assets/listState";
import { CalendarPage } from "./CalendarPage";
import { addDays } from "./events";

// The lowest IPC edge is mocked: Tauri's invoke. Bindings, host hooks and the page are real.
const invoke = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/core", () => ({ isTauri: () => true, invoke }));

const today = localToday();
const ROWS = makeRows(5, today);

function range(req: CalendarRequest): CalendarRange {
  const d1 = addDays(today, 3);
  const events = [1, 2].map((id) => ({
    assetId: id,
    connectionId: "halo-1",
    provider: "halo" as const,
    layer: "warranty" as const,
    date: d1,
    urgency: "within30" as const,
    name: `SRV-0${id}`,
    clientName: "Alpha Dental",
    siteName: null,
    typeName: "Server",
    serial: null,
    model: null,
    purchaseDate: null,
    purchasePriceCents: null,
    warrantyEnd: d1,
    inactive: false,
    syncState: "synced" as const,
  }));
  const inRange = d1 >= req.from && d1 <= req.to;
  return {
    from: req.from,
    to: req.to,
    events: inRange ? events : [],
    days: inRange ? [{ date: d1, layer: "warranty", count: 12, shown: 2 }] : [],
  };
}

const calls = (cmd: string) => invoke.mock.calls.filter(([c]) => c === cmd).map(([, a]) => a);

// jsdom has no layout; give elements a size so the calendar lays out its month.
const sizes = ["clientHeight", "clientWidth", "offsetHeight", "offsetWidth"] as const;
const original = sizes.map((p) => Object.getOwnPropertyDescriptor(HTMLElement.prototype, p));
beforeAll(() => {
  for (const p of sizes) {
    Object.defineProperty(HTMLElement.prototype, p, {
      configurable: true,
      get: () => (p.toLowerCase().includes("height") ? 700 : 1100),
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
  invoke.mockReset();
  invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
    const ok = (data: unknown) => data;
    switch (cmd) {
      case "filter_options":
        return ok(FAKE_OPTIONS);
      case "calendar_range":
        return ok(range(args.request as CalendarRequest));
      case "expiring_summary":
        return ok({
          from: today,
          to: addDays(today, 90),
          count: 12,
          purchaseCents: 1_234_500,
          unpriced: 2,
          clients: [
            {
              connectionId: "halo-1",
              provider: "halo",
              clientId: 1,
              clientName: "Alpha Dental",
              count: 12,
              purchaseCents: 1_234_500,
              unpriced: 2,
            },
          ],
        });
      case "asset_detail":
        return ok(fakeDetail(ROWS, args.id as number));
      case "link_tree":
        return ok({
          focusId: args.id,
          ancestors: [],
          nodes: [
            {
              id: args.id,
              name: "SRV-01",
              typeName: "Server",
              clientName: null,
              parentId: null,
              depth: 0,
              childCount: 0,
              descendantCount: 0,
              inactive: false,
              syncState: "synced",
              localOnly: false,
            },
          ],
          truncated: false,
          scope: { kind: "provider", provider: "halo", field: null },
        });
      case "renew_warranty":
        return ok({
          assetId: args.assetId,
          warrantyEnd: args.warrantyEnd,
          queued: true,
          warnings: [],
        });
      case "default_export_path":
        return ok(`/home/u/Downloads/${args.fileName}`);
      case "export_warranties":
        return ok({ path: (args.request as { path: string }).path, format: "ics", count: 12 });
      default:
        return fakeInvoke(ROWS)(cmd, args);
    }
  });
});

vi.setConfig({ testTimeout: 20_000 });

function renderPage() {
  return renderWithProviders(
    <NavigationProvider value={{ page: "calendar", navigate: () => {} }}>
      <CalendarPage />
    </NavigationProvider>,
  );
}

describe("CalendarPage", () => {
  it("queries only the visible month and shows events with their urgency in words", async () => {
    renderPage();
    const events = await screen.findAllByTestId("calendar-event");
    expect(events.length).toBe(2);
    expect(events[0]).toHaveTextContent("≤30d");
    expect(events[0]).toHaveAttribute("data-urgency", "within30");
    expect(screen.getByTestId("calendar-more")).toHaveTextContent("+10 more");
    const req = calls("calendar_range")[0] as { request: CalendarRequest };
    const span = (Date.parse(req.request.to) - Date.parse(req.request.from)) / 86_400_000;
    expect(span).toBeGreaterThanOrEqual(27);
    expect(span).toBeLessThanOrEqual(42);
    expect(req.request.today).toBe(today);
    expect(screen.getByTestId("calendar-legend")).toHaveTextContent("Expired");
    expect(await screen.findByTestId("expiring-total")).toHaveTextContent("12 assets");
  });

  it("opens the asset on click and renews its warranty inline", async () => {
    renderPage();
    const events = await screen.findAllByTestId("calendar-event");
    await userEvent.click(events[0] as HTMLElement);
    const drawer = await screen.findByTestId("renew-form");
    const input = within(drawer).getByTestId("renew-date") as HTMLInputElement;
    await userEvent.clear(input);
    await userEvent.type(input, "2031-01-31");
    await userEvent.click(within(drawer).getByTestId("renew-save"));
    await waitFor(() =>
      expect(invoke).toHaveBeenCalledWith("renew_warranty", {
        assetId: 1,
        warrantyEnd: "2031-01-31",
      }),
    );
    expect(await screen.findByTestId("renew-result")).toHaveTextContent(
      "Saved — will sync when online",
    );
    expect(screen.getByTestId("link-tree")).toBeInTheDocument();
  });

  it("exports the filtered visible range as ICS", async () => {
    renderPage();
    await screen.findAllByTestId("calendar-event");
    await userEvent.click(screen.getByTestId("export-ics"));
    await waitFor(() => expect(calls("export_warranties").length).toBe(1));
    const req = (
      calls("export_warranties")[0] as { request: { format: string; path: string; from: string } }
    ).request;
    expect(req.format).toBe("ics");
    expect(req.path).toMatch(/^\/home\/u\/Downloads\/warranties-.*\.ics$/);
    expect(await screen.findByTestId("export-result")).toHaveTextContent("Exported 12 warranties");
  });
});
