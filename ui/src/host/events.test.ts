import { isTauri } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { AppStatusEvent } from "../bindings";
import { onAppStatus, subscribe } from "./events";

vi.mock("@tauri-apps/api/core", () => ({ isTauri: vi.fn() }));
vi.mock("@tauri-apps/api/event", () => ({ listen: vi.fn(), once: vi.fn(), emit: vi.fn() }));

type Handler<T> = (event: { payload: T }) => void;

/** A `listen` whose registration completes only when the test says so. */
function deferredListen<T>() {
  let handler: Handler<T> | undefined;
  let resolve: (unlisten: () => void) => void = () => {};
  const listenFn = vi.fn(
    (cb: Handler<T>) =>
      new Promise<() => void>((r) => {
        handler = cb;
        resolve = r;
      }),
  );
  return {
    listenFn,
    emit: (payload: T) => handler?.({ payload }),
    register: (unlisten: () => void) => resolve(unlisten),
  };
}

beforeEach(() => {
  vi.mocked(isTauri).mockReturnValue(true);
});

describe("subscribe", () => {
  it("delivers payloads until unsubscribed, then removes the listener", async () => {
    const { listenFn, emit, register } = deferredListen<number>();
    const unlisten = vi.fn();
    const seen: number[] = [];
    const stop = subscribe(listenFn, (n) => seen.push(n));
    register(unlisten);
    await Promise.resolve();

    emit(1);
    stop();
    emit(2);

    expect(seen).toEqual([1]);
    expect(unlisten).toHaveBeenCalledTimes(1);
    stop();
    expect(unlisten).toHaveBeenCalledTimes(1);
  });

  it("removes a listener that registers only after the caller unsubscribed", async () => {
    const { listenFn, emit, register } = deferredListen<number>();
    const unlisten = vi.fn();
    const handler = vi.fn();
    const stop = subscribe(listenFn, handler);

    stop();
    register(unlisten);
    await Promise.resolve();
    emit(1);

    expect(unlisten).toHaveBeenCalledTimes(1);
    expect(handler).not.toHaveBeenCalled();
  });

  it("reports a failed registration instead of throwing it away", async () => {
    const onError = vi.fn();
    subscribe(() => Promise.reject(new Error("no event permission")), vi.fn(), onError);
    await vi.waitFor(() => expect(onError).toHaveBeenCalledWith(new Error("no event permission")));
  });
});

describe("onAppStatus", () => {
  it("listens to the generated app-status event and passes on its payload", async () => {
    let registered: Handler<AppStatusEvent> | undefined;
    vi.mocked(listen).mockImplementation(async (_name, cb) => {
      registered = cb as Handler<AppStatusEvent>;
      return () => {};
    });
    const handler = vi.fn();
    onAppStatus(handler);
    await vi.waitFor(() => expect(registered).toBeDefined());

    registered?.({ payload: { phase: "ready", message: null } });

    expect(listen).toHaveBeenCalledWith("app-status-event", expect.any(Function));
    expect(handler).toHaveBeenCalledWith({ phase: "ready", message: null });
  });

  it("subscribes to nothing outside the desktop app", () => {
    vi.mocked(isTauri).mockReturnValue(false);
    const stop = onAppStatus(vi.fn());
    expect(listen).not.toHaveBeenCalled();
    expect(stop).not.toThrow();
  });
});
