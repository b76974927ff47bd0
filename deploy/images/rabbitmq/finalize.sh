#!/bin/sh
# Prepare the debootstrapped root ($1) of seamq-rabbitmq:local; $2 is this spec's folder.
# The package's configuration is replaced by the container's (every interface, console
# logs, the management and Prometheus plugins); the start script creates the fleet's user.
set -eu
root=$1
spec=$2
install -m 0644 "$spec/rabbitmq.conf" "$root/etc/rabbitmq/rabbitmq.conf"
install -m 0644 "$spec/enabled_plugins" "$root/etc/rabbitmq/enabled_plugins"
install -m 0755 "$spec/start-rabbitmq" "$root/usr/local/bin/start-rabbitmq"
rm -rf "$root"/var/lib/rabbitmq/mnesia "$root"/var/lib/rabbitmq/.erlang.cookie
chroot "$root" chown -R rabbitmq:rabbitmq /var/lib/rabbitmq /var/log/rabbitmq
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/usr/share/doc/* \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log "$root"/var/log/apt/*
