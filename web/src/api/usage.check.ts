// Compiled by `npm run typecheck`, never run: calls that a web client makes, written against the
// generated types. If the OpenAPI description lost a real path, a parameter, a required mark or a
// schema, this file stops compiling, and CI fails.
import { apiClient, fieldErrors, reason } from "./client";

const api = apiClient("", () => undefined);

export async function examples(): Promise<void> {
  const network = await api.GET("/v1/networks/{network}", { params: { path: { network: "chalonnais" } } });
  const name: string | undefined = network.data?.displayName;

  const commune = await api.GET("/v1/communes/{commune}", { params: { path: { commune: "71076" } } });
  const covering: string | undefined = commune.data?.network;

  // The dates of a count are required: leaving one out does not compile.
  const count = await api.GET("/v1/cessions:count", {
    params: {
      query: {
        "startDate.year": 2017, "startDate.month": 1, "startDate.day": 1,
        "endDate.year": 2023, "endDate.month": 12, "endDate.day": 31,
      },
    },
  });
  // @ts-expect-error startDate.* and endDate.* are required query parameters
  await api.GET("/v1/cessions:count", { params: { query: {} } });

  const signed = await api.POST("/v1/agreements/{agreement}:sign", {
    params: { path: { agreement: "iscg-louhannais-2024" } },
    body: { reference: "CONV-2024-03", signDate: { year: 2024, month: 2, day: 1 } },
  });
  const bad = fieldErrors(signed.error);
  const why: string | undefined = reason(signed.error);

  // The SCDL export is a CSV file, not JSON.
  const csv = await api.GET("/v1/agreements:export", { params: { query: { year: 2024 } }, parseAs: "text" });
  const text: string | undefined = csv.data;

  void [name, covering, count.data, bad, why, text];
}
