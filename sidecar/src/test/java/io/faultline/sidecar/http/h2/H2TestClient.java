package io.faultline.sidecar.http.h2;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An h2c client with prior knowledge (Netty), one connection, many concurrent streams. */
final class H2TestClient implements AutoCloseable {
    /** What came back on one stream; {@code resetCode} is -1 unless the stream was reset. */
    record Response(Http2Headers headers, byte[] body, Http2Headers trailers, long resetCode, long nanos) {
        String status() {
            return headers == null ? null : String.valueOf(headers.status());
        }

        String header(String name) {
            CharSequence v = headers == null ? null : headers.get(name);
            return v == null ? null : v.toString();
        }

        String trailer(String name) {
            CharSequence v = trailers == null ? null : trailers.get(name);
            return v == null ? null : v.toString();
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    final Channel connection;

    H2TestClient(int port) throws InterruptedException {
        this(port, null);
    }

    /** Over TLS when {@code tls} is not null (to "localhost"); HTTP/2 frames follow the handshake. */
    H2TestClient(int port, io.netty.handler.ssl.SslContext tls) throws InterruptedException {
        connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(), "localhost", port));
                        }
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                    }
                }).connect("127.0.0.1", port).sync().channel();
        if (tls != null) {
            connection.pipeline().get(io.netty.handler.ssl.SslHandler.class).handshakeFuture().sync();
        }
    }

    /** The protocol agreed by ALPN ("" = none); TLS connections only. */
    String alpn() {
        String p = connection.pipeline().get(io.netty.handler.ssl.SslHandler.class).engine().getApplicationProtocol();
        return p == null ? "" : p;
    }

    static Http2Headers request(String method, String path) {
        return new DefaultHttp2Headers().method(method).path(path).scheme("http").authority("svc.test:80");
    }

    /** A gRPC call's headers; the body is a length-prefixed message ({@link #grpcMessage}). */
    static Http2Headers grpc(String path) {
        return request("POST", path).set("content-type", "application/grpc").set("te", "trailers");
    }

    static byte[] grpcMessage(byte[] payload) {
        byte[] framed = new byte[5 + payload.length];
        framed[1] = (byte) (payload.length >>> 24);
        framed[2] = (byte) (payload.length >>> 16);
        framed[3] = (byte) (payload.length >>> 8);
        framed[4] = (byte) payload.length;
        System.arraycopy(payload, 0, framed, 5, payload.length);
        return framed;
    }

    /** A stream whose request stays open (headers only, no end): the test goes on with {@code channel}. */
    record OpenStream(Http2StreamChannel channel, CompletableFuture<Response> response) {
    }

    OpenStream open(Http2Headers headers) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection).handler(new Collector(result))
                .open().syncUninterruptibly().getNow();
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false));
        return new OpenStream(stream, result);
    }

    /**
     * A complete request whose response is not read (AUTO_READ off on the stream: no WINDOW_UPDATE
     * goes out) until the test sets AUTO_READ on {@code channel}.
     */
    OpenStream getWithoutReading(String path) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection).handler(new Collector(result))
                .option(io.netty.channel.ChannelOption.AUTO_READ, false)
                .open().syncUninterruptibly().getNow();
        stream.writeAndFlush(new DefaultHttp2HeadersFrame(request("GET", path), true));
        return new OpenStream(stream, result);
    }

    CompletableFuture<Response> get(String path) {
        return send(request("GET", path), null, null);
    }

    /** Opens a stream: headers, the body in 16 KiB DATA frames, then trailers (each part optional). */
    CompletableFuture<Response> send(Http2Headers headers, byte[] body, Http2Headers trailers) {
        CompletableFuture<Response> result = new CompletableFuture<>();
        Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection).handler(new Collector(result))
                .open().syncUninterruptibly().getNow();
        boolean hasBody = body != null && body.length > 0;
        stream.write(new DefaultHttp2HeadersFrame(headers, !hasBody && trailers == null));
        if (hasBody) {
            for (int off = 0; off < body.length; off += 16 * 1024) {
                int end = Math.min(body.length, off + 16 * 1024);
                boolean last = end == body.length && trailers == null;
                stream.write(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(Arrays.copyOfRange(body, off, end)), last));
            }
        }
        if (trailers != null) {
            stream.write(new DefaultHttp2HeadersFrame(trailers, true));
        }
        stream.flush();
        return result;
    }

    private static final class Collector extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Response> result;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private Http2Headers headers;
        private Http2Headers trailers;

        Collector(CompletableFuture<Response> result) {
            this.result = result;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                boolean end = false;
                if (msg instanceof Http2HeadersFrame h) {
                    if (headers == null || headers.status().charAt(0) == '1') {
                        headers = h.headers();
                    } else {
                        trailers = h.headers();
                    }
                    end = h.isEndStream();
                } else if (msg instanceof Http2DataFrame d) {
                    body.writeBytes(ByteBufUtil.getBytes(d.content()));
                    end = d.isEndStream();
                }
                if (end) {
                    result.complete(new Response(headers, body.toByteArray(), trailers, -1, System.nanoTime()));
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        /** Http2MultiplexHandler hands a stream's RST_STREAM to its channel as a user event. */
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof Http2ResetFrame r) {
                result.complete(new Response(headers, body.toByteArray(), trailers, r.errorCode(), System.nanoTime()));
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.completeExceptionally(new IllegalStateException("stream closed without a complete response"));
            ctx.fireChannelInactive();
        }
    }

    @Override
    public void close() {
        connection.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
