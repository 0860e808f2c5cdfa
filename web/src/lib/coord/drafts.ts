// What a reader typed survives signing in again. When the session expires, the page stays as it was
// (its form, its values, in memory); signing in again leaves for the provider's login page, which
// unloads the page: just before that, each form with a draft writes it to sessionStorage (this
// tab only, gone when the tab closes), and the page that comes back reads it and deletes it at
// once. A draft holds the values of a form's fields, never a token nor anything of the session;
// nothing goes in the URL.
import { session } from "../session.svelte";

const PREFIX = "vif-brouillon:";

/**
 * Keeps the draft of a form for a new sign-in: get gives its values when the page leaves for the
 * login page (undefined: nothing worth keeping). Call from a component's $effect: returns the
 * function that stops it.
 */
export function keepDraft<T>(name: string, get: () => T | undefined): () => void {
  return session.beforeSignIn(() => {
    // A first sign-in keeps nothing: a draft is for the work an expired session interrupted.
    if (!session.expired) return;
    const v = get();
    if (v === undefined) return;
    try {
      sessionStorage.setItem(PREFIX + name, JSON.stringify(v));
    } catch {
      // storage full or refused: the draft is lost, as it would be without this
    }
  });
}

/** The draft kept for name before a sign-in, once: it is deleted as it is read. */
export function takeDraft<T>(name: string): T | undefined {
  try {
    const s = sessionStorage.getItem(PREFIX + name);
    if (s === null) return undefined;
    sessionStorage.removeItem(PREFIX + name);
    return JSON.parse(s) as T;
  } catch {
    return undefined;
  }
}
