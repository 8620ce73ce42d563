# potok in a container. Two stages: the build (native better-sqlite3, TypeScript, the console)
# and a slim runtime with production dependencies only, run as a non-root user.
#   docker build -t potok .
#   docker run -p 3000:3000 -v potok-data:/data potok
# Settings are environment variables (README, docs/install.md); the store is SQLite in /data
# unless MONGODB_URI is set (compose.yaml runs two servers on one MongoDB).

FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts ./scripts
# Dependencies first (cached while only sources change); `prepare` builds later, with the sources.
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild better-sqlite3
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data \
    FLOWS_DIR=/app/flows
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/bin ./bin
COPY --from=build /src/flows ./flows
RUN mkdir -p -m 0700 /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--max-semi-space-size=64", "bin/potok.mjs", "serve"]
