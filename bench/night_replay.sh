#!/bin/bash
# Replay one city night through the real DAG from a saved state, for old/new comparisons on the
# same data back to back (this machine's speed drifts by ±15 % within an hour: compare pairs).
#
#   bench/night_replay.sh SNAPSHOT LANDING HOME AS_OF LABEL [REPO]
#
# SNAPSHOT: a copy of a city home's warehouse/ airflow/ quarantine/ exports/ dbt/ and archive/
#   (the archive may be hard links: the purge replaces files, never writes into them);
# LANDING: a landing/ tree of one synthesized day (bench_city.py --stage synth --years 0.00274);
# REPO: the checkout whose code runs (default: this one; another worktree runs the old code).
# Prints the DAG run (start_run → finish_run), per-task seconds and the purge's own timings.
set -euo pipefail
snap=$1; landing=$2; home=$3; as_of=$4; label=$5
repo=${6:-$(cd "$(dirname "$0")/.." && pwd)}
here=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$home"/{warehouse,airflow,archive,quarantine,exports,dbt,landing}
mkdir -p "$home"
cp -a "$snap"/{warehouse,airflow,quarantine,exports,dbt} "$home"/
cp -al "$snap"/archive "$home"/archive
cp -a "$landing" "$home"/landing
export PDGOV_HOME=$home PDGOV_HMAC_KEY=${PDGOV_HMAC_KEY:-pdgov-bench-key-not-for-production-0123456789}
export PYTHONPATH=$repo/include
log=$home/../night_$label.log
"$here"/.venv/bin/python "$repo"/bench/bench_city.py --stage airflow-night --as-of "$as_of" --run-id "$label" > "$log" 2>&1
grep 'start_run → finish_run' "$log"
sqlite3 "$home"/airflow/airflow.db "select task_id, round((julianday(end_date)-julianday(start_date))*86400,1)
  from task_instance where run_id = (select run_id from dag_run order by id desc limit 1) order by start_date" |
  awk -F'|' '{ if ($1 ~ /^dbt_/) dbt += $2; else printf "%s %s; ", $1, $2 } END { print "dbt tasks", dbt }'
grep -o "'plan_seconds': [0-9.]*\|'files_seconds': [0-9.]*\|'rebuild_seconds': [0-9.]*" "$log" | tr '\n' ' '; echo
