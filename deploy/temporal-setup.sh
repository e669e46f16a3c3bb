#!/bin/sh
# One-shot Temporal setup for docker-compose.yml, run inside temporalio/admin-tools.
#   temporal-setup.sh schema      create or upgrade the Postgres schemas (before the server starts)
#   temporal-setup.sh namespace   create the namespace and Recoil's search attributes (once it serves)
# Every step is idempotent, so it runs safely on every `docker compose up`.
set -eu

SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12

sql_tool() {
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" \
    -u "$POSTGRES_USER" --pw "$POSTGRES_PWD" "$@"
}

# $1: database name, $2: schema folder under $SCHEMA_ROOT
setup_database() {
  sql_tool --db "$1" create
  sql_tool --db "$1" setup-schema -v 0.0
  sql_tool --db "$1" update-schema -d "$SCHEMA_ROOT/$2/versioned"
}

schema() {
  setup_database temporal temporal
  setup_database temporal_visibility visibility
}

# $1: attempts; the rest: the command. Covers a server still warming up and namespace-cache lag.
retry() {
  attempts=$1
  shift
  until "$@"; do
    attempts=$((attempts - 1))
    if [ "$attempts" -le 0 ]; then
      echo "giving up: $*" >&2
      return 1
    fi
    sleep 2
  done
}

namespace() {
  retry 60 temporal operator cluster health --address "$TEMPORAL_ADDRESS"
  temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1 ||
    temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE"
  # Keep in sync with src/temporal/search-attributes.ts (test/compose.test.ts checks it).
  retry 30 temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" \
    --name RecoilProject --type Keyword \
    --name RecoilEpisode --type Keyword \
    --name RecoilSequence --type Keyword \
    --name RecoilState --type Keyword \
    --name RecoilCostUsd --type Double
}

case "${1:-}" in
  schema) schema ;;
  namespace) namespace ;;
  *) echo "usage: $0 schema|namespace" >&2; exit 2 ;;
esac
