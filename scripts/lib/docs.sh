# shellcheck shell=bash
# The API documentation pages (Swagger UI and ReDoc) as static files for nginx. Their assets
# come from one pinned PyPI wheel, checked by SHA-256, never from a CDN and never committed:
# drf-spectacular-sidecar ships self-contained Swagger UI and ReDoc builds.
DOCS_WHEEL_VERSION=2026.10.1
DOCS_WHEEL=drf_spectacular_sidecar-$DOCS_WHEEL_VERSION-py3-none-any.whl
DOCS_WHEEL_SHA256=fe1d005d8ac9b5d0472f2fe5deeb2e7d6dcffaa24118044f22578b4b8c4b31f2

install_docs() { # install_docs DEST: DEST/{swagger,redoc}.html, the init scripts and DEST/assets/
    local dest="$1" cache="${TM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/trademaster}"
    local here; here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
    mkdir -p "$cache" "$dest/assets"
    if [ ! -s "$cache/$DOCS_WHEEL" ] || ! echo "$DOCS_WHEEL_SHA256  $cache/$DOCS_WHEEL" | sha256sum -c --status; then
        rm -f "$cache/$DOCS_WHEEL"
        python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$cache" \
            "drf-spectacular-sidecar==$DOCS_WHEEL_VERSION" >&2 || { echo "docs: could not download $DOCS_WHEEL" >&2; return 1; }
    fi
    echo "$DOCS_WHEEL_SHA256  $cache/$DOCS_WHEEL" | sha256sum -c --status \
        || { echo "docs: $DOCS_WHEEL does not match its pinned SHA-256" >&2; return 1; }
    python3 - "$cache/$DOCS_WHEEL" "$dest/assets" <<'PY'
import sys, zipfile, os
wheel, dest = sys.argv[1], sys.argv[2]
prefix = "drf_spectacular_sidecar/static/drf_spectacular_sidecar/"
wanted = {"swagger-ui-dist/swagger-ui-bundle.js", "swagger-ui-dist/swagger-ui-standalone-preset.js",
          "swagger-ui-dist/swagger-ui.css", "swagger-ui-dist/favicon-32x32.png", "swagger-ui-dist/oauth2-redirect.html",
          "swagger-ui-dist/oauth2-redirect.js", "redoc/bundles/redoc.standalone.js"}
with zipfile.ZipFile(wheel) as archive:
    for name in wanted:
        data = archive.read(prefix + name)
        with open(os.path.join(dest, os.path.basename(name)), "wb") as out:
            out.write(data)
PY
    cp "$here"/docs/ui/*.html "$here"/docs/ui/*.js "$dest/"
    # The client examples (the development config serves them at /examples/): copied beside the
    # assets, since the service user may not be able to read the checkout (a clone under /root).
    mkdir -p "$dest/examples/realtime" && cp -r "$here"/docs/realtime/. "$dest/examples/realtime/"
    chmod -R a+rX "$dest"
}
