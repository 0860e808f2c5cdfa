// The console's pages, by path. The gateway serves index.html on each of these paths (see
// gateway/console.go, consolePages), so a page can be bookmarked and reloaded; a link between
// pages changes the path with the History API, without reloading.

export type Route =
  | { page: "accueil" }
  | { page: "reseaux" }
  | { page: "reseau"; network: string }
  | { page: "statistiques" }
  | { page: "membres" }
  | { page: "introuvable" };

/** The route of a path: /, /reseaux, /reseaux/{network}, /statistiques, /membres. */
export function routeOf(path: string): Route {
  if (path === "/" || path === "") return { page: "accueil" };
  if (path === "/reseaux") return { page: "reseaux" };
  if (path === "/statistiques") return { page: "statistiques" };
  if (path === "/membres") return { page: "membres" };
  const m = /^\/reseaux\/([a-z][a-z0-9-]{2,62})$/.exec(path);
  if (m?.[1]) return { page: "reseau", network: m[1] };
  return { page: "introuvable" };
}

class Router {
  path = $state(location.pathname);
  route = $derived(routeOf(this.path));

  constructor() {
    addEventListener("popstate", () => {
      this.path = location.pathname;
    });
    // A click on a link of ours changes the page in place; other origins, new tabs, downloads and
    // in-page anchors (the skip links) are left to the browser.
    document.addEventListener("click", (e) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = (e.target as Element | null)?.closest?.("a");
      if (!a || a.target || a.hasAttribute("download")) return;
      const href = a.getAttribute("href");
      if (!href || href.startsWith("#")) return;
      const url = new URL(a.href);
      if (url.origin !== location.origin || routeOf(url.pathname).page === "introuvable") return;
      e.preventDefault();
      this.go(url.pathname);
    });
  }

  go(path: string) {
    if (path !== location.pathname) history.pushState(null, "", path);
    this.path = path;
    scrollTo(0, 0);
  }
}

export const router = new Router();
