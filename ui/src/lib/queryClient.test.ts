import { onlineManager } from "@tanstack/react-query";
import { afterEach, describe, expect, it } from "vitest";
import { createQueryClient } from "./queryClient";

describe("createQueryClient", () => {
  afterEach(() => onlineManager.setOnline(true));

  it("still reads the local cache while the OS reports no network", async () => {
    onlineManager.setOnline(false);
    const client = createQueryClient();
    const rows = await client.fetchQuery({ queryKey: ["offline-read"], queryFn: async () => 42 });
    expect(rows).toBe(42);
  });

  it("still saves an edit while the OS reports no network", async () => {
    onlineManager.setOnline(false);
    const client = createQueryClient();
    const saved = client
      .getMutationCache()
      .build(client, { mutationFn: async (v: number) => v * 2 })
      .execute(21);
    await expect(saved).resolves.toBe(42);
  });
});
