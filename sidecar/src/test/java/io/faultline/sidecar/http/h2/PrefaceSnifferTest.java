package io.faultline.sidecar.http.h2;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The first step of an http listener: which protocol, and the bytes read so far reach it unchanged. */
class PrefaceSnifferTest {
    private static final String PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    /** Records which starter ran and collects what the installed handler receives. */
    private static final class Harness {
        final EmbeddedChannel channel = new EmbeddedChannel();
        final StringBuilder received = new StringBuilder();
        String chosen;

        int idleClosed;

        Harness() {
            this(0);
        }

        Harness(long idleTimeoutNanos) {
            channel.freezeTime();
            channel.pipeline().addLast(PrefaceSniffer.NAME, new PrefaceSniffer(() -> install("http1"), () -> install("h2"),
                    idleTimeoutNanos, () -> idleClosed++));
        }

        private void install(String protocol) {
            chosen = protocol;
            channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf b = (ByteBuf) msg;
                    received.append(b.toString(StandardCharsets.US_ASCII));
                    b.release();
                }
            });
        }

        void send(String s) {
            channel.writeInbound(Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void aClientThatSendsNothingIsClosedAfterTheIdleTimeout() {
        Harness h = new Harness(TimeUnit.SECONDS.toNanos(5));
        h.channel.advanceTimeBy(4_999, TimeUnit.MILLISECONDS);
        h.channel.runScheduledPendingTasks();
        assertThat(h.channel.isActive()).isTrue();
        h.channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        h.channel.runScheduledPendingTasks();
        assertThat(h.channel.isActive()).isFalse();
        assertThat(h.idleClosed).isEqualTo(1);
        assertThat(h.chosen).isNull();
    }

    @Test
    void onceTheProtocolIsKnownTheSnifferTimerIsGone() {
        Harness h = new Harness(TimeUnit.SECONDS.toNanos(5));
        h.send("P"); // a prefix of the preface: still sniffing, timer still armed
        h.send("OST / HTTP/1.1\r\n");
        assertThat(h.chosen).isEqualTo("http1");
        h.channel.advanceTimeBy(10, TimeUnit.SECONDS);
        h.channel.runScheduledPendingTasks();
        assertThat(h.channel.isActive()).isTrue();
        assertThat(h.idleClosed).isZero();
    }

    @Test
    void anHttp1RequestIsRecognisedAtItsFirstByte() {
        Harness h = new Harness();
        h.send("G");
        assertThat(h.chosen).isEqualTo("http1");
        assertThat(h.channel.pipeline().get(PrefaceSniffer.NAME)).isNull();
        h.send("ET / HTTP/1.1\r\n");
        assertThat(h.received).hasToString("GET / HTTP/1.1\r\n");
    }

    @Test
    void thePrefaceInPiecesIsH2AndEverythingAfterItIsPassedOn() {
        Harness h = new Harness();
        for (char ch : PREFACE.toCharArray()) {
            assertThat(h.chosen).isNull();
            h.send(String.valueOf(ch));
        }
        assertThat(h.chosen).isEqualTo("h2");
        h.send("frames");
        assertThat(h.received).hasToString(PREFACE + "frames");
        assertThat(h.channel.finish()).isFalse();
    }

    @Test
    void aPrefixOfThePrefaceThatTurnsOutDifferentIsHttp1() {
        Harness h = new Harness();
        h.send("PRI * HTTP/1.1\r\n");
        assertThat(h.chosen).isEqualTo("http1");
        assertThat(h.received).hasToString("PRI * HTTP/1.1\r\n");
    }

    @Test
    void aClientThatClosesBeforeDecidingIsLeftToHttp1() {
        Harness h = new Harness();
        h.send("PRI *");
        h.channel.close();
        assertThat(h.chosen).isEqualTo("http1");
        assertThat(h.received).hasToString("PRI *");
    }
}
