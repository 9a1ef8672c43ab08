#!/bin/sh
# Local STAND-INS for the two base images the Containerfile names, for a
# machine that cannot pull from docker.io. They are NOT the official images,
# but each is made by its official image's own recipe, from the same sources,
# as far as a machine without docker.io can follow it:
#
#   docker.io/library/debian:bookworm       <- `debootstrap --variant=minbase
#       bookworm` from Debian's mirror (the official image is debuerreotype's
#       minbase debootstrap of a snapshot.debian.org date), with the apt
#       settings of the official images (no package caches, no translations)
#   docker.io/library/debian:bookworm-slim  <- the same, trimmed as the slim
#       variant is (no docs, man pages, locales, apt lists or caches, and the
#       dpkg config that keeps them out)
#   docker.io/library/rust:1.95-bookworm    <- buildpack-deps:bookworm's three
#       layers (curl, scm, then the build packages; docker-library/
#       buildpack-deps, debian/bookworm) on the debian:bookworm stand-in, then
#       rust-lang/docker-rust's stable/bookworm recipe: rustup-init 1.28.2 from
#       static.rust-lang.org, checked against the SHA-256 that recipe pins,
#       installing Rust 1.95.0 with the minimal profile, RUSTUP_HOME,
#       CARGO_HOME and PATH as the official image sets them
#
# They are tagged under the official names so that the Containerfile is built
# unchanged, with the pull policy "never":
#
#   sudo deploy/container-stand-ins.sh
#   sudo buildah --storage-driver vfs bud --isolation chroot --pull=never \
#       -f Containerfile -t localhost/iopfinder .
#
# Needs root, buildah and debootstrap (Debian packages), and HTTPS to
# deb.debian.org and static.rust-lang.org. Behind a TLS-intercepting proxy,
# set CA_BUNDLE to this machine's CA bundle (for example
# /etc/ssl/certs/ca-certificates.crt): it replaces the rust stand-in's before
# rustup-init is fetched, so that it and cargo can reach their servers; the
# final image keeps Debian's own bundle. Remove the stand-ins with `buildah
# --storage-driver vfs rmi docker.io/library/rust:1.95-bookworm
# docker.io/library/debian:bookworm-slim docker.io/library/debian:bookworm`.
# See DEPLOY.md section 3.
set -eu

MIRROR=${MIRROR:-http://deb.debian.org/debian}
B="buildah --storage-driver ${STORAGE_DRIVER:-vfs}"
RUN="$B run --isolation chroot"
work=$(mktemp -d /var/tmp/stand-ins.XXXXXX)
trap 'rm -rf "$work"' EXIT

# debian:bookworm
root=$work/rootfs
debootstrap --variant=minbase bookworm "$root" "$MIRROR"
cat > "$root/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
# as in the official images: apt keeps no package caches, fetches no translations
cat > "$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
echo 'Acquire::Languages "none";' > "$root/etc/apt/apt.conf.d/docker-no-languages"
rm -rf "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

# an image of a root file system, under an official name
image() {
    c=$($B from scratch)
    cp -a "$1/." "$($B mount "$c")/"
    $B umount "$c"
    $B config --cmd bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        --label "stand-in=$2, not the official image" "$c"
    $B commit --rm "$c" "$3"
}
image "$root" "debootstrap minbase bookworm" docker.io/library/debian:bookworm

# debian:bookworm-slim
cat > "$root/etc/dpkg/dpkg.cfg.d/docker" <<'EOF'
# stand-in for the slim variant: keep documentation and locales out
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/overrides/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root"/usr/share/groff/* "$root"/usr/share/info/* "$root"/usr/share/linda/* \
    "$root"/usr/share/lintian/overrides/* "$root"/usr/share/locale/* "$root"/usr/share/man/*
image "$root" "debootstrap minbase bookworm, slimmed" docker.io/library/debian:bookworm-slim

# rust:1.95-bookworm: buildpack-deps:bookworm (curl, scm, then the build
# packages), each layer as its Dockerfile installs it
c=$($B from --pull=never docker.io/library/debian:bookworm)
apt_layer() {
    $RUN "$c" -- sh -c "set -eux; apt-get update; \
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $*; \
        rm -rf /var/lib/apt/lists/*"
}
apt_layer ca-certificates curl gnupg netbase sq wget
apt_layer git git-lfs mercurial openssh-client subversion procps
apt_layer autoconf automake bzip2 dpkg-dev file g++ gcc imagemagick libbz2-dev \
    libc6-dev libcurl4-openssl-dev libdb-dev libevent-dev libffi-dev libgdbm-dev \
    libglib2.0-dev libgmp-dev libjpeg-dev libkrb5-dev liblzma-dev libmagickcore-dev \
    libmagickwand-dev libmaxminddb-dev libncurses5-dev libncursesw5-dev libpng-dev \
    libpq-dev libreadline-dev libsqlite3-dev libssl-dev libtool libwebp-dev \
    libxml2-dev libxslt-dev libyaml-dev make patch unzip xz-utils zlib1g-dev \
    default-libmysqlclient-dev
if [ -n "${CA_BUNDLE:-}" ]; then
    m=$($B mount "$c")
    cp "$CA_BUNDLE" "$m/etc/ssl/certs/ca-certificates.crt"
    $B umount "$c"
fi
# then rust-lang/docker-rust's stable/bookworm recipe, for amd64
$B config --env RUSTUP_HOME=/usr/local/rustup --env CARGO_HOME=/usr/local/cargo \
    --env PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env RUST_VERSION=1.95.0 "$c"
$RUN "$c" -- sh -c 'set -eux; cd /tmp; \
    url="https://static.rust-lang.org/rustup/archive/1.28.2/x86_64-unknown-linux-gnu/rustup-init"; \
    wget "$url"; \
    echo "20a06e644b0d9bd2fbdbfd52d42540bdde820ea7df86e92e533c073da0cdd43c *rustup-init" | sha256sum -c -; \
    chmod +x rustup-init; \
    ./rustup-init -y --no-modify-path --profile minimal --default-toolchain "$RUST_VERSION" --default-host x86_64-unknown-linux-gnu; \
    rm rustup-init; \
    chmod -R a+w "$RUSTUP_HOME" "$CARGO_HOME"; \
    rustup --version; cargo --version; rustc --version'
$B config --label "stand-in=buildpack-deps and rust-lang/docker-rust recipes on debootstrap bookworm, not the official image" "$c"
$B commit --rm "$c" docker.io/library/rust:1.95-bookworm
