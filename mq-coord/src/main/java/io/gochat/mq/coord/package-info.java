/**
 * Configuration from the coord config centre: finds {@code kafka.yaml} in a local file, Consul KV
 * or on the class path, validates it once and hands {@code Mq} a typed
 * {@link io.gochat.mq.config.MqConfig}.
 *
 * <p>Public: {@link io.gochat.mq.coord.CoordConfigLoader}, the
 * {@link io.gochat.mq.spi.ConfigLoader} that {@code Mq} finds through
 * {@link java.util.ServiceLoader} (applications only put this module on the class path), and
 * {@link io.gochat.mq.coord.KafkaYaml}, to read YAML text that is already at hand. Everything else
 * is package-private. The Consul client library is used by one class only, so it can be swapped.
 * This package knows nothing of Kafka classes. Every key, default and setting is described in
 * {@code docs/configuration.md}.
 */
package io.gochat.mq.coord;
