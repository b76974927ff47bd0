#!/usr/bin/env bash
# Provision a machine for seamq's integration tests; one function per component.
#
# Usage: deploy/provision.sh [COMPONENT...]
#   docker   install Debian's docker.io when missing and start dockerd
#   images   build the local images the tests need: seamq-sandbox:latest (bookworm) and
#            :trixie (Python 3.13), service images seamq-postgres:15 and seamq-redis:7
#   rabbitmq install and start Debian's rabbitmq-server on this host (the fleet tests')
#   tools    install docker-compose and promtool, which the deployment-file tests run
#   compose-images  build the images docker-compose.yml runs by default, for the compose
#            stack test: seamq-rabbitmq:local and seamq-prometheus:local (Debian's packages)
#            and seamq:latest (app-image)
#   app-image  build seamq:latest from deploy/Dockerfile and a wheelhouse made here
# With no argument every component runs, in the order listed (app-image as part of
# compose-images). Every step is idempotent:
# a second run finds the engine answering and the image built, and does nothing.
#
# No container registry is assumed reachable: images are built from a debootstrapped
# Debian root filesystem and `docker import`ed. The rootfs tarball is cached under
# $SEAMQ_CACHE_DIR (default /var/cache/seamq), keyed by the suite and the image spec in
# deploy/images/<kind>/, so a rebuild after `docker rmi` takes seconds.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE_DIR=${SEAMQ_CACHE_DIR:-/var/cache/seamq}
SANDBOX_IMAGE=${SEAMQ_SANDBOX_IMAGE:-seamq-sandbox:latest}
DEBIAN_SUITE=${SEAMQ_DEBIAN_SUITE:-bookworm}
TRIXIE_IMAGE=${SEAMQ_TRIXIE_IMAGE:-seamq-sandbox:trixie}
POSTGRES_IMAGE=${SEAMQ_POSTGRES_IMAGE:-seamq-postgres:15}
REDIS_IMAGE=${SEAMQ_REDIS_IMAGE:-seamq-redis:7}
DOCKER_WAIT_S=${SEAMQ_DOCKER_WAIT_S:-60}

ORDER=(docker images rabbitmq tools compose-images)
declare -A STEPS=(
    [docker]=provision_docker
    [images]=build_images
    [rabbitmq]=provision_rabbitmq
    [tools]=provision_tools
    [compose-images]=build_compose_images
    [app-image]=build_app_image
)

