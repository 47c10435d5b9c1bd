#!/usr/bin/env bash
# Startup-time comparison of podswitch-cni JVM flag sets against the stock CNI plugins.
# Usage: cni-plugin/bench/startup-bench.sh [runs]   (after `mvn -o -pl cni-plugin package`)
# Prints one line per case: median, p90 and min wall time in ms over RUNS runs.
# Needs: the stock plugins from `apt-get install containernetworking-plugins` (optional).
set -euo pipefail
RUNS=${1:-20}
HERE=$(cd "$(dirname "$0")/.." && pwd)
JAVA=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java
JAR=$HERE/target/podswitch-cni-0.1.0-SNAPSHOT.jar
WORK=$(mktemp -d /tmp/psw-cni-bench.XXXX)
SOCK=$WORK/podswitchd.sock
DAEMON_PID=
cleanup() { [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

"$JAVA" -cp "$HERE/target/classes:$HERE/target/test-classes" io.podswitch.cni.FakeDaemon "$SOCK" >/dev/null &
DAEMON_PID=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done

echo '{"cniVersion":"1.1.0"}' > "$WORK/version.json"
echo '{"cniVersion":"1.1.0","name":"podnet","type":"podswitch"}' > "$WORK/add.json"
cat > "$WORK/hostlocal.json" <<JSON
{"cniVersion":"1.0.0","name":"podnet","type":"host-local","ipam":{"type":"host-local",
 "subnet":"10.99.0.0/16","dataDir":"$WORK/hl"}}
JSON
ADD_ENV="CNI_COMMAND=ADD CNI_CONTAINERID=bench CNI_NETNS=/proc/self/ns/net CNI_IFNAME=eth0 PODSWITCH_SOCKET=$SOCK"

LOG="-Xlog:disable -Xlog:all=warning:stderr"
BASE="$LOG -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xms8m -Xmx64m -XX:-UsePerfData -Xss512k"
declare -A FLAGS=(
  [plain]=""
  [xshare-off]="-Xshare:off"
  [tiered1]="-XX:TieredStopAtLevel=1"
  [serialgc-smallheap]="-XX:+UseSerialGC -Xms8m -Xmx64m"
  [appcds]="$LOG -XX:SharedArchiveFile=$WORK/app.jsa -XX:+AutoCreateSharedArchive"
  [aotcache]="$LOG -XX:AOTCache=$WORK/app.aot"
  [base]="$BASE"
  [base+appcds]="$BASE -XX:SharedArchiveFile=$WORK/base.jsa -XX:+AutoCreateSharedArchive"
  [base+aotcache]="$BASE -XX:AOTCache=$WORK/base.aot"
)
ORDER="plain xshare-off tiered1 serialgc-smallheap appcds aotcache base base+appcds base+aotcache"

# Training runs: the dynamic CDS archives are written at the first exit, the AOT caches by a
# dedicated training run (JDK 25, JEP 514). Train with ADD so the NIO/HTTP path is archived too.
env $ADD_ENV "$JAVA" $LOG -XX:SharedArchiveFile=$WORK/app.jsa -XX:+AutoCreateSharedArchive -jar "$JAR" < "$WORK/add.json" >/dev/null || true
env $ADD_ENV "$JAVA" $BASE -XX:SharedArchiveFile=$WORK/base.jsa -XX:+AutoCreateSharedArchive -jar "$JAR" < "$WORK/add.json" >/dev/null || true
env $ADD_ENV "$JAVA" $LOG -XX:AOTCacheOutput=$WORK/app.aot -jar "$JAR" < "$WORK/add.json" >/dev/null 2>&1 || true
env $ADD_ENV "$JAVA" $BASE -XX:AOTCacheOutput=$WORK/base.aot -jar "$JAR" < "$WORK/add.json" >/dev/null 2>&1 || true

# Cases run round-robin (run 1 of every case, then run 2 of every case, ...) so that a burst of load
# from other processes hits all cases alike. Per run we record wall time (fork to exit) and the
# child's CPU time (user+sys), which is far less sensitive to a busy machine than wall time.
CASES=()
add_case() { CASES+=("$1"); eval "CASE_INPUT_${#CASES[@]}=\$2"; shift 2; eval "CASE_CMD_${#CASES[@]}=(\"\$@\")"; }
for name in $ORDER; do add_case "VERSION $name" "$WORK/version.json" env CNI_COMMAND=VERSION "$JAVA" ${FLAGS[$name]} -jar "$JAR"; done
for name in $ORDER; do add_case "ADD $name" "$WORK/add.json" env $ADD_ENV "$JAVA" ${FLAGS[$name]} -jar "$JAR"; done
if [ -x /usr/lib/cni/bridge ]; then
  add_case "VERSION stock bridge" "$WORK/version.json" env CNI_COMMAND=VERSION /usr/lib/cni/bridge
  add_case "VERSION stock host-local" "$WORK/version.json" env CNI_COMMAND=VERSION /usr/lib/cni/host-local
  # A fresh container id per run (host-local refuses a duplicate allocation); costs one sh exec.
  add_case "ADD stock host-local (IPAM only)" "$WORK/hostlocal.json" env CNI_COMMAND=ADD \
    CNI_NETNS=/proc/self/ns/net CNI_IFNAME=eth1 CNI_PATH=/usr/lib/cni sh -c 'CNI_CONTAINERID=b$$ exec /usr/lib/cni/host-local'
fi
TIMEFORMAT='%3R %3U %3S'
for run in $(seq $((RUNS + 2))); do
  for i in $(seq ${#CASES[@]}); do
    eval "input=\$CASE_INPUT_$i; cmd=(\"\${CASE_CMD_$i[@]}\")"
    t=$( { time "${cmd[@]}" < "$input" > /dev/null 2>>"$WORK/stderr.log"; } 2>&1 ) || true
    [ "$run" -gt 2 ] && echo "$i $t" >> "$WORK/times"
  done
done
for i in $(seq ${#CASES[@]}); do
  awk -v i="$i" '$1 == i {print $2 * 1000, ($3 + $4) * 1000}' "$WORK/times" > "$WORK/case"
  wall=$(cut -d' ' -f1 "$WORK/case" | sort -n | awk '{a[NR]=$1} END {printf "%7.1f %7.1f", a[int((NR+1)/2)], a[1]}')
  cpu=$(cut -d' ' -f2 "$WORK/case" | sort -n | awk '{a[NR]=$1} END {printf "%7.1f", a[int((NR+1)/2)]}')
  set -- $wall
  printf '%-34s wall median %s ms  min %s ms   cpu median %s ms\n' "${CASES[$((i-1))]}" "$1" "$2" "$cpu"
done
echo "(load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores)"
