# Recoil worker. TypeScript runs directly through tsx (a runtime dependency), so there is no build step.
FROM node:20-slim

WORKDIR /app

# Dependencies first, so code edits do not reinstall them.
COPY package.json package-lock.json ./
RUN npm ci

COPY . .

# A named volume mounted here inherits this ownership, which lets the unprivileged user write artifacts.
RUN mkdir -p /artifacts && chown node:node /artifacts
USER node

CMD ["node", "bin/recoil.mjs", "worker"]
