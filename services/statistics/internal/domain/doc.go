// Package domain holds the statistics service's rules: periods and their roll-up, the counts a
// network reports and how they are checked, revisions, the national reference series, and how
// figures are protected before they leave the service. No SQL, no protobuf.
//
// Publication is explicit (release.go): an admin publishes a year's figures, and its current
// state becomes the year's next release, protected against every earlier one
// (Publisher.NextRelease) and recorded with its pattern. Readers not entitled to raw figures are
// answered from each year's latest release only (Publisher.UseReleases): before the first
// publication a year has no figure for them; after it they see the release, whatever was
// submitted since, until the next. A coordinator sees their own network raw and live, an admin
// everything. Reads never compute a protection: they read the pattern the release recorded.
package domain
