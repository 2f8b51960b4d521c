#!/usr/bin/env bash
# A throwaway single-node Ceph cluster with an S3 gateway, for tests, on 127.0.0.1: one monitor, one OSD keeping
# its data in memory (memstore), the gateway's pools, one radosgw gateway (instance "a") and one S3 user.
# Prints `S3_ENDPOINT=http://127.0.0.1:PORT S3_KEY=... S3_SECRET=...` once the gateway answers, then runs until
# stopped (see lib.sh): SIGTERM/SIGINT/SIGHUP, its owner gone, or one of its daemons exited. Then it stops every
# server under DIR (also gateways radosgw.sh added) and removes DIR.
# Usage: [OWNER_PID=pid] ceph-cluster.sh DIR [MON_PORT] [GATEWAY_PORT]   (a port left out is picked free)
# Needs, as root: apt-get install -y --no-install-recommends ceph-mon ceph-osd radosgw ceph-common
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/lib.sh"
D=${1:?usage: ceph-cluster.sh DIR [MON_PORT] [GATEWAY_PORT]}; D=${D%/}
cleanup() { "$HERE/stop-servers.sh" "$D"; }
MON_PORT=${2:-$(free_port)}; GATEWAY_PORT=${3:-$(free_port)}
T0=$(date +%s%N); ts() { echo "[$(( ($(date +%s%N) - T0) / 1000000 )) ms] $*" >&2; }
mkdir -p "$D"/{mon,osd/ceph-0,run,log,rgw}
FSID=$(cat /proc/sys/kernel/random/uuid)
C="$D/ceph.conf"
cat > "$C" <<CONF
[global]
fsid = $FSID
mon_host = [v1:127.0.0.1:$MON_PORT]
public_addr = 127.0.0.1
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
run_dir = $D/run
admin_socket = $D/run/\$name.asok
log_file = $D/log/\$name.log
keyring = /dev/null
osd_pool_default_size = 1
osd_pool_default_min_size = 1
mon_allow_pool_size_one = true
mon_allow_pool_delete = true
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
mon_max_pg_per_osd = 1000
osd_crush_chooseleaf_type = 0
mon_warn_on_pool_no_redundancy = false
mon_data_avail_warn = 2
mon_data_avail_crit = 1
ms_bind_msgr2 = false
[mon]
mon_data = $D/mon/\$cluster-\$id
mon_initial_members = a
# one monitor: commit each change at once instead of gathering changes for a second (pools, OSD boot)
paxos_propose_interval = 0.01
paxos_min_wait = 0.01
[osd]
osd_data = $D/osd/\$cluster-\$id
osd_objectstore = memstore
memstore_device_bytes = 4294967296
osd_max_object_size = 134217728
# the OSD would otherwise send crush-update commands at boot, which intermittently fail with "wrong fsid" and kill
# it; we add it to the crush map ourselves below
osd_crush_update_on_start = false
osd_class_update_on_start = false
[client]
rgw_data = $D/rgw
rgw_dns_name = 127.0.0.1
# A gateway with a metadata cache tells every other gateway of each change (creating a bucket, ...) and waits for
# their answers: once a test has killed its own gateway, that wait took 30 s (until the OSD drops the dead
# gateway's watch). Without the cache nothing is waited for, and every gateway reads fresh metadata.
rgw_cache_enabled = false
# Deleting a bucket takes the lock of its lifecycle shard, which every gateway's lifecycle thread takes in turn
# (between 00:00 and 06:00): a gateway killed holding it stalled bucket deletions for up to 90 s. Tests need
# neither lifecycle rules run nor buckets resharded (which takes locks too).
rgw_enable_lc_threads = false
rgw_dynamic_resharding = false
CONF
ceph_() { ceph -c "$C" --connect-timeout 15 "$@"; }
monmaptool --create --clobber --fsid "$FSID" --addv a "[v1:127.0.0.1:$MON_PORT]" "$D/monmap" >/dev/null
ceph-mon -c "$C" --mkfs -i a --monmap "$D/monmap" >/dev/null
launch "$D/mon.pid" "$D/log/mon.out" ceph-mon -f -c "$C" -i a
ts mon started
# right after it starts, `ceph` may fail with EPERM: wait until the monitor answers commands
until_up 120 0.25 "ceph-mon on 127.0.0.1:$MON_PORT did not answer" ceph_ mon stat >/dev/null \
  || { tail -20 "$D/log/mon.a.log" >&2; exit 1; }
OSD_UUID=$(cat /proc/sys/kernel/random/uuid)
until_up 5 0.5 "ceph osd create failed" ceph_ osd create "$OSD_UUID" >/dev/null   # -> osd id 0
ceph-osd -c "$C" -i 0 --mkfs --osd-uuid "$OSD_UUID" >/dev/null 2>&1
ceph_ osd crush add osd.0 1.0 host=localhost root=default >/dev/null 2>&1
launch "$D/osd.pid" "$D/log/osd.out" ceph-osd -f -c "$C" -i 0
# the gateway's pools, created up front (radosgw would otherwise create them one by one at start, first bucket
# and first object: ~2 s each) by one `ceph` reading the commands from stdin, while the OSD boots
for pool in .rgw.root default.rgw.log default.rgw.control default.rgw.meta default.rgw.buckets.index default.rgw.buckets.data default.rgw.buckets.non-ec; do
  printf 'osd pool create %s 8 8\nosd pool application enable %s rgw\n' "$pool" "$pool"
done > "$D/pools.commands"
ceph_ < "$D/pools.commands" >"$D/log/pools.out" 2>&1 &
pools=$!
osd_up() { ceph_ osd stat 2>/dev/null | grep -q "1 up"; }
until_up 120 0.5 "ceph-osd did not come up" osd_up || { tail -20 "$D/log/osd.0.log" >&2; exit 1; }
ts osd up
wait "$pools" || { echo "creating the gateway's pools failed:" >&2; cat "$D/log/pools.out" >&2; exit 1; }
ts pools created
# tcp_nodelay=1: without it the gateway's small responses wait on the client's delayed ACK (Nagle), about 40 ms a
# request here (a GET of a 100-byte object took 48 ms, of a 5 MB one 25 ms); S3 itself answers such requests at once.
launch "$D/rgw-a.pid" "$D/log/rgw-a.out" radosgw -f -c "$C" -n client.rgw.a --rgw_frontends "beast endpoint=127.0.0.1:$GATEWAY_PORT tcp_nodelay=1"
until_up 480 0.25 "radosgw did not answer on 127.0.0.1:$GATEWAY_PORT" http_answers "$GATEWAY_PORT" \
  || { tail -20 "$D/log/client.rgw.a.log" >&2; exit 1; }
ts gateway answering
radosgw-admin -c "$C" user create --uid=artiflow --display-name=artiflow --access-key=ARTIFLOWTESTKEY --secret-key=ARTIFLOWTESTSECRET >/dev/null
ts user created
echo "S3_ENDPOINT=http://127.0.0.1:$GATEWAY_PORT S3_KEY=ARTIFLOWTESTKEY S3_SECRET=ARTIFLOWTESTSECRET"
serve
