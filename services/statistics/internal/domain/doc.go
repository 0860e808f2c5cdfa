// Package domain holds the statistics service's rules: periods and their roll-up, the counts a
// network reports and how they are checked, revisions, the national reference series, and how
// figures are protected before they leave the service. No SQL, no protobuf.
package domain
