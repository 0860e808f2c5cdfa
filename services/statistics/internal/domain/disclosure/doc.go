// Package disclosure decides which cells of a published table of counts must be hidden so that no
// victim can be singled out: no hidden count can be recomputed, and none can be bounded more
// tightly than a protection level, by the public or by a respondent who knows their own counts.
//
// # The rule
//
// A [Table] is a list of non-negative counts tied by additive [Relation]s: row and column totals,
// a grand total, the sub-totals of a period hierarchy (months → quarters → year), a breakdown
// summing to its total. [Protect] hides:
//
//   - primary cells: every count from 1 to threshold-1 ([DefaultThreshold] is 5; 0 is published);
//   - complementary (secondary) cells: enough other cells that no hidden cell can be recomputed
//     exactly from the published cells and the relations.
//
// A hidden cell is a flag in the result, never a fake number: the service prints "hidden" (or
// the statistician's usual symbol) instead of the value.
//
// # The criterion
//
// Exact derivability: hidden cell i is determined when the unit vector e_i lies in the row space
// of the relations' coefficient matrix restricted to the hidden columns; equivalently, when every
// real solution of the relations that agrees with the published cells gives cell i the same
// value. [Derivable] computes this with exact integer elimination (never floats). [Protect]'s
// result makes Derivable empty, and tests use Derivable as the oracle (itself checked against
// certified witnesses, see the tests).
//
// [Disclosed] is a slightly stronger check, meant as the service's last safety net before
// publishing: it also lets the attacker use non-negativity in the one case the product names. When
// a relation's total is known and equals the sum of its known parts, its hidden parts sum to 0,
// so each of them is 0; those cells then count as known and the analysis starts again, to a
// fixed point. A primary cell (≥ 1) can never be forced this way, but a hidden 0 could, and it
// could then unlock another cell. Protect avoids the whole case by never hiding a 0: every
// hidden cell of its result is ≥ 1, so the hidden parts of any relation sum to at least 1 and
// Disclosed equals Derivable on its output.
//
// # The heuristic of Protect
//
// Optimal secondary suppression is an integer programme; Protect is a greedy, deterministic,
// safe approximation:
//
//  1. Hide the primary cells.
//  2. While some primary cell is derivable: its derivation is a combination of relations that
//     expresses it from published cells. Among the published cells those derivations use (the
//     cells of the relations that expose it), hide the smallest positive count, ties broken by
//     lowest index. Zeros are never chosen (see above); a derivation of a count ≥ 1 always uses
//     a published count ≥ 1, so each step hides a new cell and the loop ends.
//  3. Publish again every complementary cell that has become derivable: an attacker knows it
//     already, hiding it protects nothing and loses information.
//  4. Pruning: try to publish each complementary cell again, largest count first (ties by
//     lowest index); keep it published if no primary cell becomes derivable. Because publishing
//     more never makes fewer cells derivable, a cell refused once stays needed, so the result is
//     locally minimal: publishing any single complementary cell would expose a primary one.
//
// It is not optimal (it may hide more, or larger, counts than a solver would), only safe and
// reproducible: the same table always gives the same result.
//
// # Building tables
//
// [Grid] builds rows × columns with row totals, column totals and the grand total; [Tree] builds a
// tree of sums (12 months → 4 quarters → 1 year, several levels allowed); [Cross] builds the
// cross product of two trees, which is the shape of a breakdown by periods that roll up: for
// every row node and every column node there is one cell, every cell of an inner row node is the
// sum of its children's cells in the same column, and every cell of an inner column node is the
// sum of its children's cells in the same row. A Grid is the Cross of two one-level trees.
//
// To build another shape by hand, put each distinct figure in Cells exactly once and write every
// additive relation against those indexes. The rule that matters: a figure that appears in two
// relation sets is the SAME cell index in both. In a breakdown × months table whose months roll
// up, the cell "physical violence, March" is a part of the row relation (physical violence, Q1)
// and of the column relation (total, March); if it were copied into two cells, each relation set
// would be protected alone and a hidden cell could be recovered by combining them.
//
// # Protection intervals (Widen)
//
// Exact derivability ignores that counts are non-negative integers: two hidden counts of 1 whose
// sum a published total gives as 2 are each known to lie in [0, 2]. [Widen] runs after Protect
// and closes that gap. For each [Attacker] (the public, who knows the published cells; a
// respondent, who also knows some cells raw and their own part of others) and each hidden free
// cell whose value less the attacker's own part is v ≥ 1, it finds two witnesses: exact integer
// shifts of hidden cells that keep every relation, every value ≥ 0 (and ≥ the attacker's own
// part) and every cell the attacker knows, one lowering the cell by min(v, level) and one raising
// it by level − min(v, level) (or, if it cannot go down, one raising it by level). It hides the
// published cells a witness has to move. So, whatever the attacker computes, linear programming
// included, the cell's feasible interval is at least level wide (usually down to 0 for a count
// below level); with level ≥ threshold−1, as the service uses it, a small count is never pinned
// inside 1..threshold−1.
//
// Witnesses are found by a bounded depth-first search for short cycles (the rectangles of a
// two-way table), then by linear programming (a dense simplex, cheapest shift first); whatever
// either finds is checked exactly, in integers, before it is used, so floating point never
// decides what is safe. A witness carried from a coarser table (Carried) is extended once for
// all the attackers it serves when one extension holds against them all, and an extension of
// the same fixed cells is reused: a year of 100 networks carries thousands of them. The tests
// check the result with an independent attacker (package attack: the feasible interval of every
// hidden cell by linear programming, itself checked against exhaustive integer search).
//
// Zeros are not protected: a hidden 0 (Widen may hide one when nothing less will do) can be
// derivable, e.g. every quarter of a bucket whose published year is 0. That tells nothing about
// anyone.
//
// # The guarantee, precisely
//
// The statistics service (package domain) builds one Table per year and states the guarantee
// for it; in this package's terms:
//
//   - Attacker: anyone who reads every published cell of every linked table, knows every
//     relation, that counts are non-negative integers, and computes each hidden cell's feasible
//     interval (linear programming, bounds rounded inward, as package attack does). A
//     respondent (Attacker with Known and Own) also knows their own cells raw and their part of
//     every total.
//   - Linked tables: all the cells that relations tie together are one Table; for the service,
//     a year's figures at every granularity and scope (département and networks, series and
//     reports), and, across releases, the union of every release's table, a figure unchanged
//     between two releases being one cell.
//   - What holds: every hidden cell whose value, less the attacker's own part, is v ≥ 1 keeps a
//     feasible interval at least the protection level wide (with level ≥ threshold−1 never
//     inside 1..threshold−1), shown by integer witnesses. Two exceptions, both telling the
//     attacker nothing new: a hidden 0 may be derivable (a 0 is no one's count), and a cell
//     marked Exempt for a respondent, whose part not theirs they already knew before this table
//     was published (an earlier release gave it to them), gets no interval against them.
//
// # Known limits
//
//   - The attacker's integrality is used only by rounding the linear bounds: on tables whose
//     relations are not totally unimodular an integer programme could in principle bound a cell
//     more tightly than the witnesses show. The witnesses themselves are integer solutions, so
//     the stated interval is always attained by integer values.
//   - The relations given are all the attacker is assumed to know. Tables published separately
//     but sharing totals (the same network by sex and by age band) must be protected as one
//     Table, or a hidden cell may be recovered by differencing across them. Successive
//     releases of a table are tied together by the caller, as one Table: the service's domain
//     puts every release's cells in it, the earlier releases' published cells MustPublish (see
//     the domain's release.go).
//   - Only counts are protected (threshold rule); magnitude tables and dominance rules are not.
//   - Protect redoes a dense elimination at each step; it is meant for the service's tables
//     (hundreds of cells: a 13-category breakdown by 12 months → quarters → year, 238 cells,
//     takes about 5 ms; see bench_test.go), not for tables of tens of thousands of cells.
package disclosure
