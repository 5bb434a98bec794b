import { beforeEach, describe, expect, it } from "vitest";
import {
  DEFAULT_COLUMNS,
  gridTemplate,
  loadPrefs,
  loadViews,
  minTableWidth,
  PREFS_KEY,
  removeView,
  resizeColumn,
  sanitizeColumns,
  toggleColumn,
  upsertView,
  VIEWS_KEY,
} from "./listPrefs";
import { NO_FILTERS } from "./listState";

beforeEach(() => window.localStorage.clear());

describe("list preferences", () => {
  it("fall back to the defaults when storage holds nothing usable", () => {
    expect(loadPrefs()).toEqual({
      columns: DEFAULT_COLUMNS,
      sort: { column: "name", descending: false },
    });
    window.localStorage.setItem(PREFS_KEY, "{not json");
    expect(loadPrefs().columns).toEqual(DEFAULT_COLUMNS);
    window.localStorage.setItem(
      PREFS_KEY,
      JSON.stringify({ columns: "nope", sort: { column: "ip", descending: true } }),
    );
    // `ip` is not a sort key of the backend: an unsortable column never reaches a request.
    expect(loadPrefs().sort).toEqual({ column: "name", descending: false });
  });

  it("keep known unique columns, clamp widths and always keep the name", () => {
    expect(
      sanitizeColumns([
        { id: "serial", width: 10 },
        { id: "serial", width: 300 },
        { id: "bogus", width: 100 },
        { id: "model", width: "wide" },
      ]),
    ).toEqual([
      { id: "name", width: null },
      { id: "serial", width: 60 },
      { id: "model", width: null },
    ]);
  });

  it("toggle columns back into their place and never hide the name", () => {
    const without = toggleColumn(DEFAULT_COLUMNS, "client");
    expect(without.map((c) => c.id)).not.toContain("client");
    const back = toggleColumn(without, "client");
    expect(back.map((c) => c.id)).toEqual(DEFAULT_COLUMNS.map((c) => c.id));
    expect(toggleColumn(DEFAULT_COLUMNS, "name")).toBe(DEFAULT_COLUMNS);
    const withIp = toggleColumn(DEFAULT_COLUMNS, "ip");
    expect(withIp.map((c) => c.id).indexOf("ip")).toBe(
      withIp.map((c) => c.id).indexOf("warrantyEnd") - 1,
    );
  });

  it("turn widths into grid tracks and a minimum table width", () => {
    const cols = resizeColumn(
      [
        { id: "name", width: null },
        { id: "syncState", width: null },
      ],
      "name",
      222.4,
    );
    expect(gridTemplate(cols)).toBe("222px 92px");
    expect(minTableWidth(cols)).toBe(314);
    expect(minTableWidth(DEFAULT_COLUMNS)).toBe(698);
  });

  it("save, replace and remove named views", () => {
    let views = upsertView([], {
      name: "B",
      filters: { ...NO_FILTERS, search: "dell" },
      sort: { column: "client", descending: true },
      columns: DEFAULT_COLUMNS,
    });
    views = upsertView(views, {
      name: "A",
      filters: NO_FILTERS,
      sort: { column: "name", descending: false },
      columns: DEFAULT_COLUMNS,
    });
    views = upsertView(views, {
      ...(views[1] as (typeof views)[number]),
      sort: { column: "model", descending: false },
    });
    expect(loadViews().map((v) => [v.name, v.sort.column])).toEqual([
      ["A", "name"],
      ["B", "model"],
    ]);
    expect(loadViews()[1]?.filters.search).toBe("dell");
    removeView(views, "A");
    expect(loadViews().map((v) => v.name)).toEqual(["B"]);
    window.localStorage.setItem(VIEWS_KEY, JSON.stringify([{ name: "" }, 3, { name: "ok" }]));
    expect(loadViews().map((v) => v.name)).toEqual(["ok"]);
  });
});
