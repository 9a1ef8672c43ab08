#!/bin/sh
# Local STAND-INS for the two base images the Containerfile names, for a
# machine that cannot pull from docker.io. They are NOT the official images:
#
#   docker.io/library/debian:bookworm-slim  <- `debootstrap --variant=minbase
#       bookworm`, trimmed as the slim variant is (no docs, man pages, locales,
#       apt lists or caches, and the dpkg and apt configs that keep them out)
#   docker.io/library/rust:1.95-bookworm    <- that stand-in plus gcc, g++,
#       libc6-dev, make, pkg-config, git, curl, ca-certificates, and THIS
#       machine's rustup and Rust 1.95.0 toolchain (docs left out), with
#       RUSTUP_HOME, CARGO_HOME and PATH as the official image sets them. The
#       official image is buildpack-deps:bookworm (many more -dev packages)
#       with a minimal-profile toolchain from rustup.
#
# They are tagged under the official names so that the Containerfile is built
# unchanged, with the pull policy "never":
#
#   sudo deploy/container-stand-ins.sh
#   sudo buildah --storage-driver vfs bud --isolation chroot --pull=never \
#       -f Containerfile -t localhost/iopfinder .
#
# Needs root, buildah and debootstrap (Debian packages), and a rustup
# toolchain for Rust 1.95.0 under $RUST_TOOLCHAIN. Behind a TLS-intercepting
# proxy, set CA_BUNDLE to this machine's CA bundle (for example
# /etc/ssl/certs/ca-certificates.crt) and it replaces the rust stand-in's, so
# that cargo can fetch crates; the final image keeps Debian's own bundle.
# Remove the stand-ins with `buildah --storage-driver vfs rmi
# docker.io/library/rust:1.95-bookworm docker.io/library/debian:bookworm-slim`.
# See DEPLOY.md section 3.
set -eu

RUST_TOOLCHAIN=${RUST_TOOLCHAIN:-$HOME/.rustup/toolchains/1.95.0-x86_64-unknown-linux-gnu}
RUSTUP=${RUSTUP:-$HOME/.cargo/bin/rustup}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
B="buildah --storage-driver ${STORAGE_DRIVER:-vfs}"
work=$(mktemp -d /var/tmp/stand-ins.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$RUST_TOOLCHAIN/bin/rustc" -V | grep -q '^rustc 1\.95\.' \
    || { echo "$RUST_TOOLCHAIN is not Rust 1.95" >&2; exit 1; }

# debian:bookworm-slim
root=$work/rootfs
debootstrap --variant=minbase bookworm "$root" "$MIRROR"
cat > "$root/etc/apt/sources.list" <<EOF
deb $MIRROR bookworm main
deb $MIRROR bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
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
# as in the official images: apt keeps no package caches, fetches no translations
cat > "$root/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
echo 'Acquire::Languages "none";' > "$root/etc/apt/apt.conf.d/docker-no-languages"
find "$root/usr/share/doc" -mindepth 1 ! -type d ! -name copyright -delete
find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete
rm -rf "$root"/usr/share/groff/* "$root"/usr/share/info/* "$root"/usr/share/linda/* \
    "$root"/usr/share/lintian/overrides/* "$root"/usr/share/locale/* "$root"/usr/share/man/* \
    "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*

c=$($B from scratch)
cp -a "$root/." "$($B mount "$c")/"
$B umount "$c"
$B config --cmd bash --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --label "stand-in=debootstrap minbase bookworm, not the official image" "$c"
$B commit --rm "$c" docker.io/library/debian:bookworm-slim

# rust:1.95-bookworm
c=$($B from --pull=never docker.io/library/debian:bookworm-slim)
$B run --isolation chroot "$c" -- sh -c 'apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    ca-certificates curl git gcc g++ libc6-dev make pkg-config \
 && rm -rf /var/lib/apt/lists/*'
m=$($B mount "$c")
mkdir -p "$m/usr/local/rustup/toolchains/1.95.0-x86_64-unknown-linux-gnu" "$m/usr/local/cargo/bin"
tar -C "$RUST_TOOLCHAIN/" --exclude=./share/doc -cf - . \
    | tar -C "$m/usr/local/rustup/toolchains/1.95.0-x86_64-unknown-linux-gnu" -xf -
printf 'version = "12"\ndefault_toolchain = "1.95.0-x86_64-unknown-linux-gnu"\nprofile = "minimal"\n' \
    > "$m/usr/local/rustup/settings.toml"
cp "$RUSTUP" "$m/usr/local/cargo/bin/rustup"
for p in cargo rustc rustdoc cargo-clippy clippy-driver cargo-fmt rustfmt rust-gdb rust-lldb; do
    ln "$m/usr/local/cargo/bin/rustup" "$m/usr/local/cargo/bin/$p"
done
chmod -R a+w "$m/usr/local/rustup" "$m/usr/local/cargo"
if [ -n "${CA_BUNDLE:-}" ]; then cp "$CA_BUNDLE" "$m/etc/ssl/certs/ca-certificates.crt"; fi
$B umount "$c"
$B config --env RUSTUP_HOME=/usr/local/rustup --env CARGO_HOME=/usr/local/cargo \
    --env PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --env RUST_VERSION=1.95.0 \
    --label "stand-in=local rust 1.95.0 toolchain on debootstrap bookworm, not the official image" "$c"
$B run --isolation chroot "$c" -- sh -c 'rustup --version && cargo --version && rustc --version'
$B commit --rm "$c" docker.io/library/rust:1.95-bookworm
