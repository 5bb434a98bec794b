import { describe, expect, it } from "vitest";
import { HostError } from "./errors";
import { deriveAppStatus } from "./queries";

const pending = { status: "pending", error: null } as const;
const success = { status: "success", error: null } as const;
const failed = { status: "error", error: new HostError("io", "Disk full.") } as const;

describe("deriveAppStatus", () => {
  it("follows app_info while no event has arrived", () => {
    expect(deriveAppStatus(undefined, pending)).toEqual({ phase: "starting" });
    expect(deriveAppStatus(undefined, success)).toEqual({ phase: "ready" });
    expect(deriveAppStatus(undefined, failed)).toEqual({ phase: "failed", message: "Disk full." });
  });

  it("prefers the event, which is the newer word", () => {
    expect(deriveAppStatus({ phase: "ready", message: null }, pending)).toEqual({ phase: "ready" });
    expect(deriveAppStatus({ phase: "failed", message: "Migration 4 failed." }, success)).toEqual({
      phase: "failed",
      message: "Migration 4 failed.",
    });
  });

  it("still explains a failure event that carries no message", () => {
    const status = deriveAppStatus({ phase: "failed", message: null }, pending);
    expect(status.phase).toBe("failed");
    expect(status.phase === "failed" && status.message).toMatch(/log folder/);
  });
});
