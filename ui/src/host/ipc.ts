import { isTauri } from "@tauri-apps/api/core";
import type { AppError } from "../bindings";
import { HostError, NOT_IN_DESKTOP_APP, toHostError } from "./errors";

/** What a generated command returns for a Rust `Result<T, AppError>` (tauri-specta's shape). */
export type CommandResult<T> = { status: "ok"; data: T } | { status: "error"; error: AppError };

/** True when this page runs inside the AssetDesk window, i.e. backend calls can succeed. */
export function inDesktopApp(): boolean {
  return isTauri();
}

/**
 * Runs one generated command and unwraps tauri-specta's `Result`: the `ok` branch becomes the
 * return value, the `error` branch a thrown `HostError` carrying the backend's `{code, message}`.
 * Anything else the bridge throws (it rethrows JavaScript `Error`s as they are) is normalised by
 * `toHostError`, so every failure a caller sees is a `HostError`.
 */
export async function call<T>(command: () => Promise<CommandResult<T>>): Promise<T> {
  if (!inDesktopApp()) throw new HostError("unavailable", NOT_IN_DESKTOP_APP);
  let result: CommandResult<T>;
  try {
    result = await command();
  } catch (cause) {
    throw toHostError(cause);
  }
  if (result.status === "error") throw HostError.fromAppError(result.error);
  return result.data;
}
