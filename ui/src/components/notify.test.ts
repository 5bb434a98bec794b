import { notifications } from "@mantine/notifications";
import { describe, expect, it, vi } from "vitest";
import { HostError } from "../host";
import { showErrorToast } from "./notify";

vi.mock("@mantine/notifications", () => ({ notifications: { show: vi.fn() } }));

const shown = () => vi.mocked(notifications.show).mock.calls.map(([n]) => n.message);

describe("showErrorToast", () => {
  it("shows Rust's message whatever shape it arrives in, never a stringified object", () => {
    showErrorToast("Could not sync", new HostError("offline", "Demo HaloPSA did not answer."));
    showErrorToast("Demo Syncro did not sync", "A sync of Demo Syncro is already running.");
    showErrorToast("Saved with a warning", { field: "serial", message: "Serial is used by #12." });
    showErrorToast("Could not save", new Error("IPC bridge closed"));

    expect(shown()).toEqual([
      "Demo HaloPSA did not answer.",
      "A sync of Demo Syncro is already running.",
      "Serial is used by #12.",
      "The call to the AssetDesk backend failed: IPC bridge closed",
    ]);
    expect(vi.mocked(notifications.show).mock.calls[0]?.[0]).toMatchObject({
      title: "Could not sync",
      color: "red",
      autoClose: false,
    });
  });
});
