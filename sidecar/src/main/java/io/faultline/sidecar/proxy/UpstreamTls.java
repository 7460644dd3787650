package io.faultline.sidecar.proxy;

import io.faultline.sidecar.config.ListenerSpec;
import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.io.File;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/** TLS origination toward {@code tls://} upstreams, with hostname verification always on. */
public final class UpstreamTls {
    private UpstreamTls() {
    }

    /** Null for plain upstreams; IllegalArgumentException when the CA file is unusable. */
    public static SslContext contextFor(ListenerSpec spec) {
        if (!spec.upstream().tls()) {
            return null;
        }
        try {
            SslContextBuilder b = SslContextBuilder.forClient();
            if (spec.tls().caFile() != null) {
                b.trustManager(new File(spec.tls().caFile()));
            }
            return b.build();
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot use CA file '" + spec.tls().caFile() + "': " + e.getMessage()
                            + "; expected a PEM file of CA certificates");
        }
    }

    public static SslHandler handler(SslContext context, ListenerSpec spec, Channel channel) {
        return handler(context, spec, channel, new String[0]);
    }

    /** As above, offering {@code alpn} (e.g. h2, http/1.1) when not empty. */
    public static SslHandler handler(SslContext context, ListenerSpec spec, Channel channel, String... alpn) {
        String serverName = spec.tls().serverName() != null ? spec.tls().serverName() : spec.upstream().address().host();
        SslHandler handler = context.newHandler(channel.alloc(), serverName, spec.upstream().address().port());
        SSLEngine engine = handler.engine();
        SSLParameters params = engine.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        if (alpn.length > 0) {
            params.setApplicationProtocols(alpn);
        }
        engine.setSSLParameters(params);
        return handler;
    }

    /** The protocol the upstream chose by ALPN once the handshake is done; "" when none. */
    public static String negotiated(SslHandler handler) {
        String protocol = handler.engine().getApplicationProtocol();
        return protocol == null ? "" : protocol;
    }
}
