package io.gochat.mq.testkit.kafka;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority with a {@code localhost} server certificate and a client
 * certificate, as the PEM files the seed's {@code common.security.ssl} block names. Made with the
 * JDK's {@code keytool} (no OpenSSL needed); keys are unencrypted PKCS#8. Valid for two days.
 *
 * <p>A second {@code generate} gives an unrelated CA: its {@link #caCertFile()} does not trust the
 * first one's server, which is how a test provokes an untrusted-certificate error. Immutable.
 */
public final class TlsMaterial {
    private static final String PASS = "testkit-store-pass";

    private final Path dir;

    private TlsMaterial(Path dir) {
        this.dir = dir;
    }

    /**
     * Generates the CA, a server certificate for {@code localhost}/{@code 127.0.0.1} and a client
     * certificate ({@code CN=gochat-test-client}) into {@code dir}.
     *
     * @throws IllegalStateException if {@code keytool} fails
     */
    public static TlsMaterial generate(Path dir) {
        try {
            Files.createDirectories(dir);
            TlsMaterial m = new TlsMaterial(dir);
            m.keytool("-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=gochat-test-ca-" + Long.toHexString(System.nanoTime()), "-ext", "bc:c",
                    "-keystore", "ca.p12", "-storetype", "PKCS12", "-storepass", PASS);
            m.keytool("-exportcert", "-rfc", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PASS, "-file", "ca.pem");
            m.issue("server", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
            m.issue("client", "CN=gochat-test-client", null);
            return m;
        } catch (IOException e) {
            throw new IllegalStateException("could not generate test certificates in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The CA certificate (PEM): {@code ca_cert_file}. */
    public Path caCertFile() {
        return dir.resolve("ca.pem");
    }

    /** The client certificate chain (PEM): {@code client_cert_file}. */
    public Path clientCertFile() {
        return dir.resolve("client-chain.pem");
    }

    /** The client's PKCS#8 private key (PEM): {@code client_key_file}. */
    public Path clientKeyFile() {
        return dir.resolve("client-key.pem");
    }

    /** The server certificate chain (PEM), for a broker listener. */
    public Path serverCertFile() {
        return dir.resolve("server-chain.pem");
    }

    /** The server's PKCS#8 private key (PEM), for a broker listener. */
    public Path serverKeyFile() {
        return dir.resolve("server-key.pem");
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalStateException("could not read " + file, e);
        }
    }

    private void issue(String name, String dname, String san) throws IOException {
        String store = name + ".p12";
        keytool("-genkeypair", "-alias", name, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2", "-dname", dname,
                "-keystore", store, "-storetype", "PKCS12", "-storepass", PASS);
        keytool("-certreq", "-alias", name, "-keystore", store, "-storepass", PASS, "-file", name + ".csr");
        List<String> gencert = new ArrayList<>(List.of("-gencert", "-rfc", "-alias", "ca", "-keystore", "ca.p12",
                "-storepass", PASS, "-validity", "2", "-infile", name + ".csr", "-outfile", name + ".pem"));
        if (san != null) {
            gencert.add("-ext");
            gencert.add(san);
        }
        keytool(gencert.toArray(new String[0]));
        Files.writeString(dir.resolve(name + "-chain.pem"),
                read(dir.resolve(name + ".pem")) + read(dir.resolve("ca.pem")), StandardCharsets.US_ASCII);
        Files.writeString(dir.resolve(name + "-key.pem"), pkcs8(dir.resolve(store), name), StandardCharsets.US_ASCII);
    }

    private static String pkcs8(Path store, String alias) throws IOException {
        try (InputStream in = Files.newInputStream(store)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, PASS.toCharArray());
            Key key = ks.getKey(alias, PASS.toCharArray());
            return "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
        } catch (GeneralSecurityException e) {
            throw new IOException("could not read the key of " + alias + " from " + store, e);
        }
    }

    private void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.add("-J-XX:TieredStopAtLevel=1");
        command.add("-J-XX:+UseSerialGC");
        command.add("-noprompt");
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("keytool " + args[0] + " failed: " + new String(out, StandardCharsets.UTF_8).trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running keytool", e);
        }
    }

    @Override
    public String toString() {
        return "TlsMaterial{" + dir + '}';
    }
}
