package io.faultline.sidecar.fault;

import io.faultline.sidecar.proxy.EndOfStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * Base for faults that hold bytes and release them later (latency, bandwidth, slicer, loss).
 *
 * <p>Order is kept: every held item leaves at or after the one before it, the end-of-stream marker
 * included. Bounded: while more than {@code maxHeldBytes} are held, the writer's promise stays
 * pending, and the relay reads nothing more until it completes. Timers run on the channel's event
 * loop (sub-millisecond precision). Removing the handler forwards everything it held at once.
 */
public abstract class HoldingHandler extends ChannelDuplexHandler {
    public static final int DEFAULT_MAX_HELD_BYTES = 1 << 20;
    public static final long NEVER = Long.MAX_VALUE;

    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final long maxHeldBytes;
    private long heldBytes;
    private int waitingWriters;
    private long lastReleaseAt = Long.MIN_VALUE;
    private ScheduledFuture<?> timer;
    private long timerDeadline;
    protected ChannelHandlerContext ctx;

    protected HoldingHandler(long maxHeldBytes) {
        this.maxHeldBytes = maxHeldBytes;
    }

    protected HoldingHandler() {
        this(DEFAULT_MAX_HELD_BYTES);
    }

    /** One held message; {@code promise} is the writer's, or ours once the writer was let go early. */
    private static final class Held {
        final Object msg;
        final long releaseAt;
        final int size;
        ChannelPromise promise;
        boolean writerWaiting;

        Held(Object msg, long releaseAt, int size, ChannelPromise promise) {
            this.msg = msg;
            this.releaseAt = releaseAt;
            this.size = size;
            this.promise = promise;
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public final void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf) {
            onData(buf, promise);
        } else if (msg == EndOfStream.INSTANCE) {
            hold(msg, lastReleaseAt, promise);
        } else {
            ctx.write(msg, promise);
        }
    }

    /** Decide when {@code buf} (or slices of it) leaves by calling {@link #hold} or {@link #forward}. */
    protected abstract void onData(ByteBuf buf, ChannelPromise promise);

    /** The event loop's clock (virtual in EmbeddedChannel tests). */
    protected final long now() {
        return ctx.executor().ticker().nanoTime();
    }

    /** When the last held item leaves; later items never leave before it. */
    protected final long lastReleaseAt() {
        return lastReleaseAt;
    }

    protected final boolean holdsNothing() {
        return held.isEmpty();
    }

    /** Passes bytes straight on, behind anything already held. */
    protected final void forward(ByteBuf buf, ChannelPromise promise) {
        if (held.isEmpty()) {
            ctx.write(buf, promise);
            ctx.flush();
        } else {
            hold(buf, lastReleaseAt, promise);
        }
    }

    /** Holds {@code msg} until {@code releaseAt} (event-loop nanos; {@link #NEVER} = until removed). */
    protected final void hold(Object msg, long releaseAt, ChannelPromise promise) {
        long at = Math.max(releaseAt, lastReleaseAt);
        lastReleaseAt = at;
        int size = msg instanceof ByteBuf b ? b.readableBytes() : 0;
        heldBytes += size;
        Held item = new Held(msg, at, size, promise);
        if (msg instanceof ByteBuf) {
            if (heldBytes <= maxHeldBytes) {
                // Within the bound: let the relay read on while these bytes wait.
                letWriterGo(item);
            } else {
                item.writerWaiting = true;
                waitingWriters++;
            }
        }
        held.add(item);
        if (at <= now()) {
            releaseDue();
        } else {
            scheduleNext();
        }
    }

    private void releaseDue() {
        long now = now();
        boolean wrote = false;
        while (!held.isEmpty() && held.peek().releaseAt <= now) {
            Held h = held.poll();
            heldBytes -= h.size;
            if (h.writerWaiting) {
                waitingWriters--;
            }
            ctx.write(h.msg, h.promise);
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        releaseWaitingWriters();
        scheduleNext();
    }

    private void letWriterGo(Held item) {
        item.promise.trySuccess();
        item.promise = ctx.newPromise();
    }

    /**
     * Back within the bound: writers held back go on now, not when their own bytes leave, so the
     * relay reads again while this fault still has bytes to release (no gap in a steady stream).
     */
    private void releaseWaitingWriters() {
        if (waitingWriters == 0 || heldBytes > maxHeldBytes) {
            return;
        }
        for (Held item : held) {
            if (item.writerWaiting) {
                item.writerWaiting = false;
                letWriterGo(item);
            }
        }
        waitingWriters = 0;
    }

    private void scheduleNext() {
        Held head = held.peek();
        if (head == null || head.releaseAt == NEVER) {
            cancelTimer();
            return;
        }
        if (timer != null && timerDeadline == head.releaseAt) {
            return;
        }
        cancelTimer();
        timerDeadline = head.releaseAt;
        long delay = Math.max(0, head.releaseAt - now());
        timer = ctx.executor().schedule(this::onTimer, delay, TimeUnit.NANOSECONDS);
    }

    private void onTimer() {
        timer = null;
        releaseDue();
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
        onRemoved();
        if (!ctx.channel().isActive()) {
            discardHeld();
            return;
        }
        // Never lose what a removed fault was holding: it all goes on, in order, now.
        boolean wrote = false;
        Held h;
        while ((h = held.poll()) != null) {
            ctx.write(h.msg, h.promise);
            wrote = true;
        }
        heldBytes = 0;
        waitingWriters = 0;
        if (wrote) {
            ctx.flush();
        }
    }

    /** Hook for subclasses that keep timers of their own. */
    protected void onRemoved() {
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        discardHeld();
        ctx.fireChannelInactive();
    }

    private void discardHeld() {
        Held h;
        ClosedChannelException closed = null;
        while ((h = held.poll()) != null) {
            ReferenceCountUtil.release(h.msg);
            if (closed == null) {
                closed = new ClosedChannelException();
            }
            h.promise.tryFailure(closed);
        }
        heldBytes = 0;
        waitingWriters = 0;
    }
}
