import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { renderWithProviders } from "../test/render";
import { NavigationProvider, type PageId, useNavigation, useNavigationGuard } from "./navigation";

const LOST = "Your draft is not saved yet.";

/** A page holding a draft while its box is ticked, guarded like the asset form. */
function DraftPage() {
  const [dirty, setDirty] = useState(false);
  useNavigationGuard(dirty, LOST);
  return (
    <label>
      <input type="checkbox" checked={dirty} onChange={(e) => setDirty(e.currentTarget.checked)} />
      Unsaved draft
    </label>
  );
}

function Rail() {
  const { page, navigate } = useNavigation();
  return (
    <>
      <output data-testid="page">{page}</output>
      {(["assets", "sync"] as const).map((id) => (
        <button key={id} type="button" onClick={() => navigate(id)}>
          Open {id}
        </button>
      ))}
    </>
  );
}

/** The app's shape: page state above the provider, the current page unmounted on leaving. */
function Harness() {
  const [page, setPage] = useState<PageId>("assets");
  const navigation = { page, navigate: setPage };
  return (
    <NavigationProvider value={navigation}>
      <Rail />
      {page === "assets" ? <DraftPage /> : <p>Sync page</p>}
    </NavigationProvider>
  );
}

const page = () => screen.getByTestId("page");

describe("navigation guard", () => {
  it("navigates at once when nothing is unsaved", async () => {
    const user = userEvent.setup();
    renderWithProviders(<Harness />);
    await user.click(screen.getByRole("button", { name: "Open sync" }));
    expect(page()).toHaveTextContent("sync");
    expect(screen.queryByText("Discard unsaved changes?")).not.toBeInTheDocument();
  });

  it("asks before leaving a page with unsaved work; Keep editing stays", async () => {
    const user = userEvent.setup();
    renderWithProviders(<Harness />);
    await user.click(screen.getByRole("checkbox", { name: "Unsaved draft" }));
    await user.click(screen.getByRole("button", { name: "Open sync" }));

    expect(await screen.findByText("Discard unsaved changes?")).toBeInTheDocument();
    expect(screen.getByText(LOST)).toBeInTheDocument();
    expect(page()).toHaveTextContent("assets");
    await user.click(screen.getByRole("button", { name: "Keep editing" }));
    await waitFor(() =>
      expect(screen.queryByText("Discard unsaved changes?")).not.toBeInTheDocument(),
    );
    expect(page()).toHaveTextContent("assets");
    expect(screen.getByRole("checkbox", { name: "Unsaved draft" })).toBeChecked();
  });

  it("leaves and drops the draft once the user discards it", async () => {
    const user = userEvent.setup();
    renderWithProviders(<Harness />);
    await user.click(screen.getByRole("checkbox", { name: "Unsaved draft" }));
    await user.click(screen.getByRole("button", { name: "Open sync" }));
    await user.click(await screen.findByRole("button", { name: "Discard and leave" }));

    expect(page()).toHaveTextContent("sync");
    expect(screen.getByText("Sync page")).toBeInTheDocument();
    // The unmounted page released its guard: coming back and leaving again does not ask.
    await user.click(screen.getByRole("button", { name: "Open assets" }));
    await user.click(screen.getByRole("button", { name: "Open sync" }));
    expect(page()).toHaveTextContent("sync");
  });

  it("does not ask when staying on the current page or once the work is saved", async () => {
    const user = userEvent.setup();
    renderWithProviders(<Harness />);
    const draft = screen.getByRole("checkbox", { name: "Unsaved draft" });
    await user.click(draft);
    await user.click(screen.getByRole("button", { name: "Open assets" }));
    expect(screen.queryByText("Discard unsaved changes?")).not.toBeInTheDocument();

    await user.click(draft);
    await user.click(screen.getByRole("button", { name: "Open sync" }));
    expect(page()).toHaveTextContent("sync");
    expect(screen.queryByText("Discard unsaved changes?")).not.toBeInTheDocument();
  });
});
