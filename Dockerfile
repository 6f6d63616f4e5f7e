# TradeMaster Web Backend: one image for every role (README "Containers").
#   docker build -t trademaster:latest .            (podman build --isolation chroot … here)
# Stages: build (Swift, static stdlib) -> docs (Swagger UI/ReDoc assets) -> runtime (Debian 12
# slim: the binary, migrations, nginx with nchan, the docs; runs as a non-root user).
# Base images: SWIFT_IMAGE is a Debian 12 image with the Swift 6 toolchain and the C build
# dependencies; where no registry is reachable docker/make-base-images makes both bases locally.
ARG SWIFT_IMAGE=localhost/swift-builder:6.3.1
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
WORKDIR /src
# A swift.org image lacks the C libraries the package links (its apt lists are kept);
# the local builder image has them already, so this is a no-op there.
RUN set -eu; need=""; \
    for p in build-essential pkg-config git libfcgi-dev libpq-dev libhiredis-dev libssl-dev \
             libargon2-dev libcurl4-openssl-dev zlib1g-dev; do \
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need="$need $p"; \
    done; \
    if [ -n "$need" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need; fi
# Dependencies first (a layer of their own; resolved from the builder's git config, which
# may point github.com at an offline mirror), then the sources.
COPY Package.swift ./
RUN swift package resolve
COPY Sources Sources
COPY Plugins Plugins
COPY Tests Tests
COPY bench/quant/Sources bench/quant/Sources
RUN swift build -c release --static-swift-stdlib --product tm \
    && install -D -m 755 "$(swift build -c release --show-bin-path)/tm" /out/bin/tm \
    && strip --strip-debug /out/bin/tm

FROM ${RUNTIME_IMAGE} AS docs
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pip ca-certificates >/dev/null
WORKDIR /src
COPY scripts/lib/docs.sh scripts/lib/docs.sh
COPY docs docs
# The assets come from one pinned PyPI wheel checked by SHA-256 (scripts/lib/docs.sh). Behind
# a TLS-intercepting proxy pass its CA bundle: --secret id=ca-bundle,src=/etc/ssl/certs/ca-certificates.crt
RUN --mount=type=secret,id=ca-bundle,required=false \
    if [ -s /run/secrets/ca-bundle ]; then export PIP_CERT=/run/secrets/ca-bundle; fi; \
    TM_CACHE_DIR=/tmp/wheels bash -c 'source scripts/lib/docs.sh && install_docs /out/docs'

FROM ${RUNTIME_IMAGE} AS runtime
# Runtime libraries of tm, nginx with nchan, tini as PID 1, curl for health checks.
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        libfcgi0ldbl libpq5 libhiredis0.14 libargon2-1 libcurl4 zlib1g ca-certificates \
        nginx libnginx-mod-nchan tini curl >/dev/null \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default
# The service user (fixed ids, so volumes keep their owner across rebuilds). Writable:
# /run/trademaster (the pool's socket, nginx's publisher socket and pid, the rendered nginx
# config) and /var/lib/trademaster (nginx's temp files). nginx with nchan loaded creates its
# compiled-in /var/lib/nginx/body even when the config names other temp paths, so it exists
# and belongs to the service user.
RUN groupadd --system --gid 10001 trademaster \
    && useradd --system --uid 10001 --gid trademaster --home-dir /nonexistent --no-create-home \
        --shell /usr/sbin/nologin trademaster \
    && install -d -o trademaster -g trademaster -m 0750 /run/trademaster /var/lib/trademaster \
        /var/lib/trademaster/nginx \
    && install -d -o trademaster -g trademaster -m 0700 /var/lib/nginx/body /var/lib/nginx/fastcgi \
        /var/lib/nginx/proxy /var/lib/nginx/uwsgi /var/lib/nginx/scgi
COPY --from=build /out/bin/tm /opt/trademaster/bin/tm
COPY --from=docs /out/docs /opt/trademaster/docs
COPY migrations /opt/trademaster/migrations
COPY nginx /opt/trademaster/nginx
COPY README.md .env.example /opt/trademaster/
COPY docker/entrypoint /opt/trademaster/bin/entrypoint
# Defaults for a container; everything else comes from the environment (README "Settings",
# "Containers"). SECRET_KEY, DATABASE_URL and REDIS_URL have to be given.
ENV PATH=/opt/trademaster/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    TM_LISTEN=/run/trademaster/tm.sock \
    TM_SOCKET_MODE=0660 \
    TM_MIGRATIONS_DIR=/opt/trademaster/migrations \
    TM_REALTIME_PUBLISH_SOCKET=/run/trademaster/nchan-publish.sock \
    TM_NGINX_HTTP_PORT=8000 \
    TM_NGINX_HTTPS_PORT=8443
WORKDIR /opt/trademaster
USER trademaster
EXPOSE 8000 8443
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--", "/opt/trademaster/bin/entrypoint"]
CMD ["serve"]
