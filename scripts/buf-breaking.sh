#!/usr/bin/env bash
# buf breaking for make lint: the protos must not break what was published before. Against, in
# this order: $BUF_BREAKING_AGAINST (any buf input), the newest release tag (v*), main~1, HEAD~1
# (CI's clone is of main, so HEAD~1 is main~1 there), each read from git history with git archive
# (a worktree or a shallow clone of depth 2 is enough). A clone without that history (depth 1)
# falls back to proto/breaking/baseline.binpb, the image `make proto-baseline` commits at each
# release, so that the check never silently turns itself off.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
baseline=proto/breaking/baseline.binpb

if [ -n "${BUF_BREAKING_AGAINST:-}" ]; then
	echo "buf breaking against $BUF_BREAKING_AGAINST" >&2
	exec buf breaking --against "$BUF_BREAKING_AGAINST"
fi
ref=
for candidate in $(git tag --list 'v*' --sort=-v:refname 2>/dev/null | head -n 1) main~1 HEAD~1; do
	if git rev-parse --verify -q "$candidate^{commit}" >/dev/null && git cat-file -e "$candidate:buf.yaml" 2>/dev/null; then
		ref=$candidate
		break
	fi
done
if [ -z "$ref" ]; then
	# An image holds the workspace as one module: compare it with an image of the workspace.
	echo "buf breaking: no release tag, main~1 or HEAD~1 in this clone (shallow?): against $baseline" >&2
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	buf build -o "$tmp/current.binpb"
	exec buf breaking "$tmp/current.binpb" --against "$baseline"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git archive "$ref" buf.yaml proto/vif proto/third_party | tar -x -C "$tmp"
echo "buf breaking against $ref ($(git rev-parse --short "$ref"))" >&2
buf breaking --against "$tmp"
