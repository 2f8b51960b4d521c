#!/usr/bin/env bash
# Stops every server under DIR and removes DIR: the PIDs in DIR's *.pid files, and any server whose command line
# names a file under DIR (one that had not written its PID file yet). Throwaway data: SIGKILL at once (on SIGTERM
# a memstore OSD first dumps its whole store to disk, ~5 s). Waits until they are gone; a zombie counts as gone.
# The scripts that started them (ceph-cluster.sh, radosgw.sh, redis.sh) see their server exit, reap it and end.
# Usage: stop-servers.sh DIR
set -u
D=${1:?usage: stop-servers.sh DIR}; D=${D%/}
alive() { local stat; read -r stat 2>/dev/null < "/proc/$1/stat" || return 1; stat=${stat##*) }; [ "${stat%% *}" != Z ]; }
naming_dir() {
  local p comm
  for p in /proc/[0-9]*; do
    read -r comm 2>/dev/null < "$p/comm" || continue
    case $comm in ceph-mon|ceph-osd|radosgw|redis-server|ceph|radosgw-admin|monmaptool) ;; *) continue ;; esac
    tr '\0' '\n' 2>/dev/null < "$p/cmdline" | grep -qF "$D/" && echo "${p#/proc/}"
  done
}
# (DIR may be gone already while servers naming it still run)
pids=$( { [ -d "$D" ] && find "$D" -name '*.pid' -type f -exec cat {} + 2>/dev/null; naming_dir; } | grep -E '^[0-9]+$' | sort -u)
if [ -n "$pids" ]; then
  kill -9 $pids 2>/dev/null
  for i in $(seq 1 200); do
    left=; for p in $pids; do alive "$p" && left="$left $p"; done
    [ -z "$left" ] && break; sleep 0.05
  done
  [ -n "$left" ] && echo "stop-servers.sh: still running 10 s after SIGKILL:$left" >&2
fi
rm -rf "$D"
