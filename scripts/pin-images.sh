#!/usr/bin/env bash
# Pins every third-party base image of the distributed shape by digest: deploy/Dockerfile's build
# and runtime images, the NATS and PostgreSQL images of docker-compose.yml, the NATS image of
# deploy/k8s. Each "name:tag" (or "name:tag@sha256:old") becomes "name:tag@sha256:<digest>", the
# digest of the tag's multi-platform index as the registry serves it now; the tag stays for the
# reader. Run it where a registry is reachable, review the diff, commit; run it again to refresh.
#   scripts/pin-images.sh           rewrite the files
#   scripts/pin-images.sh --check   only fail when an image is not pinned
# Needs one of: crane (go install github.com/google/go-containerregistry/cmd/crane), skopeo,
# or docker buildx.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

files=(deploy/Dockerfile docker-compose.yml deploy/k8s/base/nats/nats.yaml)
# The images, as the files name them (FROM and image: lines), without a digest.
images() {
	grep -hoE '^(FROM|[[:space:]]*image:)[[:space:]]+[a-z0-9./-]+:[A-Za-z0-9._-]+(@sha256:[0-9a-f]{64})?' "${files[@]}" |
		awk '{print $NF}' | sed 's/@sha256:.*//' | grep -v '^vif/' | sort -u
}

digest() {
	if command -v crane >/dev/null; then crane digest "$1"
	elif command -v skopeo >/dev/null; then skopeo inspect --raw "docker://$1" | sha256sum | sed 's/^/sha256:/; s/ .*//'
	elif docker buildx version >/dev/null 2>&1; then docker buildx imagetools inspect "$1" --format '{{json .Manifest.Digest}}' | tr -d '"'
	else echo "pin-images: need crane, skopeo or docker buildx" >&2; return 1
	fi
}

if [ "${1:-}" = "--check" ]; then
	status=0
	for f in "${files[@]}"; do
		if grep -nE '^(FROM|[[:space:]]*image:)[[:space:]]+[a-z0-9./-]+:[A-Za-z0-9._-]+([[:space:]]|$)' "$f" | grep -v 'image: vif/'; then
			echo "pin-images: $f names an image by tag only" >&2; status=1
		fi
	done
	exit $status
fi

for ref in $(images); do
	d=$(digest "$ref")
	[[ $d =~ ^sha256:[0-9a-f]{64}$ ]] || { echo "pin-images: $ref: unexpected digest $d" >&2; exit 1; }
	echo "$ref@$d"
	for f in "${files[@]}"; do
		sed -i -E "s#([[:space:]])${ref//./\\.}(@sha256:[0-9a-f]{64})?([[:space:]]|\$)#\1${ref}@${d}\3#g" "$f"
	done
done
