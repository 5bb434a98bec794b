import { invoke, isTauri } from "@tauri-apps/api/core";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { APP_INFO } from "../test/fixtures";
import { getAppInfo } from "./commands";
import { HostError, NOT_IN_DESKTOP_APP } from "./errors";

// The real generated bindings run on top of a mocked Tauri core, so this covers how the host
// unwraps tauri-specta's Result, not just a stand-in for it.
vi.mock("@tauri-apps/api/core", () => ({ invoke: vi.fn(), isTauri: vi.fn() }));

beforeEach(() => {
  vi.mocked(isTauri).mockReturnValue(true);
});

async function failure(promise: Promise<unknown>): Promise<HostError> {
  const error = await promise.then(
    () => undefined,
    (cause: unknown) => cause,
  );
  expect(error).toBeInstanceOf(HostError);
  return error as HostError;
}

describe("host commands", () => {
  it("calls app_info and returns its data", async () => {
    vi.mocked(invoke).mockResolvedValue(APP_INFO);
    await expect(getAppInfo()).resolves.toEqual(APP_INFO);
    expect(invoke).toHaveBeenCalledWith("app_info");
  });

  it("throws the backend's {code, message} as a HostError", async () => {
    vi.mocked(invoke).mockRejectedValue({ code: "database", message: "The cache is locked." });
    const error = await failure(getAppInfo());
    expect(error.code).toBe("database");
    expect(error.message).toBe("The cache is locked.");
  });

  it("turns a broken bridge into an `unavailable` HostError that keeps the cause", async () => {
    vi.mocked(invoke).mockRejectedValue(new TypeError("IPC channel closed"));
    const error = await failure(getAppInfo());
    expect(error.code).toBe("unavailable");
    expect(error.message).toContain("IPC channel closed");
  });

  it("does not call Tauri at all outside the desktop app", async () => {
    vi.mocked(isTauri).mockReturnValue(false);
    const error = await failure(getAppInfo());
    expect(error.code).toBe("unavailable");
    expect(error.message).toBe(NOT_IN_DESKTOP_APP);
    expect(invoke).not.toHaveBeenCalled();
  });
});