say() { printf 'provision: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=0
apt_install() {
    if [ "$APT_UPDATED" -eq 0 ]; then
        as_root apt-get update -qq
        APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

docker_answers() { docker info >/dev/null 2>&1; }

provision_docker() {
    if ! command -v dockerd >/dev/null 2>&1; then
        say "installing docker.io"
        apt_install docker.io
    fi
    if docker_answers; then
        say "docker engine answers"
        return 0
    fi
    say "starting dockerd"
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        as_root systemctl start docker
    else
        # No init system to ask (a container or a minimal VM): run the daemon detached.
        as_root setsid nohup dockerd >>/var/log/seamq-dockerd.log 2>&1 </dev/null &
    fi
    local waited=0
    until docker_answers; do
        [ "$waited" -ge "$DOCKER_WAIT_S" ] && die "dockerd did not answer within ${DOCKER_WAIT_S}s (see /var/log/seamq-dockerd.log)"
        sleep 1
        waited=$((waited + 1))
    done
    say "docker engine answers after ${waited}s"
}

# build_rootfs_image IMAGE SPEC_DIR SUITE [docker-import option...]
# Debootstrap SUITE with SPEC_DIR/packages.txt, run SPEC_DIR/finalize.sh on the root, cache
# the tarball and `docker import` it as IMAGE. The content key (suite + spec files) is also
# a tag, so an unchanged spec is found in the engine or the cache and never rebuilt.
build_rootfs_image() {
    local image=$1 spec=$2 suite=$3
    shift 3
    local repo=${image%:*} kind key
    kind=$(basename "$spec")
    # packages.txt first, then the other files: the sandbox's key predates the others.
    key="$suite-$(cat "$spec/packages.txt" "$spec/finalize.sh" \
        $(find "$spec" -maxdepth 1 -type f ! -name packages.txt ! -name finalize.sh | sort) \
        | sha256sum | cut -c1-12)"
    if docker image inspect "$repo:$key" >/dev/null 2>&1; then
        docker tag "$repo:$key" "$image"
        say "$image is up to date ($repo:$key)"
        return 0
    fi
    local tarball="$CACHE_DIR/$kind-rootfs-$key.tar"
    if [ ! -s "$tarball" ]; then
        command -v debootstrap >/dev/null 2>&1 || apt_install debootstrap
        as_root mkdir -p "$CACHE_DIR"
        local packages root log="$CACHE_DIR/debootstrap-$kind-$key.log"
        packages=$(grep -v '^[[:space:]]*\(#\|$\)' "$spec/packages.txt" | paste -sd, -)
        root=$(as_root mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
        say "debootstrap $suite with $packages (about a minute)"
        as_root debootstrap --variant=minbase --include="$packages" "$suite" "$root" \
            >"$log" 2>&1 || die "debootstrap failed (see $log)"
        as_root sh "$spec/finalize.sh" "$root" "$spec"
        # A per-process part file: other checkouts may provision the same key at once.
        as_root tar --numeric-owner -C "$root" -cf "$tarball.part.$$" .
        as_root mv "$tarball.part.$$" "$tarball"
        as_root rm -rf "$root"
    fi
    # SPEC_DIR/changes.txt, when present: the image's Dockerfile instructions, one a line
    # (part of the key, like every file of the spec).
    local changes=()
    if [ -f "$spec/changes.txt" ]; then
        local line
        while IFS= read -r line; do
            changes+=(--change "$line")
        done < <(grep -v '^[[:space:]]*\(#\|$\)' "$spec/changes.txt")
    fi
    say "importing $tarball as $repo:$key"
    docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        "${changes[@]}" "$@" "$tarball" "$repo:$key" >/dev/null
    docker tag "$repo:$key" "$image"
    say "built $image"
}

SANDBOX_CHANGES=(--change 'WORKDIR /workspace' --change 'USER 65534:65534'
                 --change 'CMD ["python3"]')

# The images the tests and examples need: the sandbox on bookworm (Python 3.11) and on
# trixie (Python 3.13), and the service images PostgreSQL 15 and Redis 7 from bookworm.
build_images() {
    docker_answers || die "no Docker engine answers: run '$0 docker' first"
    build_rootfs_image "$SANDBOX_IMAGE" "$HERE/images/sandbox" "$DEBIAN_SUITE" \
        "${SANDBOX_CHANGES[@]}"
    build_rootfs_image "$TRIXIE_IMAGE" "$HERE/images/sandbox" trixie "${SANDBOX_CHANGES[@]}"
    # Services start as their own non-root user; the data directory is a tmpfs the
    # sandbox mounts (world-writable: this engine ignores tmpfs mode= and owner).
    build_rootfs_image "$POSTGRES_IMAGE" "$HERE/images/postgres" bookworm \
        --change 'USER postgres' --change 'WORKDIR /tmp' --change 'EXPOSE 5432' \
        --change 'CMD ["/usr/local/bin/start-postgres"]'
    build_rootfs_image "$REDIS_IMAGE" "$HERE/images/redis" bookworm \
        --change 'USER redis' --change 'WORKDIR /tmp' --change 'EXPOSE 6379' \
        --change 'CMD ["/usr/local/bin/start-redis"]'
}

build_sandbox_image() {
    docker_answers || die "no Docker engine answers: run '$0 docker' first"
    build_rootfs_image "$SANDBOX_IMAGE" "$HERE/images/sandbox" "$DEBIAN_SUITE" \
        "${SANDBOX_CHANGES[@]}"
}

RABBITMQ_CONSUMER_TIMEOUT_MS=${SEAMQ_RABBITMQ_CONSUMER_TIMEOUT_MS:-3600000}
RABBITMQ_WAIT_S=${SEAMQ_RABBITMQ_WAIT_S:-60}

rabbitmq_answers() { as_root rabbitmqctl -q await_startup --timeout 5 >/dev/null 2>&1; }

# Install and start RabbitMQ (guest/guest on 127.0.0.1:5672) with a consumer timeout above
# every job deadline: a runner holds its job unacked while it runs, and RabbitMQ 3.10 only
# has the server-wide `consumer_timeout` (30 min by default) to close such a channel.
provision_rabbitmq() {
    if ! PATH="$PATH:/usr/sbin" command -v rabbitmq-server >/dev/null 2>&1; then
        say "installing rabbitmq-server"
        apt_install rabbitmq-server
    fi
    local conf=/etc/rabbitmq/rabbitmq.conf
    local setting="consumer_timeout = $RABBITMQ_CONSUMER_TIMEOUT_MS"
    local changed=0
    if ! grep -qxF "$setting" "$conf" 2>/dev/null; then
        as_root mkdir -p "$(dirname "$conf")"
        if grep -q '^consumer_timeout' "$conf" 2>/dev/null; then
            as_root sed -i "s/^consumer_timeout.*/$setting/" "$conf"
        else
            printf '%s\n' "$setting" | as_root tee -a "$conf" >/dev/null
        fi
        changed=1
    fi
    if rabbitmq_answers; then
        if [ "$changed" -eq 1 ]; then
            # Applies to channels opened from now on; the file covers later restarts.
            as_root rabbitmqctl -q eval \
                "application:set_env(rabbit, consumer_timeout, $RABBITMQ_CONSUMER_TIMEOUT_MS)." \
                >/dev/null
        fi
        say "rabbitmq answers ($setting)"
        return 0
    fi
    say "starting rabbitmq-server"
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        as_root systemctl start rabbitmq-server
    else
        as_root rabbitmq-server -detached
    fi
    local waited=0
    until rabbitmq_answers; do
        [ "$waited" -ge "$RABBITMQ_WAIT_S" ] && die "rabbitmq did not start within ${RABBITMQ_WAIT_S}s"
        sleep 1
        waited=$((waited + 1))
    done
    say "rabbitmq answers after about ${waited}s ($setting)"
}

# docker-compose (v1, Debian's) validates docker-compose.yml; promtool, which Debian ships in
# the prometheus package, checks the alert rules. Only the tools are wanted: where systemd
# started the packaged servers, they are stopped and disabled again.
provision_tools() {
    local missing=()
    command -v docker-compose >/dev/null 2>&1 || missing+=(docker-compose)
    command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
    if [ ${#missing[@]} -eq 0 ]; then
        say "docker-compose and promtool are installed"
        return 0
    fi
    say "installing ${missing[*]}"
    apt_install --no-install-recommends "${missing[@]}"
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
        as_root systemctl disable --now prometheus >/dev/null 2>&1 || true
    fi
}

APP_IMAGE=${SEAMQ_APP_IMAGE:-seamq:latest}
RABBITMQ_IMAGE=${SEAMQ_RABBITMQ_IMAGE:-seamq-rabbitmq:local}
PROMETHEUS_IMAGE=${SEAMQ_PROMETHEUS_IMAGE:-seamq-prometheus:local}

# What docker-compose.yml runs by default: RabbitMQ (management and Prometheus plugins, the
# fleet's user) and Prometheus from Debian's packages, and seamq's own image. Grafana is
# not in Debian's archive: the compose file keeps it behind the `grafana` profile.
build_compose_images() {
    docker_answers || die "no Docker engine answers: run '$0 docker' first"
    build_rootfs_image "$RABBITMQ_IMAGE" "$HERE/images/rabbitmq" bookworm
    build_rootfs_image "$PROMETHEUS_IMAGE" "$HERE/images/prometheus" bookworm
    build_app_image
}

# The files seamq's wheel is made from, copied to $1 (a clean tree: no build/ or egg-info
# left in the checkout, and exactly what the key covers).
APP_SOURCES=(pyproject.toml README.md services shared)
copy_app_sources() {
    local dest=$1
    (cd "$HERE/.." && find "${APP_SOURCES[@]}" -type f ! -name '*.pyc' \
        ! -path '*/__pycache__/*' -print0 | LC_ALL=C sort -z \
        | tar --null -T - -cf -) | tar -C "$dest" -xf -
}

# app_dependencies PYPROJECT PYVER DEST: binary wheels of seamq's dependencies (and pip's) for
# CPython PYVER on this architecture, into DEST. Downloaded once per dependency list and
# Python, then taken from $CACHE_DIR: a source change rebuilds the image without PyPI.
app_dependencies() {
    local pyproject=$1 pyver=$2 dest=$3 arch
    arch=$(uname -m)
    local cached
    cached="$CACHE_DIR/wheelhouse-cp$pyver-$arch-$(sha256sum "$pyproject" | cut -c1-12)"
    if [ ! -d "$cached" ]; then
        say "downloading the dependencies' wheels for Python $pyver on $arch"
        as_root mkdir -p "$CACHE_DIR"
        local part="$cached.part.$$"
        as_root mkdir -p "$part"
        as_root python3 -m pip --quiet --disable-pip-version-check download -d "$part" \
            --only-binary=:all: --python-version "$pyver" --implementation cp \
            --platform "manylinux_2_36_$arch" --platform "manylinux_2_17_$arch" \
            --platform "manylinux2014_$arch" "$dest"/seamq-*.whl pip
        as_root rm -f "$part"/seamq-*.whl
        # Another checkout may have cached the same list meanwhile: keep the first.
        as_root mv -T "$part" "$cached" 2>/dev/null || as_root rm -rf "$part"
    fi
    cp "$cached"/*.whl "$dest"/
}

# seamq's own image (deploy/Dockerfile) on the sandbox image: the build context is a
# wheelhouse made here for the base's Python and architecture (binary wheels only, so the
# build needs no registry and no compiler). The key (the base's id, the Dockerfile and
# seamq's sources) is a tag: an unchanged checkout is found in the engine, never rebuilt.
build_app_image() {
    docker_answers || die "no Docker engine answers: run '$0 docker' first"
    docker image inspect "$SANDBOX_IMAGE" >/dev/null 2>&1 || build_sandbox_image
    local repo=${APP_IMAGE%:*} work key pyver
    work=$(mktemp -d "${TMPDIR:-/tmp}/seamq-app-image.XXXXXX")
    mkdir "$work/src" "$work/wheels"
    copy_app_sources "$work/src"
    key=$({ docker image inspect --format '{{.Id}}' "$SANDBOX_IMAGE"
            cat "$HERE/Dockerfile"
            (cd "$work/src" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
          } | sha256sum | cut -c1-12)
    if docker image inspect "$repo:$key" >/dev/null 2>&1; then
        rm -rf "$work"
        docker tag "$repo:$key" "$APP_IMAGE"
        say "$APP_IMAGE is up to date ($repo:$key)"
        return 0
    fi
    pyver=$(docker run --rm --entrypoint python3 "$SANDBOX_IMAGE" \
        -c 'import sys; print("%d.%d" % sys.version_info[:2])')
    say "building seamq's wheel"
    python3 -m pip --quiet --disable-pip-version-check wheel --no-deps -w "$work/wheels" \
        "$work/src"
    app_dependencies "$work/src/pyproject.toml" "$pyver" "$work/wheels"
    say "building $APP_IMAGE on $SANDBOX_IMAGE"
    docker build --quiet -f "$HERE/Dockerfile" --build-arg "BASE_IMAGE=$SANDBOX_IMAGE" \
        -t "$repo:$key" "$work/wheels" >/dev/null
    docker tag "$repo:$key" "$APP_IMAGE"
    rm -rf "$work"
    say "built $APP_IMAGE ($repo:$key)"
}

usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }

main() {
    local names=("$@")
    [ ${#names[@]} -eq 0 ] && names=("${ORDER[@]}")
    local name
    for name in "${names[@]}"; do
        case $name in
            -h | --help) usage; return 0 ;;
        esac
        [ -n "${STEPS[$name]:-}" ] || die "unknown component '$name' (known: ${ORDER[*]} app-image)"
    done
    for name in "${names[@]}"; do
        "${STEPS[$name]}"
    done
}

main "$@"
