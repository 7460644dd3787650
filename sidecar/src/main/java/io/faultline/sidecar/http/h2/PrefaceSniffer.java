package io.faultline.sidecar.http.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * First step of an http listener's pipeline: reads until the first bytes show whether the client
 * speaks HTTP/2 with prior knowledge (the connection preface {@code PRI * HTTP/2.0...}) or HTTP/1.x,
 * installs that protocol's handlers behind itself, and leaves; the bytes it read go on to them.
 * Decides at the first byte that differs from the preface (at once for every HTTP/1.x method), or
 * HTTP/1.x when the client stops sending before the preface is complete. A client that sends
 * nothing within the listener's {@code idleTimeout} is closed here (HTTP/1.x's idle timer starts only
 * once it is installed).
 */
public final class PrefaceSniffer extends ByteToMessageDecoder {
    public static final String NAME = "protocol-sniffer";
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final Runnable startHttp1;
    private final Runnable startH2;
    private final long idleTimeoutNanos;
    private final Runnable idleClosed;
    private boolean decided;
    private ScheduledFuture<?> idleTimer;

    /** Each starter adds its handlers at the end of the pipeline (after this one) and starts reading. */
    public PrefaceSniffer(Runnable startHttp1, Runnable startH2) {
        this(startHttp1, startH2, 0, () -> { });
    }

    /** As above; a client silent for {@code idleTimeoutNanos} (0 = never) is counted by {@code idleClosed} and closed. */
    public PrefaceSniffer(Runnable startHttp1, Runnable startH2, long idleTimeoutNanos, Runnable idleClosed) {
        this.startHttp1 = startHttp1;
        this.startH2 = startH2;
        this.idleTimeoutNanos = idleTimeoutNanos;
        this.idleClosed = idleClosed;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (idleTimeoutNanos > 0) {
            idleTimer = ctx.executor().schedule(() -> {
                idleTimer = null;
                if (!decided && ctx.channel().isActive()) {
                    decided = true; // nothing to hand on: the close must not start a protocol
                    idleClosed.run();
                    ctx.close();
                }
            }, idleTimeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        cancelIdleTimer();
    }

    private void cancelIdleTimer() {
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (decided) {
            return;
        }
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        boolean prefix = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n);
        if (!prefix) {
            hand(ctx, startHttp1);
        } else if (n == PREFACE.readableBytes()) {
            hand(ctx, startH2);
        }
        // else: a prefix of the preface so far; ByteToMessageDecoder reads more (AUTO_READ off).
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!decided) {
            hand(ctx, startHttp1); // closed or half-closed early: HTTP/1.x handles what there is
        }
    }

    private void hand(ChannelHandlerContext ctx, Runnable start) {
        decided = true;
        cancelIdleTimer();
        start.run();
        // Removal passes the bytes read so far to the handlers just added.
        ctx.pipeline().remove(this);
    }
}
