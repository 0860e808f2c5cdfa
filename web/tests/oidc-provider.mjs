// An independent OpenID provider for vif's tests: oidc-provider (OpenID Certified), pinned in
// package-lock.json. The Go tests start it with node, one process per provider, and stop it.
//
// Settings come from the environment:
//   PORT       the port to listen on (127.0.0.1)
//   JWKS       a file with the provider's private JSON Web Key Set
//   CLIENTS    a JSON array: {client_id, client_secret, claims, ttl, alg, audience}, one per role;
//              a client_credentials token of that client carries its claims
//   AUDIENCE   the audience of the access tokens (the API), unless a client says another
// It prints "ready <issuer>" once it listens.
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const jwks = JSON.parse(readFileSync(process.env.JWKS, "utf8"));
const clients = JSON.parse(process.env.CLIENTS);
const byId = new Map(clients.map((c) => [c.client_id, c]));

const provider = new Provider(issuer, {
  jwks,
  clients: clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret,
    grant_types: ["client_credentials"],
    redirect_uris: [],
    response_types: [],
    token_endpoint_auth_method: "client_secret_post",
  })),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => process.env.AUDIENCE,
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resource, client) => {
        const c = byId.get(client.clientId);
        return {
          scope: "api",
          audience: c.audience ?? process.env.AUDIENCE,
          accessTokenTTL: c.ttl ?? 300,
          accessTokenFormat: "jwt",
          jwt: { sign: { alg: c.alg ?? "RS256" } },
        };
      },
    },
  },
  extraTokenClaims: (ctx, token) => byId.get(token.clientId)?.claims ?? {},
});
provider.proxy = false;
const server = provider.listen(port, "127.0.0.1", () => console.log(`ready ${issuer}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
