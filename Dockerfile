# Airbyte source for Azure Enterprise Agreement billing.
#   docker build -t airbyte/source-azure-billing:dev .
#   docker run --rm airbyte/source-azure-billing:dev spec
#   docker run --rm -v "$PWD/secrets:/secrets" airbyte/source-azure-billing:dev check --config /secrets/config.json

# ---- build: dev dependencies, TypeScript compile ----------------------------------------------
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY src ./src
COPY resources ./resources
RUN npm run build

# ---- deps: production dependencies only --------------------------------------------------------
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
 && rm -rf /root/.npm

# ---- final image: production dependencies and the compiled connector ---------------------------
FROM node:22-bookworm-slim
ARG CONNECTOR_VERSION=0.1.0
WORKDIR /app
ENV NODE_ENV=production
# glibc raises its mmap threshold each time a large block is freed, after which the 1-3 MB
# buffers a read passes between threads come from heap arenas that keep growing: peak RSS of a
# 100k-row EA read went from ~170 to ~205 MB. A fixed threshold returns them to the system at
# once, for no measurable CPU (npm run bench applies this line too; --no-image-env leaves it out).
ENV MALLOC_MMAP_THRESHOLD_=131072
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/lib/src ./lib/src
COPY resources ./resources
COPY bin ./bin
COPY package.json package-lock.json LICENSE ./
ENV AIRBYTE_ENTRYPOINT="/app/bin/source-azure-billing"
LABEL io.airbyte.name="airbyte/source-azure-billing" \
      io.airbyte.version="${CONNECTOR_VERSION}"
USER node
ENTRYPOINT ["/app/bin/source-azure-billing"]
