#!/usr/bin/env bash
# Proves the Docker image works (`npm run test:docker`; .ci/run calls it). As root:
#   1. installs docker.io + debootstrap if missing and starts a private Docker engine
#      (its own data/exec roots and socket; no bridge, no iptables);
#   2. builds a local stand-in for node:22-bookworm-slim (no registry images can be pulled
#      here): debootstrap minbase bookworm + the official Node 22 binary from the npm
#      package node@22 + this machine's npm, CA bundle and Node headers;
#   3. builds the real Dockerfile with --build-arg NODE_IMAGE=local/node:22;
#   4. runs it with host networking on a free loopback port and a named volume, waits for
#      200 from /healthz, creates a user, a token and a usage event, restarts the container,
#      then replaces it by a new one on the same volume, and checks the data each time;
#   5. removes everything it started (containers, images, volume, engine, temp dirs),
#      also on failure, and ends with `docker: 1 passed, 0 failed` (or 0 passed, 1 failed).
# Host networking only: every request goes to 127.0.0.1.
#
# Environment:
#   TOKENBOARD_DOCKER_CACHE  where the debootstrap tarball is kept between runs
#                            (default /var/cache/tokenboard-docker; empty = no cache)
#   TOKENBOARD_DOCKER_KEEP=1 keep the work dir (logs) after a failure
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
T0=$SECONDS

log() { printf '[docker %3ds] %s\n' "$((SECONDS - T0))" "$*"; }
fail() { log "FAIL: $*"; exit 1; }

IMAGE=tokenboard-test
BASE_IMAGE=local/node:22
CONTAINER=tokenboard-test
VOLUME=tokenboard-test-data
CACHE_DIR=${TOKENBOARD_DOCKER_CACHE-/var/cache/tokenboard-docker}
SUITE=bookworm
DEBIAN_MIRROR=${TOKENBOARD_DEBIAN_MIRROR:-http://deb.debian.org/debian}

WORK=
DOCKER=docker
DOCKERD_PID=
PASSED=0

# ---------------------------------------------------------------------------- cleanup
cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  if [ -n "$WORK" ]; then
    if [ -n "$DOCKERD_PID" ] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
      log "cleanup: removing container, volume and images"
      "$DOCKER" rm -f "$CONTAINER" >/dev/null 2>&1
      "$DOCKER" volume rm -f "$VOLUME" >/dev/null 2>&1
      "$DOCKER" rmi -f "$IMAGE" "$BASE_IMAGE" >/dev/null 2>&1
      "$DOCKER" image prune -f >/dev/null 2>&1
      log "cleanup: stopping dockerd (pid $DOCKERD_PID)"
      kill "$DOCKERD_PID" 2>/dev/null
      for _ in $(seq 1 60); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.5; done
      if kill -0 "$DOCKERD_PID" 2>/dev/null; then
        log "cleanup: dockerd did not stop in 30 s; killing it"
        kill -9 "$DOCKERD_PID" 2>/dev/null
      fi
      wait "$DOCKERD_PID" 2>/dev/null
    fi
    umount "$WORK/exec/netns/default" 2>/dev/null
    # Anything else still mounted under the work dir (overlays of a killed engine, an
    # interrupted debootstrap's /proc): deepest first.
    awk -v w="$WORK/" 'index($2, w) == 1 { print $2 }' /proc/self/mounts | sort -r |
      while read -r m; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
    if [ "$rc" -ne 0 ] && [ "${TOKENBOARD_DOCKER_KEEP:-}" = 1 ]; then
      log "cleanup: keeping $WORK for inspection (TOKENBOARD_DOCKER_KEEP=1)"
    else
      rm -rf "$WORK"
    fi
  fi
  log "done in $((SECONDS - T0)) s"
  if [ "$rc" -eq 0 ] && [ "$PASSED" -eq 1 ]; then
    echo "docker: 1 passed, 0 failed"
    exit 0
  fi
  echo "docker: 0 passed, 1 failed"
  [ "$rc" -eq 0 ] && rc=1
  exit "$rc"
}
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT TERM

