import type { AppError, ErrorCode } from "../bindings";

/**
 * What went wrong, as a stable string the UI can branch on. The backend's codes come from Rust
 * (`ErrorCode`); `unavailable` is added here for calls that never reached Rust: the page runs
 * outside the desktop app (a plain browser, a unit test) or the IPC bridge itself failed.
 */
export type HostErrorCode = ErrorCode | "unavailable";

/**
 * The one error type the UI sees from the backend. Commands return `{code, message}` (see
 * DESIGN.md, "Errors from Rust arrive as `{code, message}`"); the host turns that into a thrown
 * `HostError` so TanStack Query and error boundaries handle it like any other failure, while
 * components can still read `code` to offer the right fix.
 */
export class HostError extends Error {
  readonly code: HostErrorCode;

  constructor(code: HostErrorCode, message: string) {
    super(message);
    this.name = "HostError";
    this.code = code;
  }

  /** Wraps the `{code, message}` a command returned in its `error` branch. */
  static fromAppError(error: AppError): HostError {
    return new HostError(error.code, error.message);
  }
}

/** Shown when there is no Tauri bridge at all, e.g. `vite preview` in a normal browser. */
export const NOT_IN_DESKTOP_APP =
  "The AssetDesk backend is not reachable: this page is running outside the desktop app.";

/**
 * Normalises anything a backend call may throw into a `HostError`, so callers never have to
 * guess at the shape of `unknown`.
 */
export function toHostError(cause: unknown): HostError {
  if (cause instanceof HostError) return cause;
  const detail =
    cause instanceof Error ? cause.message : typeof cause === "string" ? cause : String(cause);
  return new HostError("unavailable", `The call to the AssetDesk backend failed: ${detail}`);
}
