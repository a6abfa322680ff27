package io.gochat.mq.kafka.internal;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.auth.SslEngineFactory;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Not API. The client-side TLS engine behind {@code insecure_skip_verify: true}: it accepts any
 * server certificate and host name, and still presents the client certificate of
 * {@code ssl.keystore.certificate.chain} / {@code ssl.keystore.key} (PEM, PKCS#8) for mutual TLS.
 * Kafka creates it by reflection, hence public. Thread-safe once configured.
 */
public final class InsecureSslEngineFactory implements SslEngineFactory {
    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private volatile SSLContext context;
    private volatile KeyStore keystore;

    /** Kafka's reflective constructor. */
    public InsecureSslEngineFactory() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
        try {
            String chain = text(configs.get(SslConfigs.SSL_KEYSTORE_CERTIFICATE_CHAIN_CONFIG));
            String key = text(configs.get(SslConfigs.SSL_KEYSTORE_KEY_CONFIG));
            KeyManager[] keyManagers = null;
            if (chain != null && key != null) {
                keystore = keyStore(chain, key);
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keystore, new char[0]);
                keyManagers = kmf.getKeyManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(keyManagers, new TrustManager[] {new TrustEverything()}, null);
            context = ctx;
        } catch (GeneralSecurityException | RuntimeException e) {
            // never include the key material in the message
            throw new KafkaException("could not build the TLS context for insecure_skip_verify: "
                    + e.getClass().getSimpleName(), e);
        }
    }

    @Override
    public SSLEngine createClientSslEngine(String peerHost, int peerPort, String endpointIdentification) {
        SSLEngine engine = context.createSSLEngine(peerHost, peerPort);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        params.setEndpointIdentificationAlgorithm(null);
        engine.setSSLParameters(params);
        return engine;
    }

    @Override
    public SSLEngine createServerSslEngine(String peerHost, int peerPort) {
        throw new IllegalStateException("InsecureSslEngineFactory serves clients only");
    }

    @Override
    public boolean shouldBeRebuilt(Map<String, Object> nextConfigs) {
        return false;
    }

    @Override
    public Set<String> reconfigurableConfigs() {
        return Set.of();
    }

    @Override
    public KeyStore keystore() {
        return keystore;
    }

    @Override
    public KeyStore truststore() {
        return null;
    }

    @Override
    public void close() {
    }

    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        return value instanceof Password ? ((Password) value).value() : value.toString();
    }

    private static KeyStore keyStore(String chainPem, String keyPem) throws GeneralSecurityException {
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        Certificate[] chain = cf.generateCertificates(new ByteArrayInputStream(chainPem.getBytes(StandardCharsets.US_ASCII)))
                .toArray(new Certificate[0]);
        if (chain.length == 0) {
            throw new GeneralSecurityException("no certificate in the client certificate file");
        }
        Matcher m = PKCS8.matcher(keyPem);
        if (!m.find()) {
            throw new GeneralSecurityException("no unencrypted PKCS#8 key in the client key file");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        String algorithm = chain[0].getPublicKey().getAlgorithm();
        PrivateKey key = KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        ks.setKeyEntry("client", key, new char[0], chain);
        return ks;
    }

    /** Accepts every chain; the extended variant keeps the JSSE from adding host name checks. */
    private static final class TrustEverything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
