package io.gochat.mq.testkit.kafka;

import io.gochat.mq.config.MqConfig;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.awaitility.Awaitility;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A KRaft broker inside the test JVM, on {@code kafka-test-common-runtime}'s
 * {@code KafkaClusterTestKit}: one controller and one broker in separate roles (so the broker can
 * be stopped and started on its port, and SASL works), set up for a one-broker cluster (internal
 * topics with one replica, no initial rebalance delay). Starts in a few seconds.
 *
 * <p>SASL brokers accept {@code PLAIN} ({@value #PLAIN_ADMIN}, a super user, and
 * {@value #PLAIN_USER}) and SCRAM users created with {@link #createScramUser}; other principals
 * need {@link #allowEverything}. TLS brokers present a {@code localhost} certificate of
 * {@link #tls()}'s CA and require a client certificate of the same CA. Thread-safe.
 */
public final class InProcessKafkaBroker implements KafkaBroker {
    /** The kit's PLAIN super user. */
    public static final String PLAIN_ADMIN = "plain-admin";
    /** {@link #PLAIN_ADMIN}'s password. */
    public static final String PLAIN_ADMIN_PASSWORD = "plain-admin-secret";
    /** The kit's ordinary PLAIN user: authenticated, authorized for nothing until granted. */
    public static final String PLAIN_USER = "plain-user1";
    /** {@link #PLAIN_USER}'s password. */
    public static final String PLAIN_USER_PASSWORD = "plain-user1-secret";

    private static final Logger LOG = LoggerFactory.getLogger(InProcessKafkaBroker.class);
    private static final Duration WAIT = Duration.ofSeconds(60);

    private final KafkaBrokerSpec spec;
    private final KafkaClusterTestKit cluster;
    private final TlsMaterial tls;
    private final Path tlsDir;
    private final String bootstrap;
    private boolean closed;
    private boolean stopped;

    private InProcessKafkaBroker(KafkaBrokerSpec spec, KafkaClusterTestKit cluster, TlsMaterial tls, Path tlsDir) {
        this.spec = spec;
        this.cluster = cluster;
        this.tls = tls;
        this.tlsDir = tlsDir;
        this.bootstrap = cluster.bootstrapServers();
    }

    /**
     * Starts a broker as {@code spec} says and waits until it serves.
     *
     * @throws IllegalStateException if it does not start
     */
    public static InProcessKafkaBroker start(KafkaBrokerSpec spec) {
        long started = System.nanoTime();
        Path tlsDir = null;
        TlsMaterial tls = null;
        KafkaClusterTestKit cluster = null;
        try {
            TestKitNodes.Builder nodes = new TestKitNodes.Builder().setCombined(false).setNumBrokerNodes(1)
                    .setNumControllerNodes(1);
            Map<String, String> brokerNode = new HashMap<>();
            if (spec.security() == KafkaBrokerSpec.Security.SASL_PLAINTEXT) {
                nodes.setBrokerSecurityProtocol(SecurityProtocol.SASL_PLAINTEXT);
                // cluster-wide, SCRAM would reach the controller listener and break it
                brokerNode.put("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512");
            }
            if (!brokerNode.isEmpty()) {
                nodes.setPerServerProperties(Map.of(0, brokerNode));
            }
            KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes.build())
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "5")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "false");
            if (spec.security() == KafkaBrokerSpec.Security.SASL_PLAINTEXT) {
                builder.setConfigProp("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                        .setConfigProp("super.users", "User:" + PLAIN_ADMIN + ";User:ANONYMOUS");
            }
            if (spec.security() == KafkaBrokerSpec.Security.SSL) {
                tlsDir = Files.createTempDirectory("gochat-kafka-tls-");
                tls = TlsMaterial.generate(tlsDir);
                String l = "listener.name.external.";
                builder.setConfigProp("listener.security.protocol.map", "EXTERNAL:SSL,CONTROLLER:PLAINTEXT")
                        .setConfigProp(l + "ssl.keystore.type", "PEM")
                        .setConfigProp(l + "ssl.keystore.certificate.chain", TlsMaterial.read(tls.serverCertFile()))
                        .setConfigProp(l + "ssl.keystore.key", TlsMaterial.read(tls.serverKeyFile()))
                        .setConfigProp(l + "ssl.truststore.type", "PEM")
                        .setConfigProp(l + "ssl.truststore.certificates", TlsMaterial.read(tls.caCertFile()))
                        .setConfigProp(l + "ssl.client.auth", "required");
            }
            spec.brokerProperties().forEach(builder::setConfigProp);
            cluster = builder.build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            InProcessKafkaBroker broker = new InProcessKafkaBroker(spec, cluster, tls, tlsDir);
            LOG.atInfo().setMessage("in-process kafka broker started")
                    .addKeyValue("bootstrap", broker.bootstrap).addKeyValue("spec", spec)
                    .addKeyValue("tookMs", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).log();
            return broker;
        } catch (Exception e) {
            if (cluster != null) {
                closeQuietly(cluster);
            }
            deleteQuietly(tlsDir);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("could not start an in-process Kafka broker (" + spec + "): " + e, e);
        }
    }

    @Override
    public String bootstrapServers() {
        return bootstrap;
    }

    @Override
    public MqConfig config() {
        return MqConfig.builder()
                .source("in-process kafka broker " + bootstrap)
                .common(c -> {
                    c.brokers(List.of(bootstrap.split(",")));
                    if (spec.security() == KafkaBrokerSpec.Security.SASL_PLAINTEXT) {
                        c.sasl(s -> s.mechanism("PLAIN").username(PLAIN_ADMIN).password(PLAIN_ADMIN_PASSWORD));
                    }
                    if (spec.security() == KafkaBrokerSpec.Security.SSL) {
                        c.ssl(s -> s.caCertFile(tls.caCertFile().toString())
                                .clientCertFile(tls.clientCertFile().toString())
                                .clientKeyFile(tls.clientKeyFile().toString()));
                    }
                })
                .build();
    }

    @Override
    public Map<String, Object> clientProperties() {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put("bootstrap.servers", bootstrap);
        switch (spec.security()) {
            case SASL_PLAINTEXT:
                props.put("security.protocol", "SASL_PLAINTEXT");
                props.put("sasl.mechanism", "PLAIN");
                props.put("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                        + PLAIN_ADMIN + "\" password=\"" + PLAIN_ADMIN_PASSWORD + "\";");
                break;
            case SSL:
                props.put("security.protocol", "SSL");
                props.put("ssl.truststore.type", "PEM");
                props.put("ssl.truststore.certificates", TlsMaterial.read(tls.caCertFile()));
                props.put("ssl.keystore.type", "PEM");
                props.put("ssl.keystore.certificate.chain", TlsMaterial.read(tls.clientCertFile()));
                props.put("ssl.keystore.key", TlsMaterial.read(tls.clientKeyFile()));
                break;
            default:
                break;
        }
        return props;
    }

    @Override
    public String description() {
        return "in-process KRaft broker " + bootstrap + " (" + spec.security() + ")";
    }

    /** The certificates of a TLS broker. */
    public TlsMaterial tls() {
        if (tls == null) {
            throw new IllegalStateException(description() + " has no TLS listener; start it with KafkaBrokerSpec.tls()");
        }
        return tls;
    }

    /** A Kafka admin client as the super user; close it. */
    public Admin admin() {
        return Admin.create(clientProperties());
    }

    /**
     * Creates or updates a SCRAM user on a SASL broker and waits until the broker knows it.
     *
     * @param mechanism {@code SCRAM-SHA-256} or {@code SCRAM-SHA-512}
     */
    public void createScramUser(String mechanism, String user, String password) {
        requireSasl();
        ScramMechanism m = ScramMechanism.fromMechanismName(mechanism);
        if (m == ScramMechanism.UNKNOWN) {
            throw new IllegalArgumentException("mechanism: expected SCRAM-SHA-256 or SCRAM-SHA-512 but was " + mechanism);
        }
        try (Admin admin = admin()) {
            admin.alterUserScramCredentials(List.of(new UserScramCredentialUpsertion(user, new ScramCredentialInfo(m, 4096), password)))
                    .all().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            Awaitility.await("SCRAM user " + user + " known to the broker").atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> admin.describeUserScramCredentials(List.of(user)).all().get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                            .get(user).credentialInfos().stream().anyMatch(i -> i.mechanism() == m));
        } catch (Exception e) {
            throw failure("create SCRAM user " + user, e);
        }
    }

    /** Grants {@code User:<user>} every operation on every topic and group of a SASL broker, and waits until it applies. */
    public void allowEverything(String user) {
        requireSasl();
        String principal = "User:" + user;
        AccessControlEntry all = new AccessControlEntry(principal, "*", AclOperation.ALL, AclPermissionType.ALLOW);
        Collection<AclBinding> bindings = List.of(
                new AclBinding(new ResourcePattern(ResourceType.TOPIC, "*", PatternType.LITERAL), all),
                new AclBinding(new ResourcePattern(ResourceType.GROUP, "*", PatternType.LITERAL), all));
        try (Admin admin = admin()) {
            admin.createAcls(bindings).all().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            Awaitility.await("ACLs of " + principal + " applied").atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> admin.describeAcls(AclBindingFilter.ANY).values().get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
                            .stream().filter(b -> b.entry().principal().equals(principal)).count() >= bindings.size());
        } catch (Exception e) {
            throw failure("grant ACLs to " + principal, e);
        }
    }

    @Override
    public boolean canRestart() {
        return true;
    }

    @Override
    public synchronized void stop() {
        if (stopped) {
            return;
        }
        BrokerServer broker = broker();
        broker.shutdown();
        broker.awaitShutdown();
        stopped = true;
        LOG.atInfo().setMessage("in-process kafka broker stopped").addKeyValue("bootstrap", bootstrap).log();
    }

    @Override
    public synchronized void start() {
        if (!stopped) {
            return;
        }
        try {
            broker().startup();
            cluster.waitForReadyBrokers();
            stopped = false;
        } catch (Exception e) {
            throw failure("restart " + description(), e);
        }
        LOG.atInfo().setMessage("in-process kafka broker started again").addKeyValue("bootstrap", bootstrap).log();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        closeQuietly(cluster);
        deleteQuietly(tlsDir);
    }

    private BrokerServer broker() {
        return cluster.brokers().values().iterator().next();
    }

    private void requireSasl() {
        if (spec.security() != KafkaBrokerSpec.Security.SASL_PLAINTEXT) {
            throw new IllegalStateException(description() + " has no SASL listener; start it with KafkaBrokerSpec.sasl()");
        }
    }

    private static IllegalStateException failure(String what, Exception e) {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        return new IllegalStateException("could not " + what + ": " + e, e);
    }

    private static void closeQuietly(KafkaClusterTestKit cluster) {
        try {
            cluster.close();
        } catch (Exception e) {
            LOG.atWarn().setMessage("in-process kafka broker did not shut down cleanly").setCause(e).log();
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.atDebug().setMessage("could not delete test certificates").addKeyValue("dir", dir).log();
        }
    }
}
