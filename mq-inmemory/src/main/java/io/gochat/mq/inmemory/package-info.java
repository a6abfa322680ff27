/**
 * The {@code "inmemory"} transport: an in-process broker with topics, partitions, retention and
 * consumer groups that keeps the contract of the Kafka transport, for unit tests and demos.
 *
 * <p>Public: {@link io.gochat.mq.inmemory.InMemoryTransportProvider} (found by {@code Mq} through
 * {@code ServiceLoader}), {@link io.gochat.mq.inmemory.InMemoryBroker} (to inspect the broker and
 * inject faults) and, in {@code io.gochat.mq.inmemory.junit}, the JUnit 5 extension. Everything
 * else is package-private.
 */
package io.gochat.mq.inmemory;
