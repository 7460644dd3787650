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
}
