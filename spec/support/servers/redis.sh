#!/usr/bin/env bash
# A throwaway redis-server on 127.0.0.1:PORT for tests: no persistence, no eviction (BullMQ needs noeviction).
# Prints `REDIS_URL=redis://127.0.0.1:PORT` once it answers PING, then runs until stopped (see lib.sh), and then
# removes DIR. Killing the server's PID (DIR/redis.pid) stops it, as does SIGTERM to this script.
# Usage: [OWNER_PID=pid] redis.sh DIR [PORT]   (a port left out is picked free)
# Needs, as root: apt-get install -y --no-install-recommends redis-server
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
D=${1:?usage: redis.sh DIR [PORT]}; D=${D%/}
cleanup() { rm -rf "$D"; }
PORT=${2:-$(free_port)}
mkdir -p "$D"
# --set-proc-title no keeps DIR in its command line, where stop-servers.sh looks
launch "$D/redis.pid" "$D/redis.out" redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --maxmemory-policy noeviction --set-proc-title no --dir "$D/" --logfile "$D/redis.log"
until_up 400 0.025 "redis-server did not answer on 127.0.0.1:$PORT" redis_answers "$PORT" || { tail -5 "$D/redis.log" >&2; exit 1; }
echo "REDIS_URL=redis://127.0.0.1:$PORT"
serve
