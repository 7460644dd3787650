package io.faultline.sidecar.proxy;

import io.faultline.sidecar.config.ListenerSpec;
import io.faultline.sidecar.config.TlsTermination;
import io.faultline.sidecar.util.Log;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Whether a listener's upstream speaks HTTP/2. A terminating http listener offers h2 to its TLS
 * clients only when it does, because an h2 client's streams go upstream as h2: offering it to
 * clients of an HTTP/1.1-only upstream would fail every one of their requests. A {@code tls://}
 * upstream is asked by ALPN (offering h2 and http/1.1); a plain one by the h2c connection preface,
 * which an HTTP/2 server answers with a SETTINGS frame. A definite answer holds for the listener's
 * current upstream; an upstream that cannot be reached is asked again by the next client.
 */
final class UpstreamH2Probe {
    /** A SETTINGS frame without settings: frame header only (length 0, type 4, flags 0, stream 0). */
    private static final byte[] EMPTY_SETTINGS = {0, 0, 0, 0x04, 0, 0, 0, 0, 0};
    private static final int FRAME_HEADER = 9;

    private final ListenerSpec spec;
    private final SslContext tls;
    private final Transport transport;
    private volatile Boolean answer;
    private CompletableFuture<Boolean> inFlight;

    UpstreamH2Probe(ListenerSpec spec, SslContext tls, Transport transport) {
        this.spec = spec;
        this.tls = tls;
        this.transport = transport;
    }

    /** TRUE or FALSE once known; null before (or while the upstream could not be asked). */
    Boolean known() {
        return answer;
    }

    /** The answer, asking the upstream unless known; completes with null when it could not be asked. */
    synchronized CompletableFuture<Boolean> ask(EventLoop loop) {
        if (answer != null) {
            return CompletableFuture.completedFuture(answer);
        }
        if (inFlight == null) {
            CompletableFuture<Boolean> probe = new CompletableFuture<>();
            inFlight = probe;
            probe.whenComplete((h2, e) -> settled(h2));
            start(loop, probe);
        }
        return inFlight;
    }

    private synchronized void settled(Boolean h2) {
        inFlight = null;
        if (h2 != null) {
            answer = h2;
            Log.info("upstream_h2_probe", "listener", spec.name(), "upstream", spec.upstream(), "h2", h2);
        }
    }

    private void start(EventLoop loop, CompletableFuture<Boolean> result) {
        SslHandler[] ssl = new SslHandler[1];
        long budgetMillis = Math.max(1, spec.connectTimeout().toMillis());
        boolean[] connectedInTime = new boolean[1];
        // One budget for connect, handshake and answer: the client's handshake waits for this.
        var deadline = loop.schedule(() -> result.complete(connectedInTime[0] ? Boolean.FALSE : null),
                budgetMillis, TimeUnit.MILLISECONDS);
        result.whenComplete((h2, e) -> deadline.cancel(false));
        ChannelFuture connected = new Bootstrap()
                .group(loop)
                .channel(transport.socketChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, budgetMillis))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ssl[0] = UpstreamTls.handler(tls, spec, ch, TlsTermination.H2, TlsTermination.HTTP_1_1);
                            ch.pipeline().addLast(ssl[0]);
                        } else {
                            ch.pipeline().addLast(new SettingsReader(result));
                        }
                    }
                })
                .connect(spec.upstream().address().host(), spec.upstream().address().port());
        connected.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                result.complete(null);
                return;
            }
            Channel ch = f.channel();
            result.whenComplete((h2, e) -> ch.close());
            if (ssl[0] != null) {
                ssl[0].handshakeFuture().addListener(h -> result.complete(
                        h.isSuccess() ? UpstreamTls.negotiated(ssl[0]).equals(TlsTermination.H2) : null));
            } else {
                // Connected and silent past the budget: no HTTP/2 server (it would have sent SETTINGS).
                connectedInTime[0] = true;
                ch.writeAndFlush(Unpooled.wrappedBuffer(Http2CodecUtil.connectionPrefaceBuf(),
                        Unpooled.wrappedBuffer(EMPTY_SETTINGS)));
            }
            ch.read();
        });
    }

    /** Reads the first frame header the upstream sends: an HTTP/2 server's is SETTINGS on stream 0. */
    private static final class SettingsReader extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Boolean> result;
        private final byte[] head = new byte[FRAME_HEADER];
        private int have;

        SettingsReader(CompletableFuture<Boolean> result) {
            this.result = result;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof ByteBuf b && have < FRAME_HEADER) {
                    int n = Math.min(b.readableBytes(), FRAME_HEADER - have);
                    b.readBytes(head, have, n);
                    have += n;
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
            if (have == FRAME_HEADER) {
                boolean settings = head[3] == 0x04 && (head[5] | head[6] | head[7] | head[8]) == 0;
                result.complete(settings);
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (!result.isDone()) {
                ctx.read();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.complete(false); // closed on the preface: an HTTP/1.x server
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
