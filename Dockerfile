# syntax=docker/dockerfile:1
# One image for the four Node processes of the orchestrator. docker-compose.yml picks the process
# with `command:`:
#   worker           node lib/workers/main.js        (the default below)
#   notify receiver  node lib/notify-receiver/main.js
#   codec server     node lib/codec-server/main.js
#   sandbox          node lib/sandbox/main.js
# The image also holds the operators' CLI, lib/cli/main.js.
# Settings come from the environment (.env.example); keys are mounted as files under /run/secrets/.

ARG NODE_IMAGE=node:20-slim

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
# `node` (uid 1000) comes with the base image; compose may run as another uid (APP_UID), which
# needs nothing more than read access to /app.
USER node
# sandbox, notify receiver, worker metrics (Prometheus /metrics)
EXPOSE 8090 8091 8888 9464
CMD ["node", "lib/workers/main.js"]
