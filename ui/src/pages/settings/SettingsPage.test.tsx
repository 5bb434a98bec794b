import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { getAppInfo } from "../../host/commands";
import { HostError } from "../../host/errors";
import { onAppStatus } from "../../host/events";
import { APP_INFO } from "../../test/fixtures";
import { renderWithProviders } from "../../test/render";
import { SettingsPage } from "./SettingsPage";

vi.mock("../../host/commands", () => ({ getAppInfo: vi.fn() }));
vi.mock("../../host/events", () => ({ onAppStatus: vi.fn(() => () => {}) }));

beforeEach(() => {
  vi.mocked(onAppStatus).mockImplementation(() => () => {});
});

describe("Settings", () => {
  it("says there are no connections yet", () => {
    vi.mocked(getAppInfo).mockReturnValue(new Promise(() => {}));
    renderWithProviders(<SettingsPage />);
    expect(screen.getByTestId("page-title")).toHaveTextContent(/^Settings$/);
    expect(screen.getByText("No connections yet")).toBeVisible();
  });

  it("shows the real values app_info returns", async () => {
    vi.mocked(getAppInfo).mockResolvedValue(APP_INFO);
    renderWithProviders(<SettingsPage />);

    await waitFor(() => expect(screen.getByTestId("about-version")).toHaveTextContent("0.1.0"));
    expect(screen.getByTestId("about-data-dir")).toHaveTextContent(APP_INFO.dataDir);
    expect(screen.getByTestId("about-log-dir")).toHaveTextContent(APP_INFO.logDir);
    expect(screen.getByTestId("about-schema-version")).toHaveTextContent(/^3$/);
    expect(screen.getByTestId("about-status")).toHaveTextContent("Cache ready");
    expect(getAppInfo).toHaveBeenCalledTimes(1);
  });

  it("shows the backend's message when app_info fails, and Retry asks again", async () => {
    vi.mocked(getAppInfo)
      .mockRejectedValueOnce(
        new HostError(
          "io",
          "The data folder /data/assetdesk is not writable: check its permissions.",
        ),
      )
      .mockResolvedValueOnce(APP_INFO);
    const user = userEvent.setup();
    renderWithProviders(<SettingsPage />);

    expect(await screen.findByTestId("host-error-message")).toHaveTextContent(
      "The data folder /data/assetdesk is not writable: check its permissions.",
    );
    expect(screen.getByTestId("host-error")).toHaveTextContent("Error code: io");
    expect(screen.getByTestId("about-status")).toHaveTextContent("Cache unavailable");
    expect(screen.queryByTestId("about-version")).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Retry" }));

    await waitFor(() => expect(screen.getByTestId("about-version")).toHaveTextContent("0.1.0"));
    expect(screen.queryByTestId("host-error")).not.toBeInTheDocument();
    expect(getAppInfo).toHaveBeenCalledTimes(2);
  });
});
