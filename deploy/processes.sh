#!/usr/bin/env bash
# Start N dashboard processes on consecutive ports of 127.0.0.1, for deploy/nginx.conf.
#
#   deploy/processes.sh [N] [FIRST_PORT]      defaults: 2 processes from 8501 (8501, 8502)
#
# Each process is started as `make run` starts the app, plus the address: only nginx is reached
# from outside. Runs in the foreground; when one process exits the others are stopped and the
# script exits non-zero, so a supervisor (systemd `Restart=always`, or a container's) restarts the set.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-2}
first=${2:-8501}
python=${PYTHON:-.venv/bin/python}
# The launcher `make run` uses: `streamlit run app.py` (the dashboard behind its guards) plus loading the
# data as the server starts.
launch=("$python" -m ibcr_ui.serve)

pids=()
stop() { [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true; }
trap stop EXIT
trap 'exit 143' INT TERM
for ((i = 0; i < n; i++)); do
    "${launch[@]}" --server.port $((first + i)) --server.address 127.0.0.1 --server.headless true &
    pids+=($!)
done
echo "started ${n} processes on 127.0.0.1:${first}-$((first + n - 1)): ${pids[*]}"
wait -n
echo "a dashboard process exited; stopping the others" >&2
exit 1
