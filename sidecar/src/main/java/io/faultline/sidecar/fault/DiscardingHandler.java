package io.faultline.sidecar.fault;

import io.faultline.sidecar.proxy.EndOfStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelPromise;
import java.nio.channels.ClosedChannelException;

/**
 * Base for faults that swallow the stream (timeout, down): bytes are released and their writes
 * reported successful, so the sender keeps sending into the void. Discarded bytes are gone by
 * design and are not flushed on removal; the end-of-stream marker is kept back while the fault
 * is in place and passed on when it is removed, so a later pass-through stream still ends.
 */
abstract class DiscardingHandler extends ChannelDuplexHandler {
    private ChannelPromise heldEnd;

    /** Called for every discarded chunk (before it is released). */
    protected abstract void discarded(ByteBuf buf);

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            discarded(buf);
            buf.release();
            promise.trySuccess();
        } else if (msg == EndOfStream.INSTANCE && heldEnd == null) {
            heldEnd = promise;
        } else {
            ctx.write(msg, promise);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        ChannelPromise end = heldEnd;
        heldEnd = null;
        if (end == null) {
            return;
        }
        if (ctx.channel().isActive()) {
            ctx.writeAndFlush(EndOfStream.INSTANCE, end);
        } else {
            end.tryFailure(new ClosedChannelException());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        ChannelPromise end = heldEnd;
        heldEnd = null;
        if (end != null) {
            end.tryFailure(new ClosedChannelException());
        }
        ctx.fireChannelInactive();
    }
}
