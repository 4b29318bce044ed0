#!/usr/bin/env bash
# Start N dashboard processes on consecutive ports of 127.0.0.1, for deploy/nginx.conf, with the API
# (Datasette on the public data, 127.0.0.1:8001 under /api/) and one process for embedded pages
# (127.0.0.1:8509 under /embed/).
#
#   deploy/processes.sh [N] [FIRST_PORT]      defaults: 2 processes from 8501 (8501, 8502)
#   API_PORT=8001 EMBED_PORT=8509             the other two ports (as in deploy/nginx.conf)
#
# Each process is started as `make run` starts the app, plus the address: only nginx is reached
# from outside. Runs in the foreground; when one process exits the others are stopped and the
# script exits non-zero, so a supervisor (systemd `Restart=always`, or a container's) restarts the set.
set -euo pipefail
cd "$(dirname "$0")/.."

n=${1:-2}
first=${2:-8501}
api_port=${API_PORT:-8001}
embed_port=${EMBED_PORT:-8509}
python=${PYTHON:-.venv/bin/python}
# The Sources page links to the API, and gives the iframe of an embedded page, at these paths.
export IBCR_API_URL=/api/ IBCR_EMBED_PATH=/embed/
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
"${launch[@]}" --server.port "$embed_port" --server.address 127.0.0.1 --server.headless true --server.baseUrlPath embed &
pids+=($!)
# The API builds the public SQLite file of the current version and starts again on each new one.
"$python" -m ibcr_opendata api --host 127.0.0.1 --port "$api_port" --base-url /api/ &
pids+=($!)
echo "started ${n} processes on 127.0.0.1:${first}-$((first + n - 1)), embeds on ${embed_port}, the API on ${api_port}: ${pids[*]}"
wait -n
echo "a dashboard process exited; stopping the others" >&2
exit 1
