package io.faultline.operator.certs;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A server key manager whose certificate can be replaced while the server runs: every new TLS handshake uses the
 * certificate installed last, connections already open keep theirs. This is how the webhook rotates without a restart.
 */
public final class RotatingKeyManager extends X509ExtendedKeyManager {
    private final AtomicReference<X509ExtendedKeyManager> current = new AtomicReference<>();
    private final AtomicReference<ServingCertificate> installed = new AtomicReference<>();

    public void install(ServingCertificate serving) {
        current.set(build(serving));
        installed.set(serving);
    }

    public ServingCertificate installed() {
        return installed.get();
    }

    /** A TLS server context backed by this key manager. */
    public SSLContext sslContext() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {this}, null, new SecureRandom());
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509ExtendedKeyManager build(ServingCertificate serving) {
        try {
            PrivateKey key = CertificateAuthority.readPrivateKey(serving.keyPem());
            List<X509Certificate> chain = Pem.certificates(serving.certificatePem());
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("serving", key, new char[0], chain.toArray(new X509Certificate[0]));
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(store, new char[0]);
            for (KeyManager manager : factory.getKeyManagers()) {
                if (manager instanceof X509ExtendedKeyManager extended) {
                    return extended;
                }
            }
            throw new IllegalStateException("no X509 key manager available");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalArgumentException("the serving certificate and key cannot be used: " + e.getMessage(), e);
        }
    }

    private X509ExtendedKeyManager delegate() {
        X509ExtendedKeyManager manager = current.get();
        if (manager == null) {
            throw new IllegalStateException("no serving certificate installed yet");
        }
        return manager;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return delegate().getServerAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return delegate().chooseServerAlias(keyType, issuers, socket);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return delegate().chooseEngineServerAlias(keyType, issuers, engine);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return delegate().getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return delegate().getPrivateKey(alias);
    }
}
