#!/bin/sh
# Prepare the debootstrapped root ($1) of seamq-postgres:15; $2 is this spec's folder.
# The cluster the package made is dropped (each job inits its own); the mount point of
# the data tmpfs exists and the start script is installed.
set -eu
root=$1
spec=$2
rm -rf "$root"/var/lib/postgresql/15 "$root"/etc/postgresql/15
mkdir -p "$root/var/lib/postgresql/data"
chroot "$root" chown -R postgres:postgres /var/lib/postgresql
install -m 0755 "$spec/start-postgres" "$root/usr/local/bin/start-postgres"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/usr/share/doc/* \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log "$root"/var/log/apt/*
