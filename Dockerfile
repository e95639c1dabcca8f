# Roster's image: a release build in the Rust image, run from Debian slim
# as a non-root user. `docker compose up` builds and runs it (see the
# docs/operations/compose.md); alone: `docker build -t roster .`.

FROM rust:1.94-bookworm AS build
# npm: the gateway's build script embeds GraphiQL from npm (without it the
# build still succeeds and the playground loads GraphiQL from unpkg.com).
RUN apt-get update \
 && apt-get install -y --no-install-recommends npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p roster --bin roster

FROM debian:bookworm-slim
# curl: the health check; ca-certificates: SMTP over TLS and webhooks.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --create-home --home-dir /var/lib/roster roster
COPY --from=build /src/target/release/roster /usr/local/bin/roster
USER roster
WORKDIR /var/lib/roster
ENV ROSTER_LISTEN=0.0.0.0:8080 \
    ROSTER_DATA_DIR=/var/lib/roster/data \
    ROSTER_MAIL_DIR=/var/lib/roster/data/outbox
EXPOSE 8080
# For the gateway (`roster serve`); `roster worker` and `roster migrate`
# serve no HTTP: turn it off for them (docker-compose.yml does).
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
# SIGTERM starts the graceful shutdown (ROSTER_SHUTDOWN_TIMEOUT).
STOPSIGNAL SIGTERM
ENTRYPOINT ["roster"]
CMD ["serve"]
