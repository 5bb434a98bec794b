import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { UpdateAssetRequest } from "../../host";
import { NavigationProvider, type PageId, useNavigation } from "../../lib/navigation";
import { renderWithProviders } from "../../test/render";
import { AssetForm, type FormTarget } from "./AssetForm";
import { FAKE_OPTIONS, fakeInvoke, makeRows } from "./fakeCatalog";
import "./testEnv";

// Only Tauri's invoke is mocked: bindings, host, hooks and the form are the real ones.
const invoke = vi.hoisted(() => vi.fn());
vi.mock("@tauri-apps/api/core", () => ({ isTauri: () => true, invoke }));

vi.setConfig({ testTimeout: 30_000 });
configure({ asyncUtilTimeout: 5000 });

let rows = makeRows(20, "2026-06-01");
beforeEach(() => {
  rows = makeRows(20, "2026-06-01");
  invoke.mockImplementation(fakeInvoke(rows));
});

function renderForm(target: FormTarget) {
  const onClose = vi.fn();
  const onSaved = vi.fn();
  renderWithProviders(
    <AssetForm
      target={target}
      connections={FAKE_OPTIONS.connections}
      onClose={onClose}
      onSaved={onSaved}
    />,
  );
  return { onClose, onSaved };
}

/** A stand-in for the rail: leaving the page goes through the app's guarded `navigate`. */
function Rail() {
  const { page, navigate } = useNavigation();
  return (
    <>
      <output data-testid="page">{page}</output>
      <button type="button" onClick={() => navigate("calendar")}>
        Open Calendar
      </button>
      <button type="button" onClick={() => navigate("assets")}>
        Open Assets
      </button>
    </>
  );
}

/** The form on the Assets page as the app mounts it: unmounted when another page opens. */
function OnPage({ target }: { target: FormTarget }) {
  const [page, setPage] = useState<PageId>("assets");
  return (
    <NavigationProvider value={{ page, navigate: setPage }}>
      <Rail />
      {page === "assets" ? (
        <AssetForm
          target={target}
          connections={FAKE_OPTIONS.connections}
          onClose={() => {}}
          onSaved={() => {}}
        />
      ) : null}
    </NavigationProvider>
  );
}

