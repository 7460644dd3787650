package io.faultline.sidecar.http.h2;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream for the tests on 127.0.0.1: HTTP/2 with prior knowledge, and HTTP/1.1 on the same
 * port (told apart by the proxy's own {@link PrefaceSniffer}). Every h2 stream is echoed: its body
 * comes back, then trailers ({@code x-trailer: done}, {@code x-got-trailer}: the request trailer
 * {@code x-req-trailer}); gRPC requests get {@code application/grpc} and {@code grpc-status: 0}.
 * Special paths: {@code /refuse} is reset at once (REFUSED_STREAM), {@code /kill} closes the whole
 * connection, {@code /hold} never answers, {@code /download} answers {@value #DOWNLOAD_SIZE} bytes
 * (byte i is i % 251) and counts what its flow control let out.
 */
final class H2TestUpstream implements AutoCloseable {
    /** One request the upstream received completely. */
    record Received(Http2Headers headers, byte[] body, Http2Headers trailers, long nanos) {
        String path() {
            return headers.path().toString();
        }
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    final AtomicInteger http1Requests = new AtomicInteger();
    static final int DOWNLOAD_SIZE = 4 * 1024 * 1024;
    /** Bytes of {@code /download} bodies the upstream's HTTP/2 stack actually wrote to the socket. */
    final java.util.concurrent.atomic.AtomicLong downloadBytesWritten = new java.util.concurrent.atomic.AtomicLong();
    /** Streams the proxy reset, as "path error-code". */
    final List<String> resets = new CopyOnWriteArrayList<>();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel server;

    /** Headers of the HTTP/1.1 requests received. */
    final List<io.netty.handler.codec.http.HttpHeaders> http1Headers = new CopyOnWriteArrayList<>();
    /** Connections accepted (the proxy's probe included). */
    final AtomicInteger connections = new AtomicInteger();

    H2TestUpstream() throws InterruptedException {
        this(null, true);
    }

    /**
     * With {@code tls}: TLS (its ALPN config decides: h2 → HTTP/2, anything else → HTTP/1.1 only).
     * Without: plain, HTTP/2 with prior knowledge or HTTP/1.1 when {@code h2}, else HTTP/1.1 only
     * (an h2 preface is then answered as a bad HTTP/1.1 request).
     */
    /** Plain, HTTP/2 and HTTP/1.1, on a given port. */
    H2TestUpstream(int port) throws InterruptedException {
        this(null, true, port);
    }

    H2TestUpstream(io.netty.handler.ssl.SslContext tls, boolean h2) throws InterruptedException {
        this(tls, h2, 0);
    }

    private H2TestUpstream(io.netty.handler.ssl.SslContext tls, boolean h2, int port) throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.incrementAndGet();
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc()), new io.netty.handler.ssl
                                    .ApplicationProtocolNegotiationHandler("http/1.1") {
                                @Override
                                protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                                    if (protocol.equals("h2")) {
                                        h2(ch);
                                    } else {
                                        http1(ch);
                                    }
                                }
                            });
                        } else if (h2) {
                            ch.pipeline().addLast(new PrefaceSniffer(() -> http1(ch), () -> h2(ch)));
                        } else {
                            http1(ch);
                        }
                    }
                }).bind("127.0.0.1", port).sync().channel();
    }

    int port() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    List<Received> receivedOn(String path) {
        return received.stream().filter(r -> r.path().equals(path)).toList();
    }

    private void http1(Channel ch) {
        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20),
                new SimpleChannelInboundHandler<FullHttpRequest>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
                        http1Requests.incrementAndGet();
                        http1Headers.add(req.headers().copy());
                        byte[] body = ("http1 " + req.uri()).getBytes(StandardCharsets.UTF_8);
                        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                Unpooled.wrappedBuffer(body));
                        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
                        ctx.writeAndFlush(r);
                    }
                });
    }

    private void h2(Channel ch) {
        ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().gracefulShutdownTimeoutMillis(0).build(),
                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        stream.pipeline().addLast(new EchoStream());
                    }
                }));
    }

    private final class EchoStream extends ChannelInboundHandlerAdapter {
        private Http2Headers headers;
        private Http2Headers trailers;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                boolean end = false;
                if (msg instanceof Http2HeadersFrame h) {
                    if (headers == null) {
                        headers = h.headers();
                        String path = headers.path().toString();
                        if (path.equals("/refuse")) {
                            ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
                            return;
                        }
                        if (path.equals("/kill")) {
                            ((Http2StreamChannel) ctx.channel()).parent().close();
                            return;
                        }
                    } else {
                        trailers = h.headers();
                    }
                    end = h.isEndStream();
                } else if (msg instanceof Http2DataFrame d) {
                    body.writeBytes(ByteBufUtil.getBytes(d.content()));
                    end = d.isEndStream();
                }
                if (end && !headers.path().toString().equals("/hold")) {
                    respond(ctx);
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        private void download(ChannelHandlerContext ctx) {
            int chunk = 16 * 1024;
            for (int off = 0; off < DOWNLOAD_SIZE; off += chunk) {
                byte[] part = new byte[chunk];
                for (int i = 0; i < chunk; i++) {
                    part[i] = (byte) ((off + i) % 251);
                }
                boolean last = off + chunk >= DOWNLOAD_SIZE;
                ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(part), last)).addListener(f -> {
                    if (f.isSuccess()) {
                        downloadBytesWritten.addAndGet(chunk);
                    }
                });
            }
            ctx.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame r) {
                resets.add(headers.path() + " " + r.errorCode());
            }
            ctx.fireUserEventTriggered(evt);
        }

        private void respond(ChannelHandlerContext ctx) {
            byte[] bytes = body.toByteArray();
            received.add(new Received(headers, bytes, trailers, System.nanoTime()));
            boolean grpc = H2Headers.isGrpc(headers);
            Http2Headers head = new DefaultHttp2Headers().status("200")
                    .set("content-type", grpc ? "application/grpc" : "application/octet-stream")
                    .set("x-upstream", "yes");
            Http2Headers tail = new DefaultHttp2Headers();
            if (grpc) {
                tail.set("grpc-status", "0");
            } else {
                tail.set("x-trailer", "done");
                if (trailers != null && trailers.get("x-req-trailer") != null) {
                    tail.set("x-got-trailer", trailers.get("x-req-trailer"));
                }
            }
            ctx.write(new DefaultHttp2HeadersFrame(head, false));
            if (headers.path().toString().equals("/download")) {
                download(ctx);
                return;
            }
            if (bytes.length > 0) {
                ctx.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), false));
            }
            ctx.writeAndFlush(new DefaultHttp2HeadersFrame(tail, true)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
