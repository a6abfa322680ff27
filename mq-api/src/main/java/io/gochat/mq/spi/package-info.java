/**
 * For transport and configuration-source authors, not for application code.
 *
 * <p>A transport implements {@link io.gochat.mq.spi.TransportProvider} and registers it in
 * {@code META-INF/services/io.gochat.mq.spi.TransportProvider}; {@code Mq} finds it with
 * {@link java.util.ServiceLoader}. A configuration source implements
 * {@link io.gochat.mq.spi.ConfigLoader} the same way. {@link io.gochat.mq.spi.TraceContext},
 * {@link io.gochat.mq.spi.CallbackRunner} and {@link io.gochat.mq.spi.ApiPreconditions} give every
 * transport the same trace-id, error-logging and argument-checking behaviour;
 * {@link io.gochat.mq.spi.KeyOrderedDispatcher} the same parallel consumption at
 * {@code consumer.concurrency > 1}. The contract every
 * transport keeps is written in {@code docs/contract.md} of this repository; a transport proves
 * it by passing the contract suite of {@code mq-testkit}. Reading and building messages without
 * defensive copies, and building a received message at all, goes through
 * {@code io.gochat.mq.internal.MessageAccess}, which is not API.
 */
package io.gochat.mq.spi;