# ---------------------------------------------------------------------------- helpers
# Free TCP port on loopback.
free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# GET URL; prints "STATUS BODY" (status 000 when nothing answers).
http_get() {
  node -e "
    fetch(process.argv[1], { signal: AbortSignal.timeout(3000) })
      .then(async r => console.log(r.status + ' ' + (await r.text()).trim()))
      .catch(() => console.log('000'))" "$1"
}

# Signed POST /api/ingest as DESIGN.md's ingest contract says; prints "STATUS BODY".
ingest() { # URL USER_ID TOKEN BODY
  node -e "
    const crypto = require('node:crypto');
    const [url, user, token, body] = process.argv.slice(1);
    const ts = String(Date.now());
    const sha = crypto.createHash('sha256').update(body).digest('hex');
    const sig = crypto.createHmac('sha256', token).update(ts + '.' + sha).digest('hex');
    fetch(url, { method: 'POST', body, signal: AbortSignal.timeout(5000),
      headers: { 'content-type': 'application/json', 'x-ta-user': user, 'x-ta-ts': ts, 'x-ta-sig': sig } })
      .then(async r => console.log(r.status + ' ' + (await r.text()).trim()))
      .catch(e => console.log('000 ' + e.message))" "$@"
}

# Reads one field of a JSON document given on stdin.
json_field() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const v=JSON.parse(s)[process.argv[1]];console.log(typeof v==='object'?JSON.stringify(v):v)})" "$1"; }

tb() { "$DOCKER" exec "$CONTAINER" node dist/src/cli.js "$@"; }

container_running() { [ "$("$DOCKER" inspect -f '{{.State.Running}}' "$CONTAINER" 2>/dev/null)" = true ]; }

show_container_logs() {
  log "container logs (last 40 lines):"
  "$DOCKER" logs --tail 40 "$CONTAINER" 2>&1 | sed 's/^/    /'
}

# Waits (bounded) for 200 {"ok":true} from /healthz.
wait_healthz() { # LABEL
  local deadline=$((SECONDS + 60)) got
  while :; do
    got=$(http_get "$URL/healthz")
    case "$got" in
      200*'"ok":true'*) log "$1: GET /healthz -> $got"; return 0 ;;
    esac
    if ! container_running; then show_container_logs; fail "$1: the container stopped before /healthz answered"; fi
    if [ "$SECONDS" -ge "$deadline" ]; then show_container_logs; fail "$1: no 200 from $URL/healthz within 60 s (last: $got)"; fi
    sleep 0.5
  done
}

# Waits (bounded) for Docker's own HEALTHCHECK to report healthy.
wait_healthy() {
  local deadline=$((SECONDS + 60)) state
  while :; do
    state=$("$DOCKER" inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$CONTAINER")
    case "$state" in
      healthy) log "HEALTHCHECK reports healthy"; return 0 ;;
      none) fail "the image has no HEALTHCHECK" ;;
    esac
    if [ "$SECONDS" -ge "$deadline" ]; then
      "$DOCKER" inspect -f '{{json .State.Health}}' "$CONTAINER"
      fail "HEALTHCHECK did not report healthy within 60 s (state: $state)"
    fi
    sleep 1
  done
}

run_container() {
  "$DOCKER" run -d --name "$CONTAINER" --network host \
    -v "$VOLUME:/data" \
    -e TOKENBOARD_SERVER_PORT="$PORT" -e TOKENBOARD_SERVER_HOST=127.0.0.1 \
    --health-interval=2s --health-timeout=5s --health-retries=3 \
    "$IMAGE" >/dev/null
}

# ---------------------------------------------------------------------------- 0. checks
[ "$(id -u)" = 0 ] || fail "must run as root (it installs packages and starts a Docker engine)"
command -v node >/dev/null || fail "node is needed on the host"
command -v npm >/dev/null || fail "npm is needed on the host"
[ -f Dockerfile ] || fail "no Dockerfile in $ROOT"

# ---------------------------------------------------------------------------- 1. engine
if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
  log "installing docker.io and debootstrap (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends docker.io debootstrap >/dev/null
fi
[ -x /usr/bin/docker ] && DOCKER=/usr/bin/docker   # the client that matches Debian's dockerd

WORK=$(mktemp -d /tmp/tb-docker.XXXXXX)
mkdir -p "$WORK/docker" "$WORK/exec" "$WORK/client"
echo '{}' >"$WORK/daemon.json"
export DOCKER_HOST="unix://$WORK/docker.sock"
export DOCKER_CONFIG="$WORK/client"
unset DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_CERT_PATH

