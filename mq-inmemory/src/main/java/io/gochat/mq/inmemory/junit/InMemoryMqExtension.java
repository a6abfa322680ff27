package io.gochat.mq.inmemory.junit;

import io.gochat.mq.Mq;
import io.gochat.mq.inmemory.InMemoryBroker;
import io.gochat.mq.inmemory.InMemoryTransportProvider;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import java.util.Objects;

/**
 * A JUnit 5 extension that runs each test on a fresh in-memory broker: code under test that
 * calls {@code Mq.newProducer("svc")} or {@code Mq.newConsumer("svc", "group")} without options
 * gets the {@code "inmemory"} transport, needs no {@code kafka.yaml}, and talks to a broker the
 * test can inspect.
 *
 * <p>Before each test it sets the system property {@code mq.transport=inmemory} and starts from an
 * empty {@linkplain InMemoryBroker#getDefault() default broker}; after the test it closes that
 * broker (every consumer still subscribed returns from {@code subscribe}) and restores the
 * property. A test or lifecycle method may declare an {@link InMemoryBroker} parameter to get
 * the broker of the current test.
 *
 * <pre>{@code
 * @ExtendWith(InMemoryMqExtension.class)
 * class GreeterTest {
 *     @Test
 *     void greetingIsPublishedUnderTheUsersKey(InMemoryBroker broker) {
 *         try (Producer producer = Mq.newProducer("greeter")) {
 *             producer.sendSync(Message.of("greetings", "alice", "hello"));
 *         }
 *         assertThat(broker.messages("greetings")).singleElement()
 *                 .extracting(Message::keyAsString).isEqualTo("alice");
 *     }
 * }
 * }</pre>
 *
 * <p>For a broker with other settings, register the extension with a builder; it builds a new
 * broker from it for every test:
 * <pre>{@code
 * @RegisterExtension
 * static InMemoryMqExtension mq = InMemoryMqExtension.with(InMemoryBroker.builder().defaultPartitions(1));
 * }</pre>
 *
 * <p>The system property and the default broker are JVM-wide: do not run tests that use this
 * extension in parallel with each other.
 */
public final class InMemoryMqExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(InMemoryMqExtension.class);
    private static final String PREVIOUS_TRANSPORT = "previousTransport";
    private static final String BROKER = "broker";

    private final InMemoryBroker.Builder builder;

    /** Runs each test on a default broker with the default settings. For {@code @ExtendWith}. */
    public InMemoryMqExtension() {
        this.builder = null;
    }

    private InMemoryMqExtension(InMemoryBroker.Builder builder) {
        this.builder = builder;
    }

    /**
     * Runs each test on a broker built from {@code builder}. Give the builder no name (so it
     * becomes the default broker), or make the code under test pick its name with the common
     * property {@value InMemoryBroker#BROKER_PROPERTY}.
     */
    public static InMemoryMqExtension with(InMemoryBroker.Builder builder) {
        return new InMemoryMqExtension(Objects.requireNonNull(builder, "builder must not be null"));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        store.put(PREVIOUS_TRANSPORT, new Previous(System.getProperty(Mq.TRANSPORT_PROPERTY)));
        System.setProperty(Mq.TRANSPORT_PROPERTY, InMemoryTransportProvider.NAME);
        InMemoryBroker.resetDefault();
        store.put(BROKER, builder == null ? InMemoryBroker.getDefault() : builder.build());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ExtensionContext.Store store = context.getStore(NAMESPACE);
        try {
            InMemoryBroker broker = store.remove(BROKER, InMemoryBroker.class);
            if (broker != null) {
                broker.close();
            }
            InMemoryBroker.resetDefault();
        } finally {
            Previous previous = store.remove(PREVIOUS_TRANSPORT, Previous.class);
            if (previous == null || previous.value == null) {
                System.clearProperty(Mq.TRANSPORT_PROPERTY);
            } else {
                System.setProperty(Mq.TRANSPORT_PROPERTY, previous.value);
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == InMemoryBroker.class;
    }

    /** The broker of the current test. */
    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        InMemoryBroker broker = extensionContext.getStore(NAMESPACE).get(BROKER, InMemoryBroker.class);
        return broker != null ? broker : InMemoryBroker.getDefault();
    }

    /** The system property's value before the test; {@code null} when it was not set. */
    private static final class Previous {
        final String value;

        Previous(String value) {
            this.value = value;
        }
    }

    @Override
    public String toString() {
        return "InMemoryMqExtension";
    }
}
