package io.faultline.sidecar.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;

/**
 * Sits next to the socket: turns the in-band {@link EndOfStream} marker into a half-close (FIN),
 * after every byte written before it. TLS streams and channels that cannot half-close are closed.
 */
@ChannelHandler.Sharable
public final class StreamEndHandler extends ChannelOutboundHandlerAdapter {
    public static final StreamEndHandler INSTANCE = new StreamEndHandler();

    private StreamEndHandler() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg != EndOfStream.INSTANCE) {
            ctx.write(msg, promise);
            return;
        }
        ctx.flush();
        if (ctx.channel() instanceof DuplexChannel duplex && ctx.pipeline().get(SslHandler.class) == null) {
            if (duplex.isOutputShutdown() || !duplex.isActive()) {
                promise.trySuccess();
            } else {
                duplex.shutdownOutput(promise);
            }
        } else {
            ctx.close(promise);
        }
    }
}
