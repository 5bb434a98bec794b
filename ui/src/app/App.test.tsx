import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AppStatusEvent } from "../host";
import { getAppInfo } from "../host/commands";
import { HostError } from "../host/errors";
import { onAppStatus } from "../host/events";
import { APP_INFO } from "../test/fixtures";
import { renderWithProviders } from "../test/render";
import { App } from "./App";

// The IPC edge of the host is mocked; the host's hooks and everything above them are real.
vi.mock("../host/commands", () => ({ getAppInfo: vi.fn() }));
// The other event sources stay silent here: no sync runs in these tests.
vi.mock("../host/events", () => ({
  onAppStatus: vi.fn(),
  onDataChanged: vi.fn(() => () => {}),
  onSyncProgress: vi.fn(() => () => {}),
  onConnectionStatus: vi.fn(() => () => {}),
}));

let emitStatus: (event: AppStatusEvent) => void = () => {
  throw new Error("App did not subscribe to the app status event");
};

beforeEach(() => {
  vi.mocked(getAppInfo).mockResolvedValue(APP_INFO);
  vi.mocked(onAppStatus).mockImplementation((handler) => {
    emitStatus = handler;
    return () => {};
  });
});

const PAGES = [
  { id: "assets", title: "Assets", empty: "No connection yet" },
  { id: "calendar", title: "Calendar", empty: "No warranties yet" },
  { id: "sync", title: "Sync", empty: "Nothing to sync" },
  { id: "settings", title: "Settings", empty: "No connections yet" },
] as const;

describe("App shell", () => {
  it("shows the product name and all four rail entries, with Assets open", () => {
    renderWithProviders(<App />);
    expect(screen.getByTestId("product-name")).toHaveTextContent("AssetDesk");
    const rail = screen.getByRole("navigation", { name: "Main" });
    expect(
      within(rail)
        .getAllByRole("button")
        .map((b) => b.textContent),
    ).toEqual(["Assets", "Calendar", "Sync", "Settings"]);
    expect(screen.getByTestId("nav-assets")).toHaveAttribute("aria-current", "page");
    expect(screen.getByTestId("page-title")).toHaveTextContent(/^Assets$/);
  });

  it.each(PAGES)(
    "opens $title with its empty state when its rail entry is clicked",
    async (page) => {
      const user = userEvent.setup();
      renderWithProviders(<App />);
      // Start somewhere else, so the click must really change the page.
      const start = page.id === "assets" ? "calendar" : "assets";
      await user.click(screen.getByTestId(`nav-${start}`));

      await user.click(screen.getByTestId(`nav-${page.id}`));

      // Pages other than Assets load on first visit (a lazy chunk): wait for the title.
      await waitFor(() =>
        expect(screen.getByTestId("page-title")).toHaveTextContent(new RegExp(`^${page.title}$`)),
      );
      // Pages that ask the cache first (the calendar) show their empty state once it answers.
      expect(await within(screen.getByRole("main")).findByText(page.empty)).toBeVisible();
      expect(screen.getByTestId(`nav-${page.id}`)).toHaveAttribute("aria-current", "page");
      expect(screen.getByTestId(`nav-${start}`)).not.toHaveAttribute("aria-current");
    },
  );

  it("takes the user from the Assets empty state to Settings", async () => {
    const user = userEvent.setup();
    renderWithProviders(<App />);
    await user.click(screen.getByRole("button", { name: "Open Settings" }));
    await waitFor(() => expect(screen.getByTestId("page-title")).toHaveTextContent(/^Settings$/));
  });

  it("is keyboard reachable: Tab to a rail entry, Enter opens it; Ctrl+3 opens Sync", async () => {
    const user = userEvent.setup();
    renderWithProviders(<App />);
    screen.getByTestId("nav-assets").focus();
    await user.tab();
    expect(screen.getByTestId("nav-calendar")).toHaveFocus();
    await user.keyboard("{Enter}");
    await waitFor(() => expect(screen.getByTestId("page-title")).toHaveTextContent(/^Calendar$/));

    await user.keyboard("{Control>}3{/Control}");
    await waitFor(() => expect(screen.getByTestId("page-title")).toHaveTextContent(/^Sync$/));
  });

  it("shows the cache as ready once app_info answers", async () => {
    renderWithProviders(<App />);
    expect(screen.getByTestId("app-status")).toHaveTextContent("Opening cache…");
    await waitFor(() => expect(screen.getByTestId("app-status")).toHaveTextContent("Cache ready"));
  });

  it("shows a failure announced by the app status event, with its reason", async () => {
    vi.mocked(getAppInfo).mockRejectedValue(new HostError("database", "The cache file is locked."));
    renderWithProviders(<App />);
    act(() => emitStatus({ phase: "failed", message: "The cache file is locked." }));

    await waitFor(() =>
      expect(screen.getByTestId("app-status")).toHaveTextContent("Cache unavailable"),
    );
    expect(await screen.findByText(/The cache file is locked\. Details are under/)).toBeVisible();
  });
});
