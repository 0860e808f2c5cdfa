// The console's entry: the DSFR (its styles, the Marianne and Spectral fonts, its icons, its
// script for the header menu), then the app. Everything is bundled by Vite and served by the
// gateway: no CDN.
import "@gouvfr/dsfr/dist/dsfr.min.css";
import "@gouvfr/dsfr/dist/dsfr.module.min.js";
import { mount } from "svelte";
import App from "./App.svelte";
import { router } from "./lib/router.svelte";
import { session } from "./lib/session.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("index.html has no #app");
mount(App, { target });

// Back from the login page: the code is exchanged, and the reader is where they were.
void session.start().then((back) => {
  if (back) router.go(back);
});
