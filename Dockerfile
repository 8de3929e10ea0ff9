# One image for both processes: the API (default command) and the worker
# (`node --import tsx workers/main.ts`). TypeScript runs through tsx, a runtime dependency.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# postinstall applies patches/ (patch-package): postgres.js must not crash the process when PostgreSQL restarts.
COPY patches ./patches
# Runtime dependencies only: tsx, the Temporal SDK and its bundler are all in "dependencies".
# `npm install`, not `npm ci`: the lockfile is written on a build machine whose registry mirror
# serves only its own platform's optional binaries (@swc/core-*), so npm ci would call it out of
# sync; npm install keeps every locked version and adds the image's platform binaries.
RUN npm install --omit=dev --no-audit --no-fund && npm cache clean --force

FROM deps AS build
COPY . .
# Prebuilt workflow bundle, so every worker runs byte-identical workflow code and starts without webpack.
RUN npm run build:workflows

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY . .
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "api/main.ts"]
