package io.gochat.mq.spi;

import io.gochat.mq.config.MqConfig;

import java.util.List;
import java.util.Optional;

/**
 * Finds the configuration of a service when the caller gave none with
 * {@code Option.withConfig}. {@code mq-coord} implements it (local file, Consul KV, class path).
 * Register in {@code META-INF/services/io.gochat.mq.spi.ConfigLoader}; at most one may be present.
 * Must be thread-safe: {@code Mq} finds the loader once and calls it for every client, so it may
 * remember what it already warned about and warn once per configuration, not once per client.
 */
public interface ConfigLoader {

    /**
     * Loads and validates the configuration for {@code serviceName}.
     *
     * @return the configuration (service overrides may still be unmerged: {@code Mq} applies
     *     {@link MqConfig#forService}), or empty when no place had one
     * @throws io.gochat.mq.MqConfigException when a configuration was found but is invalid, or a
     *     place that must answer could not be read
     */
    Optional<MqConfig> load(String serviceName);

    /** The places {@link #load} looks at, for the error message when none answers. */
    List<String> placesTried(String serviceName);
}
