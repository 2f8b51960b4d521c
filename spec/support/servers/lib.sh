# Sourced by the server scripts of this folder (ceph-cluster.sh, radosgw.sh, redis.sh). Each of them runs its
# servers in the foreground as its own children, prints one line once they answer, then stays until
#   - it gets SIGTERM, SIGINT or SIGHUP,
#   - its owner is gone (OWNER_PID, by default the process that started the script: a test run killed outright
#     cannot clean up, so its scripts do; an owner of 1 means none: run until a signal), or
#   - one of its servers exits (killed by PID by stop-servers.sh, or crashed),
# and then SIGKILLs its servers (throwaway data), reaps them and cleans up (`cleanup`, defined by the script).
# Being the servers' parent matters: a daemonized server is re-parented to PID 1, which in our containers never
# reaps, so once killed it would stay a zombie that `ps` and `pgrep` still list.
set -euo pipefail

OWNER=${OWNER_PID:-$PPID}
SERVERS=()
SLEEPER=

# Whether PID runs; a zombie does not.
alive() { local stat; read -r stat 2>/dev/null < "/proc/$1/stat" || return 1; stat=${stat##*) }; [ "${stat%% *}" != Z ]; }

# A TCP port of 127.0.0.1 that was free a moment ago.
free_port() { node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'; }

# launch PIDFILE LOGFILE COMMAND [ARGS...]: runs COMMAND in the background as our child, its PID in PIDFILE.
launch() {
  local pidfile=$1 log=$2; shift 2
  "$@" </dev/null >>"$log" 2>&1 &
  SERVERS+=("$!")
  echo "$!" > "$pidfile"
}

# Whether something answers HTTP on 127.0.0.1:PORT.
http_answers() {
  ( exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 && read -r -t 5 reply <&3 && [[ $reply == HTTP/1.?\ * ]] ) 2>/dev/null
}

# Whether a Redis server answers PING on 127.0.0.1:PORT.
redis_answers() {
  ( exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'PING\r\n' >&3 && read -r -t 5 reply <&3 && [[ $reply == +PONG* ]] ) 2>/dev/null
}

# until_up TRIES SECONDS DESCRIPTION COMMAND...: retries COMMAND; fails with DESCRIPTION when it never succeeds,
# when one of our servers exited meanwhile (a port taken after all, a bad configuration: its log says why), or when
# the owner is gone (no use starting further).
until_up() {
  local tries=$1 pause=$2 what=$3 pid i; shift 3
  for ((i = 0; i < tries; i++)); do
    "$@" && return 0
    alive "$OWNER" || { echo "$what: PID $OWNER, which the servers were for, is gone" >&2; return 1; }
    for pid in "${SERVERS[@]}"; do alive "$pid" || { echo "$what: a server exited (PID $pid)" >&2; return 1; }; done
    sleep "$pause"
  done
  echo "$what: not within $tries tries" >&2
  return 1
}

# Stays until a signal, the owner is gone or a server exits (see the top of this file).
serve() {
  local pid
  while alive "$OWNER"; do
    for pid in "${SERVERS[@]}"; do alive "$pid" || { echo "$(basename "$0"): server PID $pid exited" >&2; return 1; }; done
    sleep 1 & SLEEPER=$!
    wait -n "$SLEEPER" "${SERVERS[@]}" 2>/dev/null || true   # wakes up at once when a server exits or a signal comes
  done
}

finish() {
  local status=$?
  trap - EXIT TERM INT HUP
  # our servers, the sleeper and any step still running in the background; quietly (bash reports each as Killed)
  local children; children=$(jobs -p)
  exec 3>&2 2>/dev/null
  [ -n "$children" ] && kill -9 $children
  wait || true
  exec 2>&3 3>&-
  cleanup || true
  exit "$status"
}
trap finish EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP
