# The envsync app server as a container image:
#   docker build -t envsync .
#   docker run -p 3000:3000 -v envsync-data:/data --env-file .env envsync
# The embedded SQLite store lives on the /data volume; set DATABASE_URL=postgres://… to share a
# PostgreSQL store between replicas instead.

FROM node:20-bookworm-slim AS build
# better-sqlite3 compiles its native part during npm ci.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000 \
    DATABASE_URL=sqlite:/data/envsync.sqlite
WORKDIR /app
COPY --from=build /app/package.json /app/app.yml ./
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/bin bin
COPY --from=build /app/dist dist
COPY --from=build /app/schemas schemas
RUN mkdir /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 3000
CMD ["node", "bin/envsync.js", "serve"]
