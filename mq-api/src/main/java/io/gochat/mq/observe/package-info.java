/**
 * Observing clients: metrics, tracing and health plug in here. An {@link io.gochat.mq.observe.MqObserver}
 * given with {@code Option.withObserver} or registered for {@link java.util.ServiceLoader} (a module
 * on the class path is enough) gets a {@link io.gochat.mq.observe.ClientObserver} for every client,
 * which the transports call at their seams: sends, callbacks, commits, partition changes, retries,
 * dead letters. Every method has a no-op default; an exception an observer throws is logged and
 * never breaks delivery. {@link io.gochat.mq.observe.ConsumerHealth} is one observer, in the API.
 */
package io.gochat.mq.observe;
