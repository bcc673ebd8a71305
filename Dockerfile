# syntax=docker/dockerfile:1
# One image for the four Node processes of the orchestrator. docker-compose.yml picks the process
# with `command:`:
#   worker           node lib/workers/main.js        (the default below)
#   notify receiver  node lib/notify-receiver/main.js
#   codec server     node lib/codec-server/main.js
#   sandbox          node lib/sandbox/main.js
# The image also holds the operators' CLI, lib/cli/main.js.
# Settings come from the environment (.env.example); keys are mounted as files under /run/secrets/.

# Node 24, an LTS release supported until April 2028 (Node 20 left support in April 2026), pinned by
# digest so every build starts from the same bytes: node:24-bookworm-slim as of Node 24.18.0.
# To move it, `docker buildx imagetools inspect node:24-bookworm-slim` prints the current digest;
# update it here and test/unit/docker-compose.test.ts checks the form.
ARG NODE_IMAGE=node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d

# ---- build: every dependency, the TypeScript build and the prebuilt workflow bundle
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The manifests first, so the dependency layer stays cached until they change.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# tsc to lib/ and the workflow bundle to lib/workflow-bundle.js; then drop the dev dependencies.
RUN npm run build \
 && test -f lib/workflow-bundle.js \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: compiled code and production dependencies only, run as a non-root user
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/lib ./lib
# openssl: `docker compose run --rm dev-secrets` makes the codec server's development certificate with it.
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssl \
 && rm -rf /var/lib/apt/lists/*
# `node` (uid 1000) comes with the base image; compose may run as another uid (APP_UID), which
# needs nothing more than read access to /app.
USER node
# sandbox, notify receiver, worker metrics (Prometheus /metrics)
EXPOSE 8090 8091 8888 9464
CMD ["node", "lib/workers/main.js"]
