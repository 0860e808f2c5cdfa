#!/usr/bin/env bash
# Regenerates services/directory/internal/refdata/dept71.json (the communes of
# Saône-et-Loire and their EPCIs) from the npm package
# @etalab/decoupage-administratif at a pinned version.
#
# Usage: scripts/refdata.sh            (from anywhere; needs npm, tar and go)
#
# The output is deterministic: rerunning the script gives a byte-identical
# file. networks.json, next to it, is hand-written and not touched here.
set -euo pipefail

PACKAGE="@etalab/decoupage-administratif"
VERSION="6.0.0"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${repo_root}/services/directory/internal/refdata/dept71.json"

for tool in npm tar go; do
	command -v "$tool" >/dev/null 2>&1 || { echo "refdata.sh: $tool is required" >&2; exit 1; }
done

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "refdata.sh: fetching ${PACKAGE}@${VERSION}" >&2
tarball="$(cd "$tmp" && npm pack --silent "${PACKAGE}@${VERSION}" | tail -n 1)"
[[ -f "${tmp}/${tarball}" ]] || { echo "refdata.sh: npm pack did not produce a tarball (got '${tarball}')" >&2; exit 1; }
tar -xzf "${tmp}/${tarball}" -C "$tmp"

communes="${tmp}/package/data/communes.json"
epci="${tmp}/package/data/epci.json"
for f in "$communes" "$epci"; do
	[[ -f "$f" ]] || { echo "refdata.sh: $f not found in ${PACKAGE}@${VERSION}" >&2; exit 1; }
done

# Check that the tarball really is the pinned version.
got="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "${tmp}/package/package.json")"
[[ "$got" == "$VERSION" ]] || { echo "refdata.sh: expected version ${VERSION}, package.json says '${got}'" >&2; exit 1; }

cd "$repo_root"
go run ./tools/refdata -communes "$communes" -epci "$epci" -version "$VERSION" -o "$out"