function renderOnPage(target: FormTarget) {
  renderWithProviders(<OnPage target={target} />);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** The control labelled `label` (Mantine marks required labels with a trailing `*`). */
const labelled = (label: string) => new RegExp(`^${escapeRegExp(label)}\\s*\\*?$`);
const CONTROL = { selector: "input, textarea" };
const input = (label: string) => screen.getByLabelText(labelled(label), CONTROL);

async function choose(user: ReturnType<typeof userEvent.setup>, label: string, option: string) {
  await user.click(input(label));
  await user.click(await screen.findByRole("option", { name: option, hidden: true }));
}

function calls(cmd: string) {
  return invoke.mock.calls.filter(([c]) => c === cmd).map(([, args]) => args);
}

describe("the asset form", () => {
  it("validates in Rust as the user types and warns about a duplicate serial", async () => {
    const user = userEvent.setup();
    renderForm({ kind: "create", connectionId: "halo-1" });
    await screen.findByRole("form", { name: "New asset" });
    const taken = rows[3]?.serial ?? "";
    await user.type(input("Serial number"), taken);
    const warning = await screen.findByTestId("warning-serial");
    expect(warning).toHaveTextContent(`already used by ${rows[3]?.name}`);
    await user.type(input("MAC address"), "00:1A");
    expect(await screen.findByText(/is not a MAC address/)).toBeInTheDocument();
    // Untouched fields stay quiet until a save is attempted.
    expect(screen.queryByText("Name is required")).not.toBeInTheDocument();
    const drafts = calls("validate_asset_draft") as { draft: { fields: { serial: string } } }[];
    expect(drafts.some((d) => d.draft.fields.serial === taken)).toBe(true);
  });

  it("shows the save's findings per field, then saves and says it will sync", async () => {
    const user = userEvent.setup();
    const { onSaved } = renderForm({ kind: "create", connectionId: "halo-1" });
    await screen.findByRole("form", { name: "New asset" });
    await user.click(screen.getByRole("button", { name: "Create asset" }));
    expect(await screen.findByText("Name is required")).toBeInTheDocument();
    expect(screen.getByTestId("form-errors")).toHaveTextContent("3 fields need a fix");
    expect(onSaved).not.toHaveBeenCalled();

    await user.type(input("Name"), "ACME-LAP-9000");
    await choose(user, "Client", "Acme Dental");
    await choose(user, "Type", "Desktop");
    await waitFor(() => expect(screen.queryByTestId("form-errors")).not.toBeInTheDocument());
    await user.click(screen.getByRole("button", { name: "Create asset" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(21));
    expect(await screen.findByText("Saved — will sync when online")).toBeInTheDocument();
    const created = calls("create_asset").slice(-1)[0] as {
      request: { fields: { name: string; client_id: number; type_id: number } };
    };
    expect(created.request.fields).toMatchObject({
      name: "ACME-LAP-9000",
      client_id: 1,
      type_id: 2,
    });
  });

  it("renders the chosen type's custom fields by kind and requires the required ones", async () => {
    const user = userEvent.setup();
    renderForm({ kind: "create", connectionId: "halo-1" });
    await screen.findByRole("form", { name: "New asset" });
    expect(screen.queryByText("RAM (GB)")).not.toBeInTheDocument();
    await choose(user, "Type", "Laptop");
    const section = (await screen.findByText("Laptop fields")).closest("fieldset");
    expect(section).not.toBeNull();
    const fieldset = within(section as HTMLElement);
    expect(fieldset.getByLabelText("RAM (GB)", CONTROL)).toHaveAttribute("inputmode", "decimal");
    await user.click(screen.getByRole("button", { name: "Create asset" }));
    expect(await screen.findByText("Support tier is required for Laptop")).toBeInTheDocument();
  });

  it("offers only the statuses the chosen HaloPSA type allows", async () => {
    const user = userEvent.setup();
    renderForm({ kind: "create", connectionId: "halo-1" });
    await screen.findByRole("form", { name: "New asset" });
    const statusNames = async () => {
      const status = input("Status");
      await user.click(status);
      const list = await waitFor(() => {
        const el = document.getElementById(status.getAttribute("aria-controls") ?? "");
        expect(el).not.toBeNull();
        return el as HTMLElement;
      });
      const names = within(list)
        .getAllByRole("option", { hidden: true })
        .map((o) => o.textContent);
      await user.keyboard("{Escape}");
      return names;
    };
    expect(await statusNames()).toEqual(["In use", "In stock", "Retired"]);
    await choose(user, "Type", "Printer");
    expect(await statusNames()).toEqual(["In use", "Retired"]);
    expect(screen.getByText("The statuses Printer assets can have")).toBeInTheDocument();
    await choose(user, "Type", "Laptop");
    expect(await statusNames()).toEqual(["In use", "In stock", "Retired"]);
  });

  it("hides what the provider lacks and explains read-only fields", async () => {
    renderForm({ kind: "create", connectionId: "syncro-1" });
    await screen.findByRole("form", { name: "New asset" });
    expect(input("Client")).toBeInTheDocument();
    expect(screen.queryByLabelText(labelled("Status"), CONTROL)).not.toBeInTheDocument();
    expect(screen.queryByLabelText(labelled("Site"), CONTROL)).not.toBeInTheDocument();
    expect(input("User")).toBeInTheDocument();
    expect(input("IP address")).toBeDisabled();
    expect(screen.getAllByText("Reported by the Syncro agent").length).toBe(2);
  });

  it("asks before closing with unsaved changes", async () => {
    const user = userEvent.setup();
    const { onClose } = renderForm({ kind: "create", connectionId: "halo-1" });
    await screen.findByRole("form", { name: "New asset" });
    await user.type(input("Name"), "Half typed");
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(await screen.findByText("Discard unsaved changes?")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Keep editing" }));
    expect(onClose).not.toHaveBeenCalled();
    expect(input("Name")).toHaveValue("Half typed");
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    await user.click(await screen.findByRole("button", { name: "Discard changes" }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it("asks before another page replaces it with unsaved changes", async () => {
    const user = userEvent.setup();
    renderOnPage({ kind: "create", connectionId: "halo-1" });
    await screen.findByRole("form", { name: "New asset" });
    // Untouched, the form does not hold the user back.
    await user.click(screen.getByRole("button", { name: "Open Calendar" }));
    expect(screen.getByTestId("page")).toHaveTextContent("calendar");
    await user.click(screen.getByRole("button", { name: "Open Assets" }));

    await screen.findByRole("form", { name: "New asset" });
    await user.type(input("Name"), "Half typed");
    await user.click(screen.getByRole("button", { name: "Open Calendar" }));
    expect(await screen.findByText(/Leaving this page discards them/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Keep editing" }));
    expect(screen.getByTestId("page")).toHaveTextContent("assets");
    expect(input("Name")).toHaveValue("Half typed");

    await user.click(screen.getByRole("button", { name: "Open Calendar" }));
    await user.click(await screen.findByRole("button", { name: "Discard and leave" }));
    expect(screen.getByTestId("page")).toHaveTextContent("calendar");
    expect(screen.queryByRole("form", { name: "New asset" })).not.toBeInTheDocument();
  });

  it("edits an existing asset and sends only the changed fields", async () => {
    const user = userEvent.setup();
    const target = rows[4];
    const { onSaved } = renderForm({ kind: "edit", id: target?.id ?? 0 });
    await screen.findByRole("form", { name: "Edit asset" });
    expect(input("Name")).toHaveValue(target?.name);
    expect(input("Serial number")).toHaveValue(target?.serial);
    await user.clear(input("Serial number"));
    await user.type(input("Serial number"), "SN-REPLACED");
    await user.click(screen.getByRole("button", { name: "Save" }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(target?.id));
    const sent = calls("update_asset").slice(-1)[0] as { request: UpdateAssetRequest };
    expect(sent.request).toEqual({ id: target?.id, changes: { serial: "SN-REPLACED" } });
  });
});
