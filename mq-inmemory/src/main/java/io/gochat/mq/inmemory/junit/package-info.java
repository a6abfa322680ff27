/**
 * JUnit 5 support for testing with the in-memory transport: see
 * {@link io.gochat.mq.inmemory.junit.InMemoryMqExtension}. Needs {@code junit-jupiter-api} on the
 * test class path.
 */
package io.gochat.mq.inmemory.junit;
