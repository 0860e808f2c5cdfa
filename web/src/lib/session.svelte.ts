// The sign-in of a professional: the authorization code with PKCE (S256) to the OpenID provider
// that the gateway names in /console/config.json (no URL in the bundle), through oidc-client-ts.
//
// The tokens live in this page's memory only (InMemoryWebStorage): never in localStorage or
// sessionStorage, so a reload or a new tab starts signed out, and the reader signs in again. What
// crosses the redirect to the login page is the request's state and PKCE verifier, kept in
// sessionStorage (the only place that outlives the navigation) and deleted when the code comes
// back. The access token is renewed with the refresh token a minute before it expires.
import { InMemoryWebStorage, UserManager, WebStorageStateStore, type User } from "oidc-client-ts";

type Config = { issuer: string; clientId: string };

/** What the console shows of a signed-in professional: read from the access token's claims. */
export type Who = { subject: string; role: string; network?: string; organisation?: string };

function claimsOf(token: string): Record<string, unknown> {
  try {
    const part = token.split(".")[1] ?? "";
    const json = atob(part.replaceAll("-", "+").replaceAll("_", "/"));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
  } catch {
    return {};
  }
}

class Session {
  /** The signed-in user, or null. */
  user = $state<User | null>(null);
  /** Whether this instance offers a sign-in (it names a provider). */
  available = $state(false);
  /** A failed sign-in or renewal, in words for the reader. */
  problem = $state<string | undefined>();
  who = $derived.by((): Who | undefined => {
    const u = this.user;
    if (!u) return undefined;
    const c = claimsOf(u.access_token);
    return {
      subject: String(c.sub ?? u.profile.sub),
      role: String(c.vif_role ?? ""),
      network: typeof c.vif_network === "string" ? c.vif_network : undefined,
      organisation: typeof c.vif_organisation === "string" ? c.vif_organisation : undefined,
    };
  });

  private manager?: UserManager;

  /** The access token to send, if signed in and not expired. */
  token(): string | undefined {
    const u = this.user;
    return u && !u.expired ? u.access_token : undefined;
  }

  /**
   * Reads the configuration and, when the page is the provider's answer (?code=…&state=…),
   * exchanges the code; returns the path to show then (where the reader was when signing in).
   */
  async start(): Promise<string | undefined> {
    let config: Config;
    try {
      const r = await fetch("/console/config.json");
      if (!r.ok) return undefined;
      config = await r.json();
    } catch {
      return undefined;
    }
    if (!config.issuer) return undefined;
    this.manager = new UserManager({
      authority: config.issuer,
      client_id: config.clientId,
      redirect_uri: `${location.origin}/`,
      response_type: "code",
      scope: "openid offline_access",
      userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
      stateStore: new WebStorageStateStore({ store: sessionStorage }),
      automaticSilentRenew: true,
      accessTokenExpiringNotificationTimeInSeconds: 60,
      monitorSession: false,
      loadUserInfo: false,
    });
    this.available = true;
    this.manager.events.addUserLoaded((u) => {
      this.user = u;
    });
    this.manager.events.addSilentRenewError(() => {
      this.problem = "Votre session a expiré : reconnectez-vous.";
    });
    this.manager.events.addAccessTokenExpired(() => {
      this.user = null;
      this.problem = "Votre session a expiré : reconnectez-vous.";
    });
    const q = new URLSearchParams(location.search);
    if (location.pathname === "/" && q.has("state") && (q.has("code") || q.has("error"))) {
      let back: string | undefined;
      try {
        const u = await this.manager.signinRedirectCallback();
        this.user = u;
        this.problem = undefined;
        back = typeof u.state === "string" && u.state.startsWith("/") ? u.state : "/";
      } catch {
        this.problem = "La connexion n’a pas abouti. Réessayez.";
        back = "/";
      }
      // The code and state leave the address bar (and the history) at once.
      history.replaceState(null, "", back);
      return back;
    }
    return undefined;
  }

  /** Goes to the provider's login page; back on this page after. */
  async signIn() {
    if (!this.manager) return;
    this.problem = undefined;
    await this.manager.signinRedirect({ state: location.pathname });
  }

  /** Revokes the refresh token at the provider and forgets the tokens. */
  async signOut() {
    if (!this.manager) return;
    try {
      await this.manager.revokeTokens(["refresh_token"]);
    } catch {
      // the provider is unreachable: its refresh token expires on its own; forget it here anyway
    }
    await this.manager.removeUser();
    this.user = null;
  }
}

export const session = new Session();
