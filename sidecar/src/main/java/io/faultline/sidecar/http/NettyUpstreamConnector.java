package io.faultline.sidecar.http;

import io.faultline.sidecar.config.ListenerSpec;
import io.faultline.sidecar.proxy.Transport;
import io.faultline.sidecar.proxy.UpstreamTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslContext;
import java.util.function.Consumer;

/** Real upstream connections: same transport and event loop as the client, optional TLS origination. */
public final class NettyUpstreamConnector implements UpstreamConnector {
    /** Upstream responses may carry larger headers than we accept from clients (cookies, CSP...). */
    static final int MAX_RESPONSE_HEADER_SIZE = 64 * 1024;

    private final ListenerSpec spec;
    private final SslContext tls;
    private final Transport transport;
    private final Consumer<Throwable> onFailure;

    public NettyUpstreamConnector(ListenerSpec spec, SslContext tls, Transport transport, Consumer<Throwable> onFailure) {
        this.spec = spec;
        this.tls = tls;
        this.transport = transport;
        this.onFailure = onFailure;
    }

    @Override
    public ChannelFuture connect(Channel client, ChannelHandler handler) {
        Bootstrap b = new Bootstrap()
                .group(client.eventLoop())
                .channel(transport.socketChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.max(1, Math.min(Integer.MAX_VALUE, spec.connectTimeout().toMillis())))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel upstream) {
                        if (tls != null) {
                            upstream.pipeline().addLast("tls", UpstreamTls.handler(tls, spec, upstream));
                        }
                        upstream.pipeline().addLast("http-codec", new HttpClientCodec(new HttpDecoderConfig()
                                        .setMaxInitialLineLength(HttpProxyConnection.MAX_INITIAL_LINE)
                                        .setMaxHeaderSize(MAX_RESPONSE_HEADER_SIZE)
                                        .setMaxChunkSize(HttpProxyConnection.MAX_CHUNK),
                                false, false));
                        upstream.pipeline().addLast("http-proxy", handler);
                    }
                });
        return b.connect(spec.upstream().address().host(), spec.upstream().address().port());
    }

    @Override
    public void connectFailed(Throwable cause) {
        onFailure.accept(cause);
    }
}
