import { notifications } from "@mantine/notifications";
import { toHostError } from "../host";

/**
 * An error toast carrying the backend's own message (UX.md "Feedback": show the message, offer
 * the fix). `title` says what the user was doing ("Could not discard the change"); the body is
 * Rust's sentence, which names the fix. Errors stay until dismissed: they are easy to miss.
 */
export function showErrorToast(title: string, cause: unknown): void {
  const message = messageOf(cause);
  notifications.show({
    color: "red",
    title,
    message,
    autoClose: false,
    withBorder: true,
  });
}

/**
 * The sentence to show for `cause`: a plain string is already Rust's message (a sync
 * outcome's `error`); so is the `message` of a `{field, message}` warning; anything else a
 * host call threw is normalised by `toHostError`.
 */
function messageOf(cause: unknown): string {
  if (typeof cause === "string") return cause;
  if (
    typeof cause === "object" &&
    cause !== null &&
    !(cause instanceof Error) &&
    typeof (cause as { message?: unknown }).message === "string"
  ) {
    return (cause as { message: string }).message;
  }
  return toHostError(cause).message;
}

/** A short confirmation that something the user asked for happened. */
export function showDoneToast(message: string): void {
  notifications.show({ color: "teal", message, autoClose: 4000, withBorder: true });
}
