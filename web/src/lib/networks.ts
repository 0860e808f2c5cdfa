// The 13 networks, read once: pages show a network's name wherever the API gives its resource name.
import { api, call, type Network } from "./api";

let networks: Promise<Network[]> | undefined;

export function allNetworks(): Promise<Network[]> {
  networks ??= call(() => api.GET("/v1/networks", { params: { query: { pageSize: 100 } } })).then(
    (r) => r.networks ?? [],
  );
  networks.catch(() => {
    networks = undefined;
  });
  return networks;
}
