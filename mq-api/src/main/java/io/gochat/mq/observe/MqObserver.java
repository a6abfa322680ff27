package io.gochat.mq.observe;

/**
 * Observes the clients of this library. Implementations are thread-safe. Registered either with
 * {@code Option.withObserver(observer)} for the clients created with that option, or for every
 * client, as a {@link java.util.ServiceLoader} provider: a public class with a public no-argument
 * constructor named in {@code META-INF/services/io.gochat.mq.observe.MqObserver}.
 *
 * <pre>{@code
 * Consumer consumer = Mq.newConsumer("im-logic", "im-logic-group",
 *         Option.withObserver(client -> new ClientObserver() {
 *             public void committed(Partition partition, long offset, long logEndOffset) {
 *                 log.info("{} committed at {}, {} behind", partition, offset, logEndOffset - offset);
 *             }
 *         }));
 * }</pre>
 */
@FunctionalInterface
public interface MqObserver {
    /**
     * A client was created: returns what observes it until {@link ClientObserver#closed()}, or
     * {@link ClientObserver#NONE} to ignore it. Called once per client, on the creating thread.
     */
    ClientObserver client(ClientInfo client);
}
