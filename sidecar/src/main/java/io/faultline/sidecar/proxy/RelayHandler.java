package io.faultline.sidecar.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.atomic.LongAdder;

/**
 * Forwards what one side reads to the other side's write path (through its faults). Reads are
 * demanded only after the previous batch was written: backpressure end to end, no unbounded buffer.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
    private final ProxiedConnection connection;
    private final Channel peer;
    private final LongAdder bytesCounter;
    private final ChannelFutureListener readNextOrClose;
    private ChannelFuture lastWrite;
    private boolean inputShutdown;

    RelayHandler(ProxiedConnection connection, Channel self, Channel peer, LongAdder bytesCounter) {
        this.connection = connection;
        this.peer = peer;
        this.bytesCounter = bytesCounter;
        this.readNextOrClose = future -> {
            if (future.isSuccess()) {
                readMore(self);
            } else {
                connection.close();
            }
        };
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        bytesCounter.add(buf.readableBytes());
        lastWrite = peer.write(buf);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ChannelFuture written = lastWrite;
        lastWrite = null;
        if (written == null) {
            readMore(ctx.channel());
            return;
        }
        peer.flush();
        written.addListener(readNextOrClose);
    }

    /** A half-closed input has nothing more to read (and epoll refuses to watch it again). */
    private void readMore(Channel self) {
        if (!inputShutdown) {
            self.read();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            connection.endOfInput(ctx.channel());
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        connection.sideClosed(ctx.channel());
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and broken pipes are part of normal proxy life: close, never log per connection.
        connection.close();
    }
}
