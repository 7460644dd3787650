package io.faultline.sidecar.proxy;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;

/**
 * Sits next to the socket: turns the in-band {@link EndOfStream} marker into a half-close (FIN)
 * once every byte written before it has reached the socket — Netty's shutdownOutput would discard
 * writes still queued in the outbound buffer. TLS streams and channels that cannot half-close are
 * closed instead.
 */
public final class StreamEndHandler extends ChannelOutboundHandlerAdapter {
    private ChannelFuture lastWrite;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg != EndOfStream.INSTANCE) {
            ChannelPromise tracked = promise.unvoid();
            lastWrite = tracked;
            ctx.write(msg, tracked);
            return;
        }
        ctx.flush();
        ChannelFuture pending = lastWrite;
        lastWrite = null;
        if (pending == null || pending.isDone()) {
            endStream(ctx, promise);
        } else {
            pending.addListener(f -> endStream(ctx, promise));
        }
    }

    private static void endStream(ChannelHandlerContext ctx, ChannelPromise promise) {
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
