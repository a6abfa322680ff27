package io.gochat.mq.otel;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The names {@link OtelObserver} gives its spans and their attributes, after one pinned version of
 * the OpenTelemetry messaging semantic conventions: {@value #SEMCONV_VERSION}
 * (<a href="https://github.com/open-telemetry/semantic-conventions/blob/v1.27.0/docs/messaging/kafka.md">messaging/kafka.md</a>,
 * <a href="https://github.com/open-telemetry/semantic-conventions/blob/v1.27.0/docs/messaging/messaging-spans.md">messaging-spans.md</a>).
 * The conventions' own artifact is not a dependency: these constants are the whole vocabulary, and
 * a change of convention version changes them here, in one place.
 *
 * <table>
 *   <caption>Spans</caption>
 *   <tr><th>span</th><th>kind</th><th>name</th></tr>
 *   <tr><td>one per send</td><td>{@code PRODUCER}</td><td>{@code send <topic>}</td></tr>
 *   <tr><td>one per callback run</td><td>{@code CONSUMER}</td><td>{@code process <topic>}</td></tr>
 * </table>
 *
 * <p>The message key ({@code messaging.kafka.message.key}) is never recorded: chat keys are user
 * ids. Constants only; thread-safe.
 */
public final class MessagingAttributes {
    /** The semantic conventions version these names follow. */
    public static final String SEMCONV_VERSION = "1.27.0";
    /** The schema URL of {@link #SEMCONV_VERSION}, given to the tracer. */
    public static final String SCHEMA_URL = "https://opentelemetry.io/schemas/" + SEMCONV_VERSION;

    /** {@code messaging.system}: always {@value #SYSTEM_KAFKA}. */
    public static final AttributeKey<String> MESSAGING_SYSTEM = AttributeKey.stringKey("messaging.system");
    /** {@code messaging.operation.name}: {@value #OPERATION_SEND} or {@value #OPERATION_PROCESS}. */
    public static final AttributeKey<String> MESSAGING_OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    /** {@code messaging.operation.type}: {@value #OPERATION_SEND} or {@value #OPERATION_PROCESS}. */
    public static final AttributeKey<String> MESSAGING_OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    /** {@code messaging.destination.name}: the topic. */
    public static final AttributeKey<String> MESSAGING_DESTINATION_NAME = AttributeKey.stringKey("messaging.destination.name");
    /**
     * {@code messaging.destination.partition.id}: the partition, as a string; consumer spans, and send
     * spans once the broker acknowledged the message (a send's partition is not known when it starts).
     */
    public static final AttributeKey<String> MESSAGING_DESTINATION_PARTITION_ID =
            AttributeKey.stringKey("messaging.destination.partition.id");
    /** {@code messaging.kafka.offset}: the record's offset; consumer spans, and acknowledged send spans. */
    public static final AttributeKey<Long> MESSAGING_KAFKA_OFFSET = AttributeKey.longKey("messaging.kafka.offset");
    /** {@code messaging.consumer.group.name}: the consumer group; consumer spans. */
    public static final AttributeKey<String> MESSAGING_CONSUMER_GROUP_NAME = AttributeKey.stringKey("messaging.consumer.group.name");
    /** {@code messaging.client.id}: the client id, {@code <clientIDPrefix>-<service>}. */
    public static final AttributeKey<String> MESSAGING_CLIENT_ID = AttributeKey.stringKey("messaging.client.id");
    /**
     * {@code error.type}: on a failed send or callback only, the fully qualified class name of what
     * was thrown (for a send, the library's {@code MqException} type), or {@value #ERROR_OTHER}.
     */
    public static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    /** The value of {@link #MESSAGING_SYSTEM}; also on the in-memory transport, which stands in for Kafka in tests. */
    public static final String SYSTEM_KAFKA = "kafka";
    /** Operation name and type of producer spans. */
    public static final String OPERATION_SEND = "send";
    /** Operation name and type of consumer spans. */
    public static final String OPERATION_PROCESS = "process";
    /** {@link #ERROR_TYPE} when a failure has no type to name. */
    public static final String ERROR_OTHER = "_OTHER";

    private MessagingAttributes() {
    }
}
