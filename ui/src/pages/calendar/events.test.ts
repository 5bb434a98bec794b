import { describe, expect, it } from "vitest";
import type { CalendarRange } from "../../host";
import { addDays, addYears, dayBefore, isoDay, toFcEvents } from "./events";

const event = (assetId: number, date: string) => ({
  assetId,
  connectionId: "halo-1",
  provider: "halo" as const,
  layer: "warranty" as const,
  date,
  urgency: "within30" as const,
  name: `A${assetId}`,
  clientName: null,
  siteName: null,
  typeName: null,
  serial: null,
  model: null,
  purchaseDate: null,
  purchasePriceCents: null,
  warrantyEnd: date,
  inactive: false,
  syncState: "synced" as const,
});

describe("calendar events", () => {
  it("adds a '+N more' marker only for days holding more than they carry", () => {
    const range: CalendarRange = {
      from: "2027-03-01",
      to: "2027-03-31",
      events: [event(1, "2027-03-10"), event(2, "2027-03-10"), event(3, "2027-03-11")],
      days: [
        { date: "2027-03-10", layer: "warranty", count: 9, shown: 2 },
        { date: "2027-03-11", layer: "warranty", count: 1, shown: 1 },
      ],
    };
    const fc = toFcEvents(range);
    expect(fc.map((e) => e.title)).toEqual(["A1", "A2", "A3", "+7 more"]);
    expect(fc[3]?.extendedProps).toEqual({
      kind: "more",
      date: "2027-03-10",
      layer: "warranty",
      hidden: 7,
    });
  });

  it("does date arithmetic on calendar days", () => {
    expect(isoDay(new Date(2027, 0, 5))).toBe("2027-01-05");
    expect(isoDay(dayBefore(new Date(2027, 2, 1)))).toBe("2027-02-28");
    expect(addDays("2027-12-31", 1)).toBe("2028-01-01");
    expect(addYears("2024-02-29", 1)).toBe("2025-02-28");
    expect(addYears("2024-02-29", 4)).toBe("2028-02-29");
  });
});
