#!/bin/sh
# Trim and prepare a debootstrapped root filesystem ($1) before `docker import`.
# The sandbox runs as uid 65534 on a read-only root: create the mount points it uses
# and drop what a test run never needs (apt lists, docs, man pages). Python byte-code
# caches stay: the root is read-only at run time, so nothing could write them later.
set -eu
root=$1
mkdir -p "$root/workspace" "$root/outputs" "$root/seamq"
chmod 0755 "$root/workspace" "$root/seamq"
chmod 1777 "$root/outputs" "$root/tmp"
grep -q '^nobody:' "$root/etc/passwd" || echo 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin' >>"$root/etc/passwd"
grep -q '^nogroup:' "$root/etc/group" || echo 'nogroup:x:65534:' >>"$root/etc/group"
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
    "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
    "$root"/usr/share/locale/* "$root"/var/log/*.log "$root"/var/log/apt/*
