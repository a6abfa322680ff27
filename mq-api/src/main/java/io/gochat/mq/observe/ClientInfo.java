package io.gochat.mq.observe;

import java.util.Objects;

/**
 * Which client an observer sees.
 *
 * @param kind            producer, consumer or admin client
 * @param service         the service name given to {@code Mq.newProducer} and friends
 * @param clientId        the client id ({@code <clientIDPrefix>-<service>})
 * @param group           the consumer group; {@code null} for producers and admin clients
 * @param transport       the transport's name ({@code kafka}, {@code inmemory}, …)
 * @param transportClient the transport's own client (Kafka's {@code KafkaProducer} or
 *                        {@code KafkaConsumer}), for reading its metrics only — never to send,
 *                        poll or close with; {@code null} when the transport has none
 */
public record ClientInfo(Kind kind, String service, String clientId, String group, String transport,
                         Object transportClient) {
    /** What a client does. */
    public enum Kind { PRODUCER, CONSUMER, ADMIN }

    public ClientInfo {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(transport, "transport");
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + clientId + (group == null ? "" : " of group " + group)
                + " (" + transport + ")";
    }
}
