package io.faultline.sidecar.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;

/** Opens the upstream connection of one client connection (lazily, and again after the upstream closed). */
public interface UpstreamConnector {
    /**
     * Connects on the client's event loop, AUTO_READ off; the new channel's pipeline ends with
     * {@code handlers} (the HTTP codec and the proxy's handler), after TLS if the upstream needs it.
     */
    ChannelFuture connect(Channel client, ChannelHandler... handlers);

    /** Told about every failed connect (counting and rate-limited logging). */
    default void connectFailed(Throwable cause) {
    }

    /**
     * As {@link #connect}, for an HTTP/2 connection: to a TLS upstream the future completes once the
     * handshake agreed on h2 by ALPN (the handlers are added then), else it fails with {@link H2Refused}.
     */
    default ChannelFuture connectH2(Channel client, ChannelHandler... handlers) {
        return connect(client, handlers);
    }

    /** The TLS upstream did not choose h2 by ALPN: it speaks HTTP/1.1 (or nothing said) on that port. */
    final class H2Refused extends Exception {
        public H2Refused(String negotiated) {
            super("the upstream does not speak HTTP/2 over TLS (ALPN: "
                    + (negotiated.isEmpty() ? "none" : negotiated) + ")", null, false, false);
        }
    }
}
