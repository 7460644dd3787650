package io.faultline.sidecar.fault;

import io.faultline.sidecar.proxy.EndOfStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.nio.channels.ClosedChannelException;

/**
 * Base for faults that swallow the stream (timeout, down): bytes are released and their writes
 * reported successful, so the sender keeps sending into the void. The end-of-stream marker is kept
 * back while the fault is in place.
 *
 * <p>Discarded bytes are gone by design, so they are not flushed on removal. A stream with a hole
 * in it must not go on as if nothing happened (the receiver would misparse what follows), so
 * removing the fault closes the connection once anything was discarded, as Toxiproxy does when a
 * timeout toxic is removed. If nothing was discarded the stream is intact and simply goes on.
 */
abstract class DiscardingHandler extends ChannelDuplexHandler {
    protected final FaultContext context;
    private ChannelPromise heldEnd;
    private boolean discardedAny;

    DiscardingHandler(FaultContext context) {
        this.context = context;
    }

    /** Called for every discarded chunk (before it is released). */
    protected abstract void discarded(ByteBuf buf);

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            discardedAny |= buf.isReadable();
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
        if (discardedAny || !ctx.channel().isActive()) {
            if (end != null) {
                end.tryFailure(new ClosedChannelException());
            }
            if (ctx.channel().isActive()) {
                // Not from inside the pipeline change that removes this handler.
                ctx.executor().execute(context::closeConnection);
            }
            return;
        }
        if (end != null) {
            ctx.writeAndFlush(EndOfStream.INSTANCE, end);
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
