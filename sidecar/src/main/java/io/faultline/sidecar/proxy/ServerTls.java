package io.faultline.sidecar.proxy;

import io.faultline.sidecar.config.TlsTermination;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * TLS termination for one listener: the server context built from the certificate and key files.
 * {@link #reloadIfChanged} (control thread) rebuilds it when the files change on disk; new connections
 * take the new context, open ones keep theirs, and broken files keep the last good context.
 */
public final class ServerTls {
    private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "EdDSA", "RSASSA-PSS", "DSA");

    private final TlsTermination spec;
    private volatile SslContext context;
    private volatile String subject;
    private FileStamp loaded;
    private FileStamp lastFailed;

    /** A certificate or key file that cannot be used; {@code field} is {@code certFile} or {@code keyFile}. */
    public static final class BadFile extends IllegalArgumentException {
        private final String field;

        BadFile(String field, String message) {
            super(message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** What tells a changed file: modification time and size of both files. */
    private record FileStamp(long certModified, long certSize, long keyModified, long keySize) {
        static FileStamp of(TlsTermination spec) {
            BasicFileAttributes cert = attributes(spec.certFile());
            BasicFileAttributes key = attributes(spec.keyFile());
            return new FileStamp(
                    cert == null ? -1 : cert.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                    cert == null ? -1 : cert.size(),
                    key == null ? -1 : key.lastModifiedTime().to(TimeUnit.NANOSECONDS),
                    key == null ? -1 : key.size());
        }

        private static BasicFileAttributes attributes(String file) {
            try {
                return Files.readAttributes(Path.of(file), BasicFileAttributes.class);
            } catch (IOException e) {
                return null;
            }
        }
    }

    private ServerTls(TlsTermination spec) {
        this.spec = spec;
    }

    /** Null for listeners without termination; {@link BadFile} when the files cannot serve TLS. */
    public static ServerTls load(TlsTermination spec) {
        if (spec == null || !spec.enabled()) {
            return null;
        }
        ServerTls tls = new ServerTls(spec);
        FileStamp stamp = FileStamp.of(spec);
        tls.install(build(spec), stamp);
        return tls;
    }

    public TlsTermination spec() {
        return spec;
    }

    /** The subject of the certificate served now, e.g. {@code CN=api.internal}. */
    public String subject() {
        return subject;
    }

    /** The handler that terminates TLS for one new client connection, without ALPN. */
    public SslHandler newHandler(Channel client, Duration handshakeTimeout) {
        return newHandler(client, handshakeTimeout, null);
    }

    /**
     * As above; {@code alpn} (when not null) picks the protocol from those the client offers, during
     * the handshake: "" = none (the client goes on without ALPN), never null.
     */
    public SslHandler newHandler(Channel client, Duration handshakeTimeout, Function<List<String>, String> alpn) {
        SslHandler handler = context.newHandler(client.alloc());
        handler.setHandshakeTimeout(handshakeTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (alpn != null) {
            handler.engine().setHandshakeApplicationProtocolSelector((engine, offered) -> alpn.apply(offered));
        }
        return handler;
    }

    /** The outcome of one check of the files. */
    public enum Reload { UNCHANGED, RELOADED, FAILED, STILL_FAILED }

    /**
     * Rebuilds the context when the files changed since the last load. A failure keeps the good
     * context; the same broken files are reported once, not at every check.
     */
    public Reload reloadIfChanged(Consumer<BadFile> onFailure) {
        FileStamp stamp = FileStamp.of(spec);
        if (stamp.equals(loaded)) {
            return Reload.UNCHANGED;
        }
        if (stamp.equals(lastFailed)) {
            return Reload.STILL_FAILED;
        }
        try {
            install(build(spec), stamp);
            lastFailed = null;
            return Reload.RELOADED;
        } catch (BadFile e) {
            lastFailed = stamp;
            onFailure.accept(e);
            return Reload.FAILED;
        }
    }

    private void install(Built built, FileStamp stamp) {
        this.context = built.context();
        this.subject = built.subject();
        this.loaded = stamp;
    }

    private record Built(SslContext context, String subject) {
    }

    private static Built build(TlsTermination spec) {
        X509Certificate[] chain = readCertificates(spec.certFile());
        PrivateKey key = readPrivateKey(spec.keyFile());
        if (!matches(key, chain[0].getPublicKey())) {
            throw new BadFile("keyFile", "the key in '" + spec.keyFile() + "' does not belong to the certificate "
                    + chain[0].getSubjectX500Principal().getName() + " in certFile '" + spec.certFile() + "'");
        }
        try {
            SslContext context = SslContextBuilder.forServer(key, chain).sslProvider(SslProvider.JDK).build();
            return new Built(context, chain[0].getSubjectX500Principal().getName());
        } catch (IOException | RuntimeException e) {
            throw new BadFile("certFile", "cannot serve TLS with '" + spec.certFile() + "': " + e.getMessage());
        }
    }

    private static byte[] read(String field, String file) {
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new BadFile(field, "no such file '" + file + "'");
        } catch (IOException | RuntimeException e) {
            throw new BadFile(field, "cannot read '" + file + "': " + e);
        }
    }

    private static X509Certificate[] readCertificates(String file) {
        byte[] pem = read("certFile", file);
        try {
            X509Certificate[] chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(pem)).stream()
                    .map(X509Certificate.class::cast)
                    .toArray(X509Certificate[]::new);
            if (chain.length == 0) {
                throw new BadFile("certFile", "no certificate in '" + file + "'; expected PEM certificates "
                        + "(-----BEGIN CERTIFICATE-----), the server's first");
            }
            return chain;
        } catch (GeneralSecurityException | RuntimeException e) {
            if (e instanceof BadFile bad) {
                throw bad;
            }
            throw new BadFile("certFile", "'" + file + "' is not a PEM certificate chain (" + e.getMessage()
                    + "); expected PEM certificates (-----BEGIN CERTIFICATE-----), the server's first");
        }
    }

    private static PrivateKey readPrivateKey(String file) {
        String pem = new String(read("keyFile", file), StandardCharsets.US_ASCII);
        PemKeys.Pkcs8 key;
        try {
            key = PemKeys.pkcs8(file, pem);
        } catch (PemKeys.BadKey e) {
            throw new BadFile("keyFile", e.getMessage());
        }
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(key.der()));
            } catch (GeneralSecurityException | RuntimeException e) {
                // try the next algorithm
            }
        }
        throw new BadFile("keyFile", "the key in '" + file + "' (BEGIN " + key.label() + ") cannot be read: not an "
                + "RSA, EC, EdDSA or DSA key the JDK knows, or a damaged one");
    }

    /** A signature made with the key verifies with the certificate's public key. */
    private static boolean matches(PrivateKey key, PublicKey certificateKey) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            case "DSA" -> "SHA256withDSA";
            default -> null;
        };
        if (algorithm == null) {
            return key.getAlgorithm().equals(certificateKey.getAlgorithm()); // the TLS handshake checks the rest
        }
        try {
            byte[] challenge = "faultline key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificateKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // e.g. an EC key for an RSA certificate
        }
    }
}
