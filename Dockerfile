# syntax=docker/dockerfile:1
# The Agentry operator image:
#
#   docker build -t ghcr.io/agentry-dev/agentry:0.1.0 .
#
# Two stages on the same Node.js LTS base: `build` compiles the TypeScript with the dev
# dependencies; the runtime stage has the production dependencies only (at the
# lockfile's versions) and the compiled dist/. The base is pinned by tag; release pipelines pin its digest as
# well (node:24.11.1-bookworm-slim@sha256:...) and let Renovate or Dependabot move both.

FROM node:24.11.1-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm install, not npm ci: the lockfile pins every version, but it lists the platform-specific
# optional binaries (@swc/core-*, unrs-resolver bindings) only for linux-x64, the platform it was
# resolved on (the registry the project is built against serves no others), and npm ci refuses a
# lockfile without them. npm install keeps the locked versions and resolves just this platform's.
# No dependency needs an install script; none gets to run one.
RUN npm install --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:24.11.1-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm install --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force
COPY bin ./bin
COPY --from=build /app/dist ./dist
# The base image's unprivileged "node" user, by number so that the kubelet can check runAsNonRoot.
# The code stays root-owned: the operator cannot modify itself.
USER 1000:1000
# /metrics, /healthz and /readyz (agentry run --probe-address).
EXPOSE 8081
# V8 tuned for a small, steady heap: at 5,000 Agents peak RSS 284 -> 186 MiB, for more CPU while
# converging (README "Performance"; hack/bench/operator-build.ts IMAGE_NODE_FLAGS must match).
ENTRYPOINT ["node", "--optimize-for-size", "--max-semi-space-size=2", "/app/bin/agentry.js"]
CMD ["run"]
