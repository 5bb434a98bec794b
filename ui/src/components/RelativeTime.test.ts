import { describe, expect, it } from "vitest";
import { relativeTime } from "./RelativeTime";

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const MIN = 60_000;

describe("relativeTime", () => {
  it("says just now, then minutes, hours and days, past and future", () => {
    const format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
    expect(relativeTime(NOW - 10_000, NOW)).toBe("just now");
    expect(relativeTime(NOW - 3 * MIN, NOW)).toBe(format.format(-3, "minute"));
    expect(relativeTime(NOW - 59 * MIN, NOW)).toBe(format.format(-59, "minute"));
    expect(relativeTime(NOW - 2 * 60 * MIN, NOW)).toBe(format.format(-2, "hour"));
    expect(relativeTime(NOW - 3 * 24 * 60 * MIN, NOW)).toBe(format.format(-3, "day"));
    expect(relativeTime(NOW + 15 * MIN, NOW)).toBe(format.format(15, "minute"));
  });
});
