package io.gochat.mq;

import java.util.List;

/**
 * A member of a consumer group. Create with {@link Mq#newConsumer}; one consumer serves one
 * {@link #subscribe} call.
 *
 * <p>Delivery is at least once: an offset is committed only after the callback for that message
 * has returned, every {@code consumer.autoCommitIntervalMs}, when partitions are taken away and on
 * {@link #close()}. After a clean close nothing is repeated; after a crash the messages processed
 * since the last commit are delivered again.
 *
 * <pre>{@code
 * Consumer consumer = Mq.newConsumer("im-logic", "im-logic-group");
 * Runtime.getRuntime().addShutdownHook(new Thread(consumer::close));
 * consumer.subscribe(List.of("gochat.messages.upstream"), msg -> handle(msg));  // blocks
 * }</pre>
 */
public interface Consumer extends AutoCloseable {

    /**
     * Joins the group, and runs {@code callback} for each message of {@code topics} on the calling
     * thread until {@link #close()}; then returns normally.
     *
     * <p>A broker that is away for a while is waited for. Only an unrecoverable error (bad
     * credentials, missing authorization, invalid configuration) ends it with an exception.
     *
     * @throws NullPointerException if {@code topics}, one of its elements, or {@code callback} is null
     * @throws IllegalArgumentException if {@code topics} is empty or names a blank topic
     * @throws IllegalStateException if called a second time, or after {@link #close()}
     * @throws MqException on an unrecoverable error
     */
    void subscribe(List<String> topics, ConsumeCallback callback);

    /**
     * Lets the message in hand finish, commits what was processed, leaves the group and makes
     * {@link #subscribe} return. Callable from any thread, also from inside the callback (then it
     * returns at once and the loop stops after the callback). Idempotent.
     */
    @Override
    void close();
}
