import { describe, expect, it } from "vitest";
import { NO_FILTERS, nextSort, toCatalogFilter } from "./listState";
import { daysUntil, warrantyUrgency } from "./warranty";

describe("warranty urgency", () => {
  it("puts an end date on the one scale, counted from the user's day", () => {
    const today = "2026-03-01";
    expect(warrantyUrgency("2026-02-28", today)).toBe("expired");
    expect(warrantyUrgency("2026-03-01", today)).toBe("30");
    expect(warrantyUrgency("2026-03-31", today)).toBe("30");
    expect(warrantyUrgency("2026-04-01", today)).toBe("60");
    expect(warrantyUrgency("2026-05-30", today)).toBe("90");
    expect(warrantyUrgency("2026-05-31", today)).toBe("later");
    expect(warrantyUrgency("soon", today)).toBeNull();
    expect(daysUntil("2024-03-01", "2024-02-28")).toBe(2);
  });
});

describe("filter bar state", () => {
  it("becomes the backend filter", () => {
    const f = toCatalogFilter(
      {
        ...NO_FILTERS,
        connection: "halo-1",
        client: "halo-1:42",
        warranty: "60",
        active: "inactive",
        sync: "failed",
      },
      "  dell lat ",
      "2026-03-01",
    );
    expect(f).toMatchObject({
      connections: ["halo-1"],
      clients: [{ connectionId: "halo-1", remoteId: 42 }],
      warranty: { kind: "within", days: 60 },
      today: "2026-03-01",
      active: false,
      syncStates: ["failed"],
      search: "dell lat",
    });
    expect(toCatalogFilter(NO_FILTERS, "   ", "2026-03-01").search).toBeNull();
  });

  it("flips the direction when the same column is clicked again", () => {
    const s = nextSort({ column: "name", descending: false }, "name");
    expect(s).toEqual({ column: "name", descending: true });
    expect(nextSort(s, "client")).toEqual({ column: "client", descending: false });
  });
});
