package io.faultline.sidecar.fault;

import io.faultline.sidecar.config.StreamDirection;
import io.faultline.sidecar.proxy.EndOfStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One fault handler in an EmbeddedChannel on a frozen, virtual clock. What the handler writes on
 * lands in the channel's outbound queue; {@link #drain()} takes it (releasing every buffer).
 */
final class FaultHarness implements FaultContext, AutoCloseable {
    static final String FAULT = "fault";

    final EmbeddedChannel channel;
    private final SplittableRandom random;
    int injected;
    int closes;
    int resets;

    FaultHarness(FaultSpec spec) {
        this(spec, 42);
    }

    FaultHarness(FaultSpec spec, long seed) {
        random = new SplittableRandom(seed);
        channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(FAULT, spec.newHandler(this));
    }

    /** A pooled (leak-tracked) buffer holding {@code bytes}, written and flushed through the fault. */
    ChannelFuture send(byte[] bytes) {
        ByteBuf buf = channel.alloc().buffer(bytes.length).writeBytes(bytes);
        ChannelFuture f = channel.writeAndFlush(buf);
        channel.runPendingTasks();
        return f;
    }

    ChannelFuture sendEnd() {
        ChannelFuture f = channel.writeAndFlush(EndOfStream.INSTANCE);
        channel.runPendingTasks();
        return f;
    }

    /** Moves the virtual clock and runs what became due. */
    void advance(Duration d) {
        advanceNanos(d.toNanos());
    }

    void advanceNanos(long nanos) {
        channel.advanceTimeBy(nanos, TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    /** Everything written out so far, in order: byte[] per buffer, or the EndOfStream marker. */
    List<Object> drain() {
        List<Object> out = new ArrayList<>();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            if (msg instanceof ByteBuf buf) {
                byte[] b = new byte[buf.readableBytes()];
                buf.readBytes(b);
                buf.release();
                out.add(b);
            } else {
                out.add(msg);
            }
        }
        return out;
    }

    /** The bytes written out so far, concatenated (fails on an EndOfStream in between). */
    byte[] drainBytes() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (Object o : drain()) {
            if (!(o instanceof byte[] b)) {
                throw new AssertionError("unexpected " + o + " among the bytes");
            }
            all.writeBytes(b);
        }
        return all.toByteArray();
    }

    /** Removes the fault as a live reconfiguration would. */
    void removeFault() {
        channel.pipeline().remove(FAULT);
        channel.runPendingTasks();
    }

    ChannelHandler handler() {
        return channel.pipeline().get(FAULT);
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    static boolean isEnd(Object o) {
        return o == EndOfStream.INSTANCE;
    }

    @Override
    public StreamDirection stream() {
        return StreamDirection.DOWNSTREAM;
    }

    @Override
    public SplittableRandom random() {
        return random;
    }

    @Override
    public void injected() {
        injected++;
    }

    @Override
    public void closeConnection() {
        closes++;
        channel.close();
    }

    @Override
    public void resetConnection() {
        resets++;
        channel.close();
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }
}
