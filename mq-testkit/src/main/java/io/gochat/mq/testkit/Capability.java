package io.gochat.mq.testkit;

/** Optional abilities of a {@link TransportFixture}; contract tests that need one are skipped without it. */
public enum Capability {
    /** {@link TransportFixture#crash} can kill a consumer without letting it commit. */
    CRASH,
    /** {@link TransportFixture#restartBroker} can stop and start the broker while clients run. */
    BROKER_RESTART
}