log "starting dockerd (private roots under $WORK)"
dockerd --config-file "$WORK/daemon.json" \
  --data-root "$WORK/docker" --exec-root "$WORK/exec" \
  --host "$DOCKER_HOST" --pidfile "$WORK/dockerd.pid" \
  --bridge=none --iptables=false >"$WORK/dockerd.log" 2>&1 &
DOCKERD_PID=$!

# Meanwhile: the Node 22 binary (npm package node@22) into a temp dir. The npm_* variables
# that `npm run` exports (npm_config_allow_scripts among them) must not reach this npm.
log "fetching Node 22 (npm package node@22)"
mkdir -p "$WORK/node22"
echo '{"name":"tb-docker-node22","private":true}' >"$WORK/node22/package.json"
(
  cd "$WORK/node22"
  unset $(compgen -e | grep '^npm_') 2>/dev/null || true
  npm install --no-audit --no-fund --no-save --loglevel=error node@22 >"$WORK/node22.log" 2>&1
) || { cat "$WORK/node22.log"; fail "npm install node@22 failed"; }
NODE22="$WORK/node22/node_modules/node/bin/node"
if [ ! -x "$NODE22" ]; then
  # node@22 places the binary with an install script; if that did not run, take the same
  # binary from its platform package directly.
  case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) arch=$(uname -m) ;; esac
  ver=$(node -p "require('$WORK/node22/node_modules/node/package.json').version")
  log "node@22's install script did not place bin/node; unpacking node-linux-$arch@$ver"
  (
    cd "$WORK/node22"
    unset $(compgen -e | grep '^npm_') 2>/dev/null || true
    npm pack --silent "node-linux-$arch@$ver" >pack.txt && mkdir -p pkg && tar -xzf "$(tail -1 pack.txt)" -C pkg
  ) || fail "npm pack node-linux-$arch@$ver failed"
  NODE22="$WORK/node22/pkg/package/bin/node"
fi
NODE22_VERSION=$("$NODE22" --version) || fail "the Node 22 binary does not run"
case "$NODE22_VERSION" in v22.*) ;; *) fail "expected Node 22, got $NODE22_VERSION" ;; esac
log "Node $NODE22_VERSION"

for _ in $(seq 1 120); do
  "$DOCKER" version >/dev/null 2>&1 && break
  kill -0 "$DOCKERD_PID" 2>/dev/null || { tail -30 "$WORK/dockerd.log"; fail "dockerd exited"; }
  sleep 0.5
done
"$DOCKER" version >/dev/null 2>&1 || { tail -30 "$WORK/dockerd.log"; fail "dockerd did not answer within 60 s"; }
log "dockerd $("$DOCKER" version -f '{{.Server.Version}}') is up (storage driver: $("$DOCKER" info -f '{{.Driver}}'))"

# ---------------------------------------------------------------------------- 2. base image
ROOTFS="$WORK/rootfs"
mkdir -p "$ROOTFS"
CACHED_TAR=
[ -n "$CACHE_DIR" ] && CACHED_TAR="$CACHE_DIR/debootstrap-$SUITE-minbase-$(dpkg --print-architecture).tar"
if [ -n "$CACHED_TAR" ] && [ -s "$CACHED_TAR" ] && tar -C "$ROOTFS" --numeric-owner -xpf "$CACHED_TAR" 2>/dev/null \
   && [ -x "$ROOTFS/usr/bin/apt-get" ]; then
  log "debian $SUITE minbase from cache ($CACHED_TAR)"
else
  rm -rf "$ROOTFS" && mkdir -p "$ROOTFS"
  log "debootstrap --variant=minbase $SUITE (about 30 s)"
  debootstrap --variant=minbase "$SUITE" "$ROOTFS" "$DEBIAN_MIRROR" >"$WORK/debootstrap.log" 2>&1 \
    || { tail -30 "$WORK/debootstrap.log"; fail "debootstrap failed"; }
  rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*
  if [ -n "$CACHED_TAR" ] && mkdir -p "$CACHE_DIR" 2>/dev/null; then
    tar -C "$ROOTFS" --numeric-owner -cf "$CACHED_TAR.tmp.$$" . && mv -f "$CACHED_TAR.tmp.$$" "$CACHED_TAR" \
      && log "cached the rootfs as $CACHED_TAR" || rm -f "$CACHED_TAR.tmp.$$"
  fi
