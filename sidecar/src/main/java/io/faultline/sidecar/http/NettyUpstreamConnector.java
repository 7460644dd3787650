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
import io.netty.handler.ssl.SslContext;
import java.util.function.Consumer;

/** Real upstream connections: same transport and event loop as the client, optional TLS origination. */
public final class NettyUpstreamConnector implements UpstreamConnector {
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
    public ChannelFuture connect(Channel client, ChannelHandler... handlers) {
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
                        upstream.pipeline().addLast(handlers);
                    }
                });
        return b.connect(spec.upstream().address().host(), spec.upstream().address().port());
    }

    @Override
    public void connectFailed(Throwable cause) {
        onFailure.accept(cause);
    }
}
