/**
 * jsdom gaps the asset page's component tests fill: a layout size for the virtualizer's
 * viewport, and the font loading API Mantine's autosizing Textarea listens to. Import it
 * first in a test file; only tests import it.
 */
import { afterAll, beforeAll } from "vitest";

if (!("fonts" in document)) {
  Object.defineProperty(document, "fonts", {
    value: { addEventListener: () => {}, removeEventListener: () => {} },
  });
}

/** Gives every element the size of a window while the calling file's tests run. */
export function withWindowSizedElements(): void {
  const sizes = ["clientHeight", "clientWidth"] as const;
  const original = sizes.map((p) => Object.getOwnPropertyDescriptor(HTMLElement.prototype, p));
  beforeAll(() => {
    for (const p of sizes) {
      Object.defineProperty(HTMLElement.prototype, p, {
        configurable: true,
        get: () => (p === "clientHeight" ? 600 : 1000),
      });
    }
  });
  afterAll(() => {
    sizes.forEach((p, i) => {
      const d = original[i];
      if (d) Object.defineProperty(HTMLElement.prototype, p, d);
    });
  });
}