fi

log "adding Node, npm, CA bundle and Node headers to the rootfs"
install -D -m 0755 "$NODE22" "$ROOTFS/usr/local/bin/node"
NPM_DIR="$(npm root -g 2>/dev/null)/npm"
[ -f "$NPM_DIR/bin/npm-cli.js" ] || fail "cannot find this machine's npm module (looked in $NPM_DIR)"
mkdir -p "$ROOTFS/usr/local/lib/node_modules"
cp -a "$NPM_DIR" "$ROOTFS/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$ROOTFS/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$ROOTFS/usr/local/bin/npx"
IMPORT_CHANGES=(--change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin'
                --change 'CMD ["node"]')
# This machine reaches the registry through a TLS proxy with its own CA.
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
  install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/tokenboard-test/ca-certificates.crt"
  IMPORT_CHANGES+=(--change 'ENV NODE_EXTRA_CA_CERTS=/etc/tokenboard-test/ca-certificates.crt')
fi
# node-gyp cannot download Node headers here; sqlite3 is an N-API addon, so these do.
[ -f /usr/include/node/node_api.h ] || fail "no Node headers in /usr/include/node (needed to compile sqlite3)"
mkdir -p "$ROOTFS/usr/local/include"
cp -a /usr/include/node "$ROOTFS/usr/local/include/node"
IMPORT_CHANGES+=(--change 'ENV npm_config_nodedir=/usr/local')
# The mirror may serve a snapshot whose Release files are past their Valid-Until date.
printf 'Acquire::Check-Valid-Until "false";\nAcquire::Check-Date "false";\n' \
  >"$ROOTFS/etc/apt/apt.conf.d/99tokenboard-test"

log "docker import $BASE_IMAGE"
tar -C "$ROOTFS" --numeric-owner -c . | "$DOCKER" import "${IMPORT_CHANGES[@]}" - "$BASE_IMAGE" >/dev/null \
  || fail "docker import failed"
rm -rf "$ROOTFS"
"$DOCKER" run --rm --network host "$BASE_IMAGE" sh -c 'node --version && npm --version' >"$WORK/base-check.txt" 2>&1 \
  || { cat "$WORK/base-check.txt"; fail "the stand-in base image cannot run node/npm"; }
log "base image: node $(sed -n 1p "$WORK/base-check.txt"), npm $(sed -n 2p "$WORK/base-check.txt")"

# ---------------------------------------------------------------------------- 3. build
log "DOCKER_BUILDKIT=0 docker build --network host --build-arg NODE_IMAGE=$BASE_IMAGE -t $IMAGE . (about 2-3 min)"
set +e
DOCKER_BUILDKIT=0 timeout 1200 "$DOCKER" build --network host --build-arg NODE_IMAGE="$BASE_IMAGE" -t "$IMAGE" "$ROOT" 2>&1 |
  tee "$WORK/build.log" | while IFS= read -r line; do
    case "$line" in "Step "*) log "  ${line:0:110}" ;; esac
  done
build_rc=${PIPESTATUS[0]}
set -e
if [ "$build_rc" -ne 0 ]; then
  if grep -q 'npm error code' "$WORK/build.log"; then
    # npm's usage text would push the reason out of a plain tail.
    log "npm's error:"; grep -m1 -A12 'npm error code' "$WORK/build.log" | sed 's/^/    /'
    tail -1 "$WORK/build.log" | sed 's/^/    /'
  else
    log "build output (last 40 lines):"; tail -40 "$WORK/build.log" | sed 's/^/    /'
  fi
  fail "docker build failed (exit $build_rc)"
fi
log "image built: $("$DOCKER" image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"

# ---------------------------------------------------------------------------- 4. run
PORT=$(free_port)
URL="http://127.0.0.1:$PORT"
log "docker run --network host -v $VOLUME:/data (server on 127.0.0.1:$PORT)"
"$DOCKER" volume create "$VOLUME" >/dev/null
run_container
wait_healthz "first start"
wait_healthy

