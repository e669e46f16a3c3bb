# Recoil worker on Node 24 LTS, the Node `engines` names. The one build step compiles the app with tsc
# and bundles the workflows, so a worker starts polling without compiling or bundling anything.
FROM node:24-slim

WORKDIR /app

# The contact sheet's text is drawn from SVG by sharp, which needs a font; the slim image has none.
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core && rm -rf /var/lib/apt/lists/*

# Dependencies first, so code edits do not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci

COPY . .
RUN npm run build

# Run on its own (`docker run`), the worker keeps takes in this folder; docker-compose.yml keeps them
# in its bucket instead, with a cache of the container's own (docs/storage.md).
RUN mkdir -p /artifacts && chown node:node /artifacts
ENV RECOIL_ARTIFACTS_DIR=/artifacts
USER node

# Run through its #! line, which carries the worker's V8 settings (bin/recoil.mjs).
CMD ["./bin/recoil.mjs", "worker"]
