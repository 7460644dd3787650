package io.faultline.sidecar.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;

/** Opens the upstream connection of one client connection (lazily, and again after the upstream closed). */
public interface UpstreamConnector {
    /**
     * Connects on the client's event loop; the new channel's pipeline ends with an HTTP client codec
     * followed by {@code handler}, and has AUTO_READ off.
     */
    ChannelFuture connect(Channel client, ChannelHandler handler);

    /** Told about every failed connect (counting and rate-limited logging). */
    default void connectFailed(Throwable cause) {
    }
}
