import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AssetTicketList, TicketRequest } from "../../host";
import { renderWithProviders } from "../../test/render";
import { TicketsSection } from "./TicketsSection";

// Only Tauri's invoke is mocked: bindings, host hooks and the section are the real ones.
const invoke = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/core", () => ({ isTauri: () => true, invoke }));
vi.mock("@tauri-apps/api/event", () => ({
  listen: vi.fn(async () => () => {}),
  once: vi.fn(),
  emit: vi.fn(),
}));

vi.setConfig({ testTimeout: 30_000 });
configure({ asyncUtilTimeout: 5000 });

function request(over: Partial<TicketRequest>): TicketRequest {
  return {
    clientOpId: "op-1",
    assetId: 7,
    summary: "Battery swells",
    details: "",
    state: "queued",
    attempts: 0,
    lastError: null,
    remoteTicketId: null,
    createdAt: Date.now(),
    ...over,
  };
}

let list: AssetTicketList;

beforeEach(() => {
  list = {
    tickets: [
      {
        remoteId: 7001,
        summary: "Fan noise",
        status: "New",
        openedAt: new Date(Date.now() - 3_600_000).toISOString(),
      },
    ],
    queued: [request({})],
    fetchedAt: Date.now(),
    refreshError: null,
  };
  invoke.mockReset();
  invoke.mockImplementation(async (cmd: string, args: Record<string, unknown>) => {
    switch (cmd) {
      case "asset_tickets":
        return structuredClone(list);
      case "create_ticket_for_asset": {
        const created = request({
          clientOpId: "op-2",
          summary: String(args.summary),
          details: String(args.details),
        });
        list.queued.push(created);
        return created;
      }
      case "retry_ticket": {
        const q = list.queued.find((r) => r.clientOpId === args.clientOpId);
        if (!q) throw { code: "not_found", message: "no such request" };
        q.state = "queued";
        q.lastError = null;
        return q;
      }
      default:
        throw new Error(`unexpected command ${cmd}`);
    }
  });
});

function calls(cmd: string) {
  return invoke.mock.calls.filter(([c]) => c === cmd);
}

describe("TicketsSection", () => {
  it("lists cached tickets and marks queued ones", async () => {
    renderWithProviders(<TicketsSection assetId={7} />);
    const row = await screen.findByTestId("ticket-row");
    expect(row).toHaveTextContent("#7001");
    expect(row).toHaveTextContent("Fan noise");
    expect(row).toHaveTextContent("New");
    const queued = screen.getByTestId("ticket-request");
    expect(queued).toHaveTextContent("Battery swells");
    expect(queued).toHaveTextContent("Queued — will be created when online");
    expect(calls("asset_tickets")[0]?.[1]).toEqual({ assetId: 7 });
  });

  it("says what to do when the asset has no tickets", async () => {
    list.tickets = [];
    list.queued = [];
    renderWithProviders(<TicketsSection assetId={7} />);
    expect(await screen.findByText(/No tickets for this asset/)).toBeInTheDocument();
  });

  it("requires a summary, then queues the ticket and shows it as queued", async () => {
    const user = userEvent.setup();
    renderWithProviders(<TicketsSection assetId={7} />);
    await screen.findByTestId("ticket-row");
    await user.click(screen.getByRole("button", { name: "Create ticket for this asset" }));
    const form = screen.getByRole("form", { name: "New ticket" });
    await user.click(within(form).getByRole("button", { name: "Create ticket" }));
    expect(await within(form).findByText(/Type a summary/)).toBeInTheDocument();
    expect(calls("create_ticket_for_asset")).toHaveLength(0);

    await user.type(within(form).getByRole("textbox", { name: /Summary/ }), "  Screen flickers ");
    await user.type(within(form).getByRole("textbox", { name: "Details" }), "Since Monday");
    await user.click(within(form).getByRole("button", { name: "Create ticket" }));

    await waitFor(() => expect(calls("create_ticket_for_asset")).toHaveLength(1));
    expect(calls("create_ticket_for_asset")[0]?.[1]).toEqual({
      assetId: 7,
      summary: "Screen flickers",
      details: "Since Monday",
    });
    expect(await screen.findByText(/Ticket queued/)).toBeInTheDocument();
    await waitFor(() => expect(screen.getAllByTestId("ticket-request")).toHaveLength(2));
    expect(screen.getAllByTestId("ticket-request")[1]).toHaveTextContent(
      "Screen flickers" + "Queued — will be created when online",
    );
    expect(screen.queryByRole("form", { name: "New ticket" })).not.toBeInTheDocument();
  });

  it("shows the backend's message when queueing fails and keeps the form", async () => {
    invoke.mockImplementation(async (cmd: string) => {
      if (cmd === "asset_tickets") return structuredClone(list);
      throw { code: "not_found", message: "no asset with local id 7" };
    });
    const user = userEvent.setup();
    renderWithProviders(<TicketsSection assetId={7} />);
    await screen.findByTestId("ticket-row");
    await user.click(screen.getByRole("button", { name: "Create ticket for this asset" }));
    await user.type(screen.getByRole("textbox", { name: /Summary/ }), "Broken hinge");
    await user.click(screen.getByRole("button", { name: "Create ticket" }));
    expect(await screen.findByText("no asset with local id 7")).toBeInTheDocument();
    expect(screen.getByText("Could not queue the ticket")).toBeInTheDocument();
    expect(screen.getByRole("form", { name: "New ticket" })).toBeInTheDocument();
  });

  it("shows why a request failed and retries it", async () => {
    list.queued = [
      request({ state: "failed", lastError: "client: the asset has no client", attempts: 1 }),
    ];
    const user = userEvent.setup();
    renderWithProviders(<TicketsSection assetId={7} />);
    const failed = await screen.findByTestId("ticket-request");
    expect(failed).toHaveTextContent("Not created: client: the asset has no client");
    await user.click(within(failed).getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(calls("retry_ticket")[0]?.[1]).toEqual({ clientOpId: "op-1" }));
    await waitFor(() =>
      expect(screen.getByTestId("ticket-request")).toHaveTextContent(
        "Queued — will be created when online",
      ),
    );
  });
});
