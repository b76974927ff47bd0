#!/bin/sh
# Prepare the debootstrapped root ($1) of seamq-redis:7; $2 is this spec's folder.
set -eu
root=$1
spec=$2
install -m 0755 "$spec/start-redis" "$root/usr/local/bin/start-redis"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/usr/share/doc/* \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log "$root"/var/log/apt/*
