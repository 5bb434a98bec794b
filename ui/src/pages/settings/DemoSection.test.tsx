import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithProviders } from "../../test/render";
import { fakeInvoke, makeConnection } from "./fakeBackend";
import { SettingsPage } from "./SettingsPage";

const invoke = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/core", () => ({ isTauri: () => true, invoke }));

vi.setConfig({ testTimeout: 20_000 });
configure({ asyncUtilTimeout: 5000 });

const calls = (cmd: string) =>
  invoke.mock.calls.filter(([name]) => name === cmd).map(([, args]) => args);

const demoStatus = (online: boolean) => ({
  active: true,
  online,
  connectionIds: ["d-halo", "d-syncro"],
  haloUrl: "http://127.0.0.1:40001/api",
  syncroUrl: "http://127.0.0.1:40002/api/v1",
});

let online = true;
let connections = [
  makeConnection({ id: "d-halo", name: "Demo HaloPSA", demo: true, cachedAssets: 640 }),
  makeConnection({ id: "d-syncro", kind: "syncro", name: "Demo Syncro", demo: true }),
];

beforeEach(() => {
  online = true;
  connections = connections.map((c) => ({ ...c }));
  invoke.mockImplementation(
    fakeInvoke({
      list_connections: () => connections,
      demo_status: () => demoStatus(online),
      demo_set_offline: (args) => {
        online = !(args as { offline: boolean }).offline;
        return demoStatus(online);
      },
      demo_remote_change: () =>
        "A colleague changed the serial of LON-LT-0042 to SN-REMOTE-7 in Demo HaloPSA.",
      remove_demo: () => {
        connections = [];
        return [];
      },
    }),
  );
});

describe("Settings › Demo workspace", () => {
  it("is labelled as a demo, goes offline and back, and shows the remote change's sentence", async () => {
    const user = userEvent.setup();
    renderWithProviders(<SettingsPage />);

    const section = await screen.findByRole("region", { name: "Demo workspace" });
    expect(within(section).getByText("Demo")).toBeVisible();
    expect(screen.getAllByTestId("demo-badge")).toHaveLength(2);
    expect(within(section).getByTestId("demo-network")).toHaveTextContent(/^Online/);

    await user.click(within(section).getByTestId("demo-go-offline"));
    await waitFor(() => expect(calls("demo_set_offline")).toEqual([{ offline: true }]));
    expect(await within(section).findByTestId("demo-go-online")).toBeVisible();
    expect(within(section).getByTestId("demo-network")).toHaveTextContent(/^Offline/);

    await user.click(within(section).getByTestId("demo-remote-change"));
    expect(await within(section).findByTestId("demo-remote-change-result")).toHaveTextContent(
      "A colleague changed the serial of LON-LT-0042 to SN-REMOTE-7",
    );
  });

  it("asks before removing the demo, then the section goes away", async () => {
    const user = userEvent.setup();
    renderWithProviders(<SettingsPage />);

    await user.click(await screen.findByTestId("demo-remove"));
    const dialog = await screen.findByRole("dialog", { name: "Remove the demo workspace?" });
    expect(dialog).toHaveTextContent("2 demo connection(s)");
    expect(calls("remove_demo")).toHaveLength(0);
    online = false;
    invoke.mockImplementation(
      fakeInvoke({
        list_connections: () => connections,
        demo_status: () => ({ ...demoStatus(false), active: false, connectionIds: [] }),
        remove_demo: () => {
          connections = [];
          return [];
        },
      }),
    );
    await user.click(within(dialog).getByTestId("demo-remove-confirm"));

    await waitFor(() => expect(calls("remove_demo")).toHaveLength(1));
    await waitFor(() =>
      expect(screen.queryByRole("region", { name: "Demo workspace" })).not.toBeInTheDocument(),
    );
    expect(await screen.findByText("No connections yet")).toBeVisible();
  });
});
