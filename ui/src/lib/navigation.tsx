import { createContext, type ReactNode, useContext } from "react";

/** The top-level places in the app, in rail order (UX.md, "Layout"). */
export type PageId = "assets" | "calendar" | "sync" | "settings";

interface Navigation {
  page: PageId;
  navigate: (page: PageId) => void;
}

const NavigationContext = createContext<Navigation | null>(null);

/**
 * The current page and a way to change it. Plain state is enough while the app has four flat
 * pages; a router can replace this provider later without touching the pages.
 */
export function NavigationProvider({
  value,
  children,
}: {
  value: Navigation;
  children: ReactNode;
}) {
  return <NavigationContext.Provider value={value}>{children}</NavigationContext.Provider>;
}

export function useNavigation(): Navigation {
  const navigation = useContext(NavigationContext);
  if (!navigation) throw new Error("useNavigation must be used inside <NavigationProvider>");
  return navigation;
}
