import { Button, Group, Modal, Stack, Text } from "@mantine/core";
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
} from "react";

/** The top-level places in the app, in rail order (UX.md, "Layout"). */
export type PageId = "assets" | "calendar" | "sync" | "settings";

interface Navigation {
  page: PageId;
  navigate: (page: PageId) => void;
}

/** Where components that hold unsaved work say so while they do. */
interface GuardRegistry {
  /** `message` while `id` has unsaved work; `null` once it has none (or is gone). */
  set: (id: string, message: string | null) => void;
}

const NavigationContext = createContext<Navigation | null>(null);
const GuardContext = createContext<GuardRegistry | null>(null);

/**
 * The current page and a way to change it. Plain state is enough while the app has four flat
 * pages; a router can replace this provider later without touching the pages.
 *
 * Leaving a page unmounts it, and with it any draft it holds. So `navigate` (the rail, the
 * page shortcuts, every "Open …" button) first asks the guards registered with
 * [`useNavigationGuard`]; while one is active it asks the user to keep editing or discard, and
 * only then calls `value.navigate`. Staying on the current page never asks.
 */
export function NavigationProvider({
  value,
  children,
}: {
  value: Navigation;
  children: ReactNode;
}) {
  const { page, navigate: go } = value;
  // A ref, not state: registering must not re-render the app, and `navigate` must see the
  // guards as they are at the moment of the click.
  const guards = useRef(new Map<string, string>());
  const [leavingFor, setLeavingFor] = useState<PageId | null>(null);
  const [messages, setMessages] = useState<string[]>([]);

  const navigate = useCallback(
    (to: PageId) => {
      if (to === page) return;
      if (guards.current.size === 0) {
        go(to);
        return;
      }
      setMessages([...new Set(guards.current.values())]);
      setLeavingFor(to);
    },
    [page, go],
  );
  const registry = useMemo<GuardRegistry>(
    () => ({
      set: (id, message) => {
        if (message === null) guards.current.delete(id);
        else guards.current.set(id, message);
      },
    }),
    [],
  );
  const navigation = useMemo(() => ({ page, navigate }), [page, navigate]);
  const stay = () => setLeavingFor(null);
  const leave = () => {
    setLeavingFor(null);
    if (leavingFor !== null) go(leavingFor);
  };

  return (
    <NavigationContext.Provider value={navigation}>
      <GuardContext.Provider value={registry}>
        {children}
        {/* Above drawers (200) and their own confirmations, like the form's (400). */}
        <Modal
          opened={leavingFor !== null}
          onClose={stay}
          title="Discard unsaved changes?"
          centered
          size="sm"
          zIndex={450}
          data-testid="navigation-guard"
        >
          <Stack gap="xs">
            {messages.map((m) => (
              <Text key={m} fz="sm">
                {m}
              </Text>
            ))}
          </Stack>
          <Group justify="flex-end" mt="md">
            <Button variant="default" onClick={stay} data-autofocus>
              Keep editing
            </Button>
            <Button color="red" onClick={leave} data-testid="navigation-guard-leave">
              Discard and leave
            </Button>
          </Group>
        </Modal>
      </GuardContext.Provider>
    </NavigationContext.Provider>
  );
}

export function useNavigation(): Navigation {
  const navigation = useContext(NavigationContext);
  if (!navigation) throw new Error("useNavigation must be used inside <NavigationProvider>");
  return navigation;
}

/**
 * While `active`, leaving the page asks the user first, showing `message` (say what would be
 * lost). For components that hold a draft the page's unmount would drop, such as the asset
 * form. Outside a [`NavigationProvider`] (a component rendered alone in a test) there is no
 * navigation to guard, so it does nothing.
 */
export function useNavigationGuard(active: boolean, message: string): void {
  const registry = useContext(GuardContext);
  const id = useId();
  useEffect(() => {
    if (!registry || !active) return;
    registry.set(id, message);
    return () => registry.set(id, null);
  }, [registry, id, active, message]);
}
