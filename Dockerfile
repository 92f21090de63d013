# TokenBoard Team Edition server image.
#
#   docker build -t tokenboard .
#   docker run -p 8080:8080 -v tokenboard:/data tokenboard
#
# The base image is a build argument so the image can be built from a local stand-in
# (scripts/test-docker.sh does that) or a mirror of node:22-bookworm-slim.
ARG NODE_IMAGE=node:22-bookworm-slim

# ---- build: compile TypeScript, bundle the agent, keep production dependencies only ----
FROM ${NODE_IMAGE} AS build
# sqlite3 is a native addon: node-gyp needs these when no prebuilt binary can be fetched
# (the compile's intermediate files are dropped after the build; only the .node stays).
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# valibot names typescript as an optional peer, so the lockfile marks it devOptional and
# `npm prune --omit=dev` keeps it: the runtime never compiles, so it is removed by hand.
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && rm -rf node_modules/typescript node_modules/.bin/tsc node_modules/.bin/tsserver \
 && test -f dist/src/cli.js \
 && if [ -f node_modules/sqlite3/build/Release/node_sqlite3.node ]; then \
      find node_modules/sqlite3/build/Release -mindepth 1 -maxdepth 1 ! -name node_sqlite3.node -exec rm -rf {} + ; \
    fi

# ---- runtime ----
FROM ${NODE_IMAGE}
# Port 8080 and host 0.0.0.0 are the server's defaults; PORT or TOKENBOARD_SERVER_PORT
# (which wins) change the port, and any other setting works as TOKENBOARD_<SECTION>_<KEY>.
ENV NODE_ENV=production \
    TOKENBOARD_SERVER_DATA_DIR=/data
# A dedicated unprivileged account with a fixed id, so volume ownership stays stable.
RUN groupadd --system --gid 10001 tokenboard \
 && useradd --system --uid 10001 --gid tokenboard --home-dir /app --no-create-home \
            --shell /usr/sbin/nologin tokenboard \
 && mkdir -p /data \
 && chown tokenboard:tokenboard /data
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
COPY --from=build /app/views ./views
COPY --from=build /app/public ./public
COPY --from=build /app/config.example.toml ./
# The SQLite database and the generated secret_key live here: keep it on a volume.
VOLUME ["/data"]
USER tokenboard
EXPOSE 8080
# No curl in slim images: ask Node. Probes loopback unless the server is bound to one address.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const e=process.env,h=e.TOKENBOARD_SERVER_HOST,host=!h||h==='0.0.0.0'||h==='::'?'127.0.0.1':h.includes(':')?'['+h+']':h;fetch('http://'+host+':'+(e.TOKENBOARD_SERVER_PORT||e.PORT||8080)+'/healthz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]
CMD ["node", "dist/src/cli.js", "serve"]
