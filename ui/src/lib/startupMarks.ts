/**
 * Startup milestones as User Timing marks, each recorded once per page load. They cost
 * nothing a user notices, and the `ui` benchmark reads them to say where launch time goes
 * (script evaluated → first backend answers → first rows on screen).
 */
export function markOnce(name: string): void {
  if (typeof performance === "undefined" || typeof performance.mark !== "function") return;
  if (performance.getEntriesByName(name, "mark").length === 0) performance.mark(name);
}

/** Marks `name:sent` now and `name:answered` when `work` settles (first call only). */
export async function markFirstCall<T>(name: string, work: () => Promise<T>): Promise<T> {
  markOnce(`${name}:sent`);
  try {
    return await work();
  } finally {
    markOnce(`${name}:answered`);
  }
}
