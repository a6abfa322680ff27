package io.gochat.mq.kafka;

import io.gochat.mq.MqClosedException;
import io.gochat.mq.MqConfigException;
import io.gochat.mq.MqException;
import io.gochat.mq.MqTimeoutException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Turns Kafka's exceptions into {@link MqException}s whose message says what happened, to what,
 * and what to check; the Kafka exception stays the cause. Never puts a property value that could
 * be a secret into a message. Stateless.
 */
final class KafkaErrors {
    private KafkaErrors() {
    }

    /**
     * A failed send of a message to {@code topic}. {@code noBrokerConnected} is asked only for a
     * timeout: whether the producer had no connection to any broker when it gave up, which turns
     * "the topic may not exist" and "not acknowledged in time" into "the brokers are unreachable".
     */
    static MqException send(String topic, Throwable e, Map<String, Object> props, BooleanSupplier noBrokerConnected) {
        if (e instanceof MqException) {
            return (MqException) e;
        }
        if (e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException) {
            return new MqException("send to topic " + topic + " failed: the message is too large: " + e.getMessage()
                    + " (producer limit max.request.size=" + props.getOrDefault("max.request.size", "1048576 (default)")
                    + "; the broker's message.max.bytes and the topic's max.message.bytes limit it too)", e);
        }
        if (e instanceof TimeoutException) {
            return timeout(topic, (TimeoutException) e, props, noBrokerConnected.getAsBoolean());
        }
        if (e instanceof UnknownTopicOrPartitionException) {
            return new MqException("send to topic " + topic + " failed: the topic does not exist: " + e.getMessage(), e);
        }
        if ((e instanceof IllegalStateException || e instanceof KafkaException)
                && String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("closed")) {
            // "Cannot perform operation after producer has been closed", "Producer closed while send
            // in progress", "Producer is closed forcefully"
            return new MqClosedException("send to topic " + topic + " failed: the producer was closed before the broker"
                    + " acknowledged the message (" + e.getMessage() + ")");
        }
        MqException security = security(e, props, "send to topic " + topic);
        if (security != null) {
            return security;
        }
        return new MqException("send to topic " + topic + " failed: " + describe(e), e);
    }

    private static MqTimeoutException timeout(String topic, TimeoutException e, Map<String, Object> props,
                                              boolean noBrokerConnected) {
        String text = String.valueOf(e.getMessage());
        boolean noMetadata = text.contains("not present in metadata");
        if (noBrokerConnected) {
            String bound = noMetadata ? "max.block.ms=" + props.get("max.block.ms")
                    : "producer.deliveryTimeoutMs=" + props.get("delivery.timeout.ms");
            return new MqTimeoutException("send to topic " + topic + " failed: no broker could be reached within " + bound
                    + " ms (common.brokers " + props.get("bootstrap.servers") + "; this producer had no open connection"
                    + " to any broker). Check that the brokers are up and reachable from this host. Kafka said: " + text, e);
        }
        if (noMetadata) {
            return new MqTimeoutException("send to topic " + topic + " failed: the topic does not exist or this client"
                    + " may not see it (not in the brokers' metadata within max.block.ms="
                    + props.get("max.block.ms") + " ms). Create it with AdminClient.createTopic, or check the"
                    + " brokers " + props.get("bootstrap.servers") + " are reachable. Kafka said: " + text, e);
        }
        return new MqTimeoutException("send to topic " + topic + " was not acknowledged within producer.deliveryTimeoutMs="
                + props.get("delivery.timeout.ms") + " ms (brokers " + props.get("bootstrap.servers")
                + "): " + text, e);
    }

    /**
     * An authentication or authorization failure, described with the brokers, protocol, mechanism
     * and user (never the password); {@code null} for anything else.
     */
    static MqException security(Throwable e, Map<String, Object> props, String what) {
        String who = " (brokers " + props.get("bootstrap.servers") + ", security.protocol="
                + props.get("security.protocol") + (props.containsKey("sasl.mechanism")
                ? ", sasl.mechanism=" + props.get("sasl.mechanism") : "") + ")";
        if (e instanceof SslAuthenticationException) {
            return new MqException(what + " failed: the TLS handshake with the brokers failed" + who
                    + ": " + rootMessage(e) + ". Check common.security.ssl.ca_cert_file (the CA that signed the brokers'"
                    + " certificates), the client certificate and key, and that the broker's certificate names the host.", e);
        }
        if (e instanceof AuthenticationException) {
            return new MqException(what + " failed: the brokers refused the credentials" + who + ": " + e.getMessage()
                    + ". Check common.security.sasl.mechanism, username and password.", e);
        }
        if (e instanceof TopicAuthorizationException) {
            return new MqException(what + " failed: not authorized for topics "
                    + ((TopicAuthorizationException) e).unauthorizedTopics() + who
                    + "; grant this principal access with ACLs.", e);
        }
        if (e instanceof GroupAuthorizationException) {
            return new MqException(what + " failed: not authorized for consumer group "
                    + ((GroupAuthorizationException) e).groupId() + who + "; grant this principal READ on the group.", e);
        }
        if (e instanceof ClusterAuthorizationException || e instanceof AuthorizationException) {
            return new MqException(what + " failed: not authorized" + who + ": " + e.getMessage(), e);
        }
        return null;
    }

    /** A Kafka client that could not be created from the configuration. */
    static MqConfigException creation(String kind, Throwable e, String source, Map<String, Object> props) {
        // Kafka wraps the real reason ("No resolvable bootstrap urls ...") in "Failed to construct ..."
        Throwable reason = e;
        while (reason.getCause() != null && reason.getCause() != reason && !(reason instanceof ConfigException)) {
            reason = reason.getCause();
        }
        String text = reason instanceof ConfigException ? reason.getMessage() : describe(reason);
        String hint = String.valueOf(text).contains("bootstrap")
                ? ". Check common.brokers " + props.get("bootstrap.servers")
                        + ": the host name cannot be resolved (none of them resolves to an address)"
                : "";
        return new MqConfigException("could not create the Kafka " + kind + ": " + text + hint + " (" + source + ")", e);
    }

    static String describe(Throwable e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " <- " + describe(root);
    }
}
