// A scope's yearly trend (a network, or the département as networks/-) and its comparison with
// the national series, as the statistics API gives them to the public: protected figures.
import { api, call, type NationalComparison, type Series } from "./api";

/** The years of the seeded reports, shown until the reader picks others. */
export const FIRST_YEAR = "2017";
export const LAST_YEAR = "2023";

export type Trend = { series: Series; comparison: NationalComparison };

/**
 * Reads the series, then the comparison. The years are sent as typed: the API judges them, and
 * its errors name start_period / end_period (or start_year / end_year), which the form shows
 * next to its fields.
 */
export async function loadTrend(network: string, start: string, end: string): Promise<Trend> {
  const series = await call(() =>
    api.GET("/v1/networks/{network}/series", {
      params: {
        path: { network },
        query: { granularity: "GRANULARITY_YEAR", startPeriod: start, endPeriod: end },
      },
    }),
  );
  const comparison = await call(() =>
    api.GET("/v1/networks/{network}/nationalComparison", {
      params: { path: { network }, query: { startYear: Number(start), endYear: Number(end) } },
    }),
  );
  return { series, comparison };
}
