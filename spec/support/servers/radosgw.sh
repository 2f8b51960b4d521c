#!/usr/bin/env bash
# One more radosgw gateway, named NAME, on 127.0.0.1:PORT, in the cluster ceph-cluster.sh runs in DIR; or the same
# gateway again after it was stopped (same NAME and PORT: the cluster kept its data). Prints
# `S3_ENDPOINT=http://127.0.0.1:PORT` once it answers, then runs until stopped (see lib.sh). Killing the gateway's
# PID (DIR/rgw-NAME.pid) stops it, as does SIGTERM to this script.
# Usage: [OWNER_PID=pid] radosgw.sh DIR NAME PORT
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
D=${1:?usage: radosgw.sh DIR NAME PORT}; D=${D%/}; NAME=${2:?name}; PORT=${3:?port}
cleanup() { rm -f "$D/rgw-$NAME.pid"; }
C="$D/ceph.conf"
[ -f "$C" ] || { echo "radosgw.sh: no cluster in $D (no $C)" >&2; exit 1; }
# no garbage collection here (the cluster's first gateway does it): it works under locks that a gateway a test
# kills would keep until they time out
# tcp_nodelay=1: see ceph-cluster.sh (small responses would wait about 40 ms on delayed ACKs)
launch "$D/rgw-$NAME.pid" "$D/log/rgw-$NAME.out" radosgw -f -c "$C" -n "client.rgw.$NAME" --rgw_frontends "beast endpoint=127.0.0.1:$PORT tcp_nodelay=1" \
  --rgw_enable_gc_threads false
until_up 480 0.25 "radosgw $NAME did not answer on 127.0.0.1:$PORT" http_answers "$PORT" \
  || { tail -20 "$D/log/client.rgw.$NAME.log" >&2; exit 1; }
echo "S3_ENDPOINT=http://127.0.0.1:$PORT"
serve
