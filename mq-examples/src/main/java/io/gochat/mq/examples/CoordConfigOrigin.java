package io.gochat.mq.examples;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where {@code mq-coord} will find {@code kafka.yaml} for a command of this module ({@code bin/demo},
 * {@code bin/mq}): a {@code --config} file, {@code -Dmq.config.file}, {@code MQ_CONFIG_FILE},
 * {@code -Dmq.consul.addr} or {@code CONSUL_HTTP_ADDR}, first that is set. Also points mq-coord at a
 * {@code --config} file for the length of a run. Stateless apart from {@link FileScope}.
 */
final class CoordConfigOrigin {
    private CoordConfigOrigin() {
    }

    /**
     * Says where the configuration comes from, for the output, or {@code null} when nothing points
     * at a configuration centre.
     *
     * @param configFile {@code --config}, or null
     * @param env the process environment
     */
    static String describe(Path configFile, Map<String, String> env) {
        if (configFile != null) {
            return "file " + configFile.toAbsolutePath();
        } else if (notBlank(System.getProperty("mq.config.file"))) {
            return "file " + System.getProperty("mq.config.file") + " (-Dmq.config.file)";
        } else if (notBlank(env.get("MQ_CONFIG_FILE"))) {
            return "file " + env.get("MQ_CONFIG_FILE") + " (MQ_CONFIG_FILE)";
        } else if (notBlank(System.getProperty("mq.consul.addr"))) {
            return "Consul at " + System.getProperty("mq.consul.addr") + " (-Dmq.consul.addr)";
        } else if (notBlank(env.get("CONSUL_HTTP_ADDR"))) {
            return "Consul at " + env.get("CONSUL_HTTP_ADDR") + " (CONSUL_HTTP_ADDR), env "
                    + (notBlank(env.get("APP_ENV")) ? env.get("APP_ENV") : "dev");
        }
        return null;
    }

    /**
     * Sets {@code -Dmq.config.file} to {@code configFile} (mq-coord reads it at each load) until the
     * scope is closed, which restores the previous value. {@code null}: changes nothing.
     */
    static FileScope useFile(Path configFile) {
        return new FileScope(configFile);
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }

    /** A {@code --config} file in force; close on the thread that opened it. */
    static final class FileScope implements AutoCloseable {
        private final boolean set;
        private final String previous;

        private FileScope(Path configFile) {
            this.set = configFile != null;
            this.previous = System.getProperty("mq.config.file");
            if (set) {
                System.setProperty("mq.config.file", configFile.toAbsolutePath().toString());
            }
        }

        @Override
        public void close() {
            if (!set) {
                return;
            }
            if (previous == null) {
                System.clearProperty("mq.config.file");
            } else {
                System.setProperty("mq.config.file", previous);
            }
        }
    }
}
