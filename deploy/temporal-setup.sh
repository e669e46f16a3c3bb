#!/bin/sh
# One-shot Temporal setup for Recoil's production stack. docker-compose.yml runs it inside
# temporalio/admin-tools; the deploy test (npm run test:deploy) runs the same script natively, with the
# same tools on PATH (temporal-sql-tool and temporal, built at the compose file's versions).
#   temporal-setup.sh schema      create or upgrade the Postgres schemas (before the server starts)
#   temporal-setup.sh namespace   create the namespace and Recoil's search attributes (once it serves)
# Every step is idempotent, so it runs safely on every `docker compose up`.
# schema reads POSTGRES_SEEDS, DB_PORT, POSTGRES_USER, POSTGRES_PWD; namespace reads TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE.
set -eu

# The password travels in the environment the tool reads, not on a command line `ps` shows.
sql_tool() {
  SQL_PASSWORD="$POSTGRES_PWD" temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

# $1: database name, $2: the schema embedded in temporal-sql-tool (no schema files needed on disk)
setup_database() {
  sql_tool --db "$1" create
  sql_tool --db "$1" setup-schema -v 0.0
  sql_tool --db "$1" update-schema --schema-name "$2"
}

schema() {
  setup_database temporal postgresql/v12/temporal
  setup_database temporal_visibility postgresql/v12/visibility
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

# Keep in sync with src/temporal/search-attributes.ts (test/compose.test.ts checks it).
create_search_attributes() {
  temporal operator search-attribute create --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" \
    --name RecoilProject --type Keyword \
    --name RecoilEpisode --type Keyword \
    --name RecoilSequence --type Keyword \
    --name RecoilState --type Keyword \
    --name RecoilCostUsd --type Double
}

namespace() {
  retry 60 temporal operator cluster health --address "$TEMPORAL_ADDRESS"
  temporal operator namespace describe --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE" >/dev/null 2>&1 ||
    temporal operator namespace create --address "$TEMPORAL_ADDRESS" --namespace "$TEMPORAL_NAMESPACE"
  retry 30 create_search_attributes
}

case "${1:-}" in
  schema) schema ;;
  namespace) namespace ;;
  *) echo "usage: $0 schema|namespace" >&2; exit 2 ;;
esac
