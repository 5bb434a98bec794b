import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { renderWithProviders } from "../../test/render";
import { appError, fakeInvoke, makeConnection } from "./fakeBackend";
import { SettingsPage } from "./SettingsPage";

// The lowest IPC edge is mocked: Tauri's invoke. The host's commands and hooks and the page
// are real, so these tests break if the page sends the wrong thing or misreads the answer.
const invoke = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/core", () => ({ isTauri: () => true, invoke }));
vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn(async () => () => {}) }));

vi.setConfig({ testTimeout: 20_000 });
configure({ asyncUtilTimeout: 5000 });

const calls = (cmd: string) =>
  invoke.mock.calls.filter(([name]) => name === cmd).map(([, args]) => args);

beforeEach(() => {
  invoke.mockImplementation(fakeInvoke({}));
});

describe("Settings › Connections", () => {
  it("adds a HaloPSA connection, tests it at once and names a wrong secret", async () => {
    let saved: ReturnType<typeof makeConnection> | null = null;
    invoke.mockImplementation(
      fakeInvoke({
        list_connections: () => (saved ? [saved] : []),
        add_connection: () => {
          saved = makeConnection({ id: "c-new", name: "Contoso Halo" });
          return saved;
        },
        test_connection: () => ({
          status: "bad_credentials",
          message:
            "HaloPSA refused the client id or secret: check both under Configuration > Integrations > Halo API.",
        }),
      }),
    );
    const user = userEvent.setup();
    renderWithProviders(<SettingsPage />);

    await user.click(await screen.findByTestId("add-halo"));
    const form = await screen.findByRole("dialog", { name: "Connect HaloPSA" });
    await user.type(within(form).getByLabelText(/^Name/), "Contoso Halo");
    await user.type(within(form).getByLabelText(/^HaloPSA URL/), "https://contoso.halopsa.com");
    await user.type(within(form).getByLabelText(/^Client ID/), "assetdesk");
    await user.type(within(form).getByLabelText(/^Client secret/), "wrong-secret");
    await user.click(within(form).getByRole("button", { name: "Save and test" }));

    expect(calls("add_connection")).toEqual([
      {
        settings: {
          kind: "halo",
          name: "Contoso Halo",
          url: "https://contoso.halopsa.com",
          authUrl: null,
          tenant: null,
          clientId: "assetdesk",
        },
        secret: "wrong-secret",
      },
    ]);
    const result = await screen.findByTestId("test-result");
    expect(result).toHaveAttribute("data-status", "bad_credentials");
    expect(result).toHaveTextContent("Wrong credentials");
    expect(result).toHaveTextContent("HaloPSA refused the client id or secret");
    expect(calls("test_connection")).toEqual([{ id: "c-new" }]);
    // The form closed and the new connection is listed.
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(await screen.findByTestId("connection-name")).toHaveTextContent("Contoso Halo");
  });

  it("puts Rust's validation message under the field it names and keeps the form open", async () => {
    invoke.mockImplementation(
      fakeInvoke({
        add_connection: () => {
          throw appError(
            "invalid_input",
            "url: 'contoso' is not a URL; use the address you open HaloPSA with, e.g. https://contoso.halopsa.com",
          );
        },
      }),
    );
    const user = userEvent.setup();
    renderWithProviders(<SettingsPage />);

    await user.click(await screen.findByTestId("add-halo"));
    const form = await screen.findByRole("dialog", { name: "Connect HaloPSA" });
    await user.type(within(form).getByLabelText(/^Name/), "Contoso");
    const url = within(form).getByLabelText(/^HaloPSA URL/);
    await user.type(url, "contoso");
    await user.click(within(form).getByRole("button", { name: "Save and test" }));

    await waitFor(() => expect(url).toHaveAttribute("aria-invalid", "true"));
    expect(within(form).getByText(/^'contoso' is not a URL; use the address/)).toBeVisible();
    expect(calls("test_connection")).toHaveLength(0);

    // Changing the field clears its message: it described the old value.
    await user.type(url, ".halopsa.com");
    expect(url).not.toHaveAttribute("aria-invalid", "true");
  });

  it("sends a Syncro token as the secret and shows an error Rust did not pin to a field", async () => {
    invoke.mockImplementation(
      fakeInvoke({
        add_connection: () => {
          throw appError(
            "auth",
            "No OS keychain is available: install and unlock a Secret Service (GNOME Keyring or KWallet).",
          );
        },
      }),
    );
    const user = userEvent.setup();
    renderWithProviders(<SettingsPage />);

    await user.click(await screen.findByTestId("add-syncro"));
    const form = await screen.findByRole("dialog", { name: "Connect Syncro" });
    expect(within(form).queryByLabelText(/^Client ID/)).not.toBeInTheDocument();
    await user.type(within(form).getByLabelText(/^Name/), "Acme Syncro");
    await user.type(within(form).getByLabelText(/^Syncro account URL/), "acme");
    await user.type(within(form).getByLabelText(/^API token/), "T0KEN");
    await user.click(within(form).getByRole("button", { name: "Save and test" }));

    expect(await within(form).findByTestId("connection-form-error")).toHaveTextContent(
      "No OS keychain is available",
    );
    expect(calls("add_connection")[0]).toMatchObject({
      settings: { kind: "syncro", url: "acme", clientId: null },
      secret: "T0KEN",
    });
  });

  it("lists what Check permissions finds missing", async () => {
    invoke.mockImplementation(
      fakeInvoke({
        list_connections: () => [makeConnection()],
        check_permissions: () => ({
          connection_id: "c-halo",
          kind: "halo",
          all_ok: false,
          checks: [
            { capability: "sign_in", ok: true, missing: null, detail: "token issued" },
            {
              capability: "edit_assets",
              ok: false,
              missing: "the 'edit:assets' scope on the API application",
              detail: "403 on a validate-only update",
            },
          ],
        }),
      }),
    );
    const user = userEvent.setup();
    renderWithProviders(<SettingsPage />);

    await user.click(await screen.findByTestId("conn-permissions"));

    const report = await screen.findByTestId("permission-report");
    expect(report).toHaveTextContent("Missing 1 permission(s)");
    const lines = within(report).getAllByTestId("permission-check");
    expect(lines[1]).toHaveAttribute("data-ok", "false");
    expect(lines[1]).toHaveTextContent(
      "Edit assets — the 'edit:assets' scope on the API application",
    );
  });

  it("asks before removing, names what goes with it, and forces only when edits are queued", async () => {
    let list = [makeConnection({ queuedOps: 3 })];
    invoke.mockImplementation(
      fakeInvoke({
        list_connections: () => list,
        remove_connection: () => {
          list = [];
          return { id: "c-halo", name: "Contoso Halo", cachedAssets: 640, discardedOps: 3 };
        },
      }),
    );
    const user = userEvent.setup();
    renderWithProviders(<SettingsPage />);

    await user.click(await screen.findByTestId("conn-remove"));
    const dialog = await screen.findByRole("dialog", { name: "Remove Contoso Halo?" });
    expect(dialog).toHaveTextContent("640 cached assets will be removed from this computer");
    expect(within(dialog).getByTestId("remove-queued-warning")).toHaveTextContent(
      "3 queued changes that have not been sent will be lost",
    );
    expect(calls("remove_connection")).toHaveLength(0);

    await user.click(within(dialog).getByTestId("remove-confirm"));

    await waitFor(() =>
      expect(calls("remove_connection")).toEqual([{ id: "c-halo", force: true }]),
    );
    expect(await screen.findByText("No connections yet")).toBeVisible();
  });
});
