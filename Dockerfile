# infoline — the OZP IVR. Three stages: build (TypeScript → dist/), production dependencies
# (no dev packages, no lifecycle scripts except better-sqlite3's native build), and the
# runtime image that runs compiled JS as the non-root user `node`.
#
#   docker build -t infoline .
#   docker run -p 3000:3000 -e TWILIO_AUTH_TOKEN=… -e PUBLIC_URL=https://ivr.example.org \
#     -v infoline-data:/app/data infoline
#
# scripts/docker-steps.sh runs the same steps as plain commands (npm run test:docker-steps).

ARG NODE_IMAGE=node:20-bookworm-slim

# --- 1. build: every dependency, compile src/ to dist/ ------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: the root `prepare` (tsc) needs the sources, copied below; no native
# module is needed to compile.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# The console's front end (compiled to dist/web) and the script that vendors Mermaid into it.
COPY web ./web
COPY scripts ./scripts
RUN npm run build

# --- 2. production dependencies only --------------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
# node-gyp's toolchain, only used when no better-sqlite3 prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# --ignore-scripts skips every lifecycle script: the root `prepare` (tsc is a dev dependency,
# absent here) and the dependencies' install scripts; better-sqlite3's native addon is then
# built (or its prebuilt binary fetched) explicitly.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm rebuild better-sqlite3 \
 && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get()" \
 && npm cache clean --force

# --- 3. runtime -----------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    HOST=0.0.0.0 \
    DATABASE_URL=/app/data/infoline.db \
    CONSENT_SPOOL_PATH=/app/data/consent-spool.db \
    INFOLINE_CONFIG_DIR=/app/config-dir
WORKDIR /app
COPY --from=prod-deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /src/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root web/public ./web/public
# The embedded defaults (used when the mounted config dir is missing or invalid) …
COPY --chown=root:root flows ./flows
COPY --chown=root:root prompts ./prompts
COPY --chown=root:root config ./config
# … and the same files as the initial content of the supervisors' config volume.
COPY --chown=node:node flows /app/config-dir/flows
COPY --chown=node:node prompts /app/config-dir/prompts
COPY --chown=node:node config /app/config-dir/config
RUN mkdir -p /app/data && chown node:node /app/data
USER node
VOLUME ["/app/data", "/app/config-dir"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "dist/server.js"]
