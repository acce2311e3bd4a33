# syntax=docker/dockerfile:1
# The two Agentry images, from one build:
#
#   docker build --target agent-runtime -t ghcr.io/agentry-dev/agent-runtime:0.1.0 .   # declarative agents' pods
#   docker build -t ghcr.io/agentry-dev/agentry:0.1.0 .                                 # the operator (last stage)
#
# Stages on the same Node.js LTS base: `build` compiles the TypeScript with the dev dependencies;
# `production-dependencies` installs the production dependencies only (at the lockfile's versions);
# each image takes those and the compiled dist/.
#
# The base is pinned by tag and by digest (the multi-arch image index of that tag, so amd64 and
# arm64 builds both resolve it): a rebuild gets the same bytes, and a re-pushed tag is not picked
# up silently. To bump it, change the version in every FROM and in .nvmrc (test/unit/hack/
# test-node.test.ts keeps them equal: `npm test` runs jest on that Node.js), and take the new
# digest from the registry (the "Digest:" line of the index, not one platform's manifest):
#
#   docker buildx imagetools inspect node:24.11.1-bookworm-slim
#
# Dependabot (.github/dependabot.yml, ecosystem "docker", majors ignored: only even majors become
# LTS) opens the FROM change, digest included; its pull request fails CI until .nvmrc follows.

FROM node:24.11.1-bookworm-slim@sha256:48abc13a19400ca3985071e287bd405a1d99306770eb81d61202fb6b65cf0b57 AS build
WORKDIR /app
COPY package.json package-lock.json ./
# The lockfile lists every platform's optional binaries (@swc/core-*), so npm ci installs exactly
# it. No dependency needs an install script; none gets to run one (the package's own `prepare`
# build is the RUN below).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24.11.1-bookworm-slim@sha256:48abc13a19400ca3985071e287bd405a1d99306770eb81d61202fb6b65cf0b57 AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

# The agent runtime: what a Declarative Agent's pod runs. The operator renders only the arguments
# (--config /etc/agentry/agent.json --agent-card /etc/agentry/agent-card.json); the root filesystem
# is read-only in the pod, and the runtime writes nothing (a /tmp emptyDir is mounted for Node).
FROM node:24.11.1-bookworm-slim@sha256:48abc13a19400ca3985071e287bd405a1d99306770eb81d61202fb6b65cf0b57 AS agent-runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY --from=build /app/dist ./dist
# The base image's unprivileged "node" user, by number so that the kubelet can check runAsNonRoot.
USER 1000:1000
# A2A JSON-RPC, the agent card, /healthz, /readyz and /metrics.
EXPOSE 8080
ENTRYPOINT ["node", "/app/bin/agentry.js", "runtime"]

# The operator (the default target).
FROM node:24.11.1-bookworm-slim@sha256:48abc13a19400ca3985071e287bd405a1d99306770eb81d61202fb6b65cf0b57 AS operator
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY --from=build /app/dist ./dist
# The code stays root-owned: the operator cannot modify itself.
USER 1000:1000
# /metrics, /healthz and /readyz (agentry run --probe-address).
EXPOSE 8081
# V8 tuned for a small, steady heap: at 5,000 Agents peak RSS 284 -> 186 MiB, for more CPU while
# converging (README "Performance"; hack/bench/operator-build.ts IMAGE_NODE_FLAGS must match).
ENTRYPOINT ["node", "--optimize-for-size", "--max-semi-space-size=2", "/app/bin/agentry.js"]
CMD ["run"]
