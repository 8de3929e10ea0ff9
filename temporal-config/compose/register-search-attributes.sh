#!/bin/sh
# Waits for the Temporal frontend, creates the namespace and registers the custom search attributes
# given as NAME=Type arguments (e.g. ApprovalAssignees=KeywordList). Safe to re-run: anything that
# already exists is left as it is. Runs in temporalio/admin-tools (the `temporal` CLI).
# Env: TEMPORAL_ADDRESS (default temporal:7233), TEMPORAL_NAMESPACE (default "default").
set -eu

ADDRESS="${TEMPORAL_ADDRESS:-temporal:7233}"
NAMESPACE="${TEMPORAL_NAMESPACE:-default}"
ATTEMPTS="${SETUP_ATTEMPTS:-60}"

# retry <what> <command...>: until the command succeeds or reports that its object already exists.
retry() {
  what=$1
  shift
  attempt=1
  while :; do
    if output=$("$@" 2>&1); then
      echo "$what: done"
      return 0
    fi
    case "$output" in
      *"already exists"* | *"AlreadyExists"*) echo "$what: already exists"; return 0 ;;
    esac
    if [ "$attempt" -ge "$ATTEMPTS" ]; then
      echo "$what: failed after $attempt attempts: $output" >&2
      return 1
    fi
    attempt=$((attempt + 1))
    sleep 2
  done
}

retry "cluster health" temporal operator cluster health --address "$ADDRESS"
retry "namespace $NAMESPACE" temporal operator namespace create --address "$ADDRESS" --namespace "$NAMESPACE"

for pair in "$@"; do
  name=${pair%%=*}
  type=${pair#*=}
  if [ -z "$name" ] || [ "$name" = "$pair" ] || [ -z "$type" ]; then
    echo "expected NAME=Type, got '$pair'" >&2
    exit 1
  fi
  # A namespace just created reaches the frontend's namespace cache within seconds: retried meanwhile.
  retry "search attribute $name ($type)" \
    temporal operator search-attribute create --address "$ADDRESS" --namespace "$NAMESPACE" --name "$name" --type "$type"
done

echo "namespace $NAMESPACE ready with $# custom search attributes"
