/**
 * Real Kafka brokers for tests: an in-process KRaft broker (needs
 * {@code org.apache.kafka:kafka-test-common-runtime} on the test class path), an external one named
 * by {@code KAFKA_BOOTSTRAP_SERVERS}, or a Testcontainers broker where a Docker engine answers
 * (needs {@code org.testcontainers:kafka}). Both dependencies are optional in {@code mq-testkit}:
 * add the one you use. Entry point: {@link io.gochat.mq.testkit.kafka.KafkaBrokerExtension}.
 *
 * <pre>{@code
 * class OrderServiceIT {
 *     @RegisterExtension
 *     static final KafkaBrokerExtension KAFKA = KafkaBrokerExtension.shared();
 *
 *     @Test
 *     void sendsOrders() {
 *         try (Producer producer = Mq.newProducer("orders", Option.withConfig(KAFKA.broker().config()))) {
 *             producer.sendSync(Message.of("orders", "o-1", "{}"));
 *         }
 *     }
 * }
 * }</pre>
 */
package io.gochat.mq.testkit.kafka;
