package io.faultline.sidecar.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The two clocks a client runs against, fed by the raw bytes it sends (this handler sits ahead of
 * the HTTP codec, which does not tell when a head begins).
 *
 * <p><b>Head</b> ({@code requestHeadTimeout}): starts at the first byte received while the proxy
 * waits for a request head (a new connection, or the previous exchange complete) and stops when the
 * codec delivers the head. Bytes that arrived while the previous exchange was in progress
 * (pipelining) and are not a complete head yet start it when the proxy turns to them. Limit: the
 * start of a head that came in the same read as the end of the request before it is not seen
 * (the codec keeps it unannounced); such a connection is closed by {@code idleTimeout} instead.
 * A connection that sends nothing is idle, not slow: the head clock never runs for it
 * ({@code idleTimeout} does).
 *
 * <p><b>Body</b> ({@code requestBodyIdleTimeout}): runs while the proxy asked the client for more of
 * a request body and nothing came; bytes stop it. While the proxy does not read (the upstream is
 * slow to take the body, a delay or pacer holds it, a 100 Continue has not gone out) it does not run:
 * those waits are not the client's.
 */
final class ClientRequestTimers extends ChannelInboundHandlerAdapter {
    static final String NAME = "http-client-timers";

    /** What happens when a clock runs out, and when the head clock starts. */
    interface Expiry {
        void headStarted();

        void headTimedOut();

        void bodyTimedOut();
    }

    private final long headNanos;
    private final long bodyIdleNanos;
    private final Expiry expiry;
    private EventLoop loop;
    private boolean waitingForHead = true;
    /** Bytes came since the codec last delivered a head or the end of a request: part of a head, if anything. */
    private boolean undecodedBytes;
    private ScheduledFuture<?> headTimer;
    /** One timer serves many body reads: it re-arms itself for what is left of the current wait. */
    private ScheduledFuture<?> bodyTimer;
    private boolean waitingForBody;
    private long bodyWaitSince;

    ClientRequestTimers(long headNanos, long bodyIdleNanos, Expiry expiry) {
        this.headNanos = headNanos;
        this.bodyIdleNanos = bodyIdleNanos;
        this.expiry = expiry;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        loop = ctx.channel().eventLoop();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf b && b.isReadable()) {
            undecodedBytes = true;
            waitingForBody = false;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // Here, not per read: a head that came whole (the common case) was decoded meanwhile, no timer needed.
        if (waitingForHead && undecodedBytes) {
            startHead();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelAll();
    }

    // ---------------------------------------------------------------- told by ClientIntake

    /** The proxy is ready for the next request head and reads the client. */
    void expectHead() {
        waitingForHead = true;
        if (undecodedBytes) {
            startHead(); // pipelined bytes read earlier: their clock starts now
        }
    }

    /** The codec delivered a request head. */
    void headDecoded() {
        waitingForHead = false;
        undecodedBytes = false;
        if (headTimer != null) {
            headTimer.cancel(false);
            headTimer = null;
        }
    }

    /** The codec delivered the end of a request: what comes next belongs to the next head. */
    void requestEndDecoded() {
        undecodedBytes = false;
    }

    /** The proxy asked the client for more of a request body. */
    void bodyReadRequested() {
        if (bodyIdleNanos <= 0 || loop == null) {
            return;
        }
        waitingForBody = true;
        bodyWaitSince = loop.ticker().nanoTime();
        if (bodyTimer == null) {
            scheduleBodyCheck(bodyIdleNanos);
        }
    }

    /** No more body is asked for (the request is complete or answered). */
    void cancelBody() {
        waitingForBody = false;
    }

    private void scheduleBodyCheck(long delayNanos) {
        bodyTimer = loop.schedule(() -> {
            bodyTimer = null;
            if (!waitingForBody) {
                return;
            }
            long left = bodyWaitSince + bodyIdleNanos - loop.ticker().nanoTime();
            if (left > 0) {
                scheduleBodyCheck(left);
            } else {
                waitingForBody = false;
                expiry.bodyTimedOut();
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }

    void cancelAll() {
        waitingForBody = false;
        if (bodyTimer != null) {
            bodyTimer.cancel(false);
            bodyTimer = null;
        }
        waitingForHead = false;
        if (headTimer != null) {
            headTimer.cancel(false);
            headTimer = null;
        }
    }

    private void startHead() {
        if (headNanos <= 0 || headTimer != null || loop == null) {
            return;
        }
        expiry.headStarted();
        headTimer = loop.schedule(() -> {
            headTimer = null;
            if (waitingForHead) {
                waitingForHead = false;
                expiry.headTimedOut();
            }
        }, headNanos, TimeUnit.NANOSECONDS);
    }
}
