#!/bin/sh
# Prepare the debootstrapped root ($1) of seamq-prometheus:local; $2 is this spec's folder.
# The data directory /prometheus belongs to the prometheus user (a named volume mounted
# there starts with its owner); the configuration is mounted at /etc/prometheus.
set -eu
root=$1
mkdir -p "$root/prometheus"
chroot "$root" chown prometheus:prometheus /prometheus
rm -rf "$root"/var/lib/prometheus/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/var/log/*.log "$root"/var/log/apt/*
