#!/bin/sh
# SeaweedFS for Recoil's artifacts (docs/storage.md): master, volume, filer and S3 gateway in one
# `weed mini` process, with one identity whose keys come from the environment and the bucket made
# at start. docker-compose.yml runs it in the seaweedfs service; `npm run test:deploy` runs it
# natively, adding port flags after these.
set -eu
if [ -z "${RECOIL_S3_SECRET_KEY:-}" ]; then
  echo "set RECOIL_S3_SECRET_KEY (and RECOIL_S3_ACCESS_KEY_ID) for the artifacts bucket; the workers use the same pair" >&2
  exit 2
fi
config="${SEAWEEDFS_DIR:-/data}/recoil-s3.json"
mkdir -p "${SEAWEEDFS_DIR:-/data}"
umask 077
printf '{"identities":[{"name":"recoil","credentials":[{"accessKey":"%s","secretKey":"%s"}],"actions":["Admin","Read","Write","List","Tagging"]}]}\n' \
  "${RECOIL_S3_ACCESS_KEY_ID:-recoil}" "$RECOIL_S3_SECRET_KEY" > "$config"
# WebDAV, the Iceberg and Lance catalogs and the legacy admin port are not used by Recoil; nor is the
# master's anonymous usage report sent (a test run or a studio's bucket is nobody else's business).
exec weed mini -dir="${SEAWEEDFS_DIR:-/data}" -bucket="${RECOIL_S3_BUCKET:-recoil}" -s3.config="$config" \
  -webdav=false -s3.port.iceberg=0 -s3.port.lance=0 -admin.port.legacy=0 -master.telemetry=false "$@"