uid=$("$DOCKER" exec "$CONTAINER" id -u)
[ "$uid" != 0 ] || fail "the server runs as root"
log "server runs as uid $uid ($("$DOCKER" exec "$CONTAINER" id -un))"
"$DOCKER" exec "$CONTAINER" sh -c '! test -e node_modules/typescript && ! test -e node_modules/ava' \
  || fail "the runtime image still has dev dependencies (typescript, ava)"

log "creating data: user, agent token, one usage event"
tb user add dockertest --role admin --name "Docker Test" >/dev/null || fail "tokenboard user add failed"
token_json=$(tb token create dockertest --name docker-test) || fail "tokenboard token create failed"
USER_ID=$(printf '%s' "$token_json" | json_field user_id)
TOKEN=$(printf '%s' "$token_json" | json_field token)
[ -n "$USER_ID" ] && [ -n "$TOKEN" ] || fail "token create printed no user_id/token: $token_json"
EVENT_TS=$(node -p 'Date.now()')
BODY="{\"events\":[{\"id\":\"docker-test-1\",\"ts\":$EVENT_TS,\"provider\":\"anthropic\",\"model\":\"claude-haiku-4-5\",\"is_local\":false,\"input_tokens\":1234,\"output_tokens\":567,\"cache_read_tokens\":0,\"cache_write_tokens\":0}]}"
got=$(ingest "$URL/api/ingest" "$USER_ID" "$TOKEN" "$BODY")
case "$got" in 200*'"accepted":1'*) log "POST /api/ingest -> $got" ;; *) fail "ingest: expected 200 accepted 1, got: $got" ;; esac

check_stats() { # LABEL
  local s events input
  s=$(tb stats dockertest --json) || fail "$1: tokenboard stats failed"
  events=$(printf '%s' "$s" | json_field events)
  input=$(printf '%s' "$s" | json_field input_tokens)
  [ "$events" = 1 ] && [ "$input" = 1234 ] || fail "$1: expected 1 event and 1234 input tokens, stats says: $s"
  log "$1: stats dockertest -> events=$events input_tokens=$input"
}
check_stats "before restart"
KEY_SUM=$("$DOCKER" exec "$CONTAINER" sha256sum /data/secret_key | cut -d' ' -f1) || fail "no /data/secret_key"
log "data dir: $("$DOCKER" exec "$CONTAINER" ls /data | tr '\n' ' ')"

check_persisted() { # LABEL
  local sum got
  wait_healthz "$1"
  check_stats "$1"
  sum=$("$DOCKER" exec "$CONTAINER" sha256sum /data/secret_key | cut -d' ' -f1)
  [ "$sum" = "$KEY_SUM" ] || fail "$1: /data/secret_key changed"
  # The token is stored encrypted with the secret key: a signed ping proves both survived,
  # and the replayed event id counts as a duplicate, not a second event.
  got=$(ingest "$URL/api/ingest" "$USER_ID" "$TOKEN" '{"events":[]}')
  case "$got" in 200*) ;; *) fail "$1: signed ping with the old token: $got" ;; esac
  got=$(ingest "$URL/api/ingest" "$USER_ID" "$TOKEN" "$BODY")
  case "$got" in 200*'"duplicates":1'*) ;; *) fail "$1: resending the event: expected 200 with 1 duplicate, got: $got" ;; esac
  check_stats "$1"
  log "$1: secret_key unchanged, old token accepted, event not counted twice"
}

stop_container() { # LABEL
  local t=$SECONDS code
  "$DOCKER" stop -t 20 "$CONTAINER" >/dev/null
  code=$("$DOCKER" inspect -f '{{.State.ExitCode}}' "$CONTAINER")
  log "$1: docker stop took $((SECONDS - t)) s, exit code $code"
  [ "$code" != 137 ] || fail "$1: the server ignored SIGTERM and was killed"
}

stop_container "restart"
"$DOCKER" start "$CONTAINER" >/dev/null
check_persisted "after restart"

log "replacing the container by a new one on the same volume"
stop_container "replace"
"$DOCKER" rm "$CONTAINER" >/dev/null
run_container
check_persisted "new container"

PASSED=1
log "PASS: image builds, serves /healthz, runs unprivileged, keeps its data in $VOLUME"
