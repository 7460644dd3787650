package io.faultline.sidecar.http;

import io.faultline.sidecar.config.ListenerSpec;
import io.faultline.sidecar.config.TlsTermination;
import io.faultline.sidecar.proxy.Transport;
import io.faultline.sidecar.proxy.UpstreamTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
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
        return bootstrap(client, new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel upstream) {
                if (tls != null) {
                    upstream.pipeline().addLast("tls", UpstreamTls.handler(tls, spec, upstream));
                }
                upstream.pipeline().addLast(handlers);
            }
        }).connect(spec.upstream().address().host(), spec.upstream().address().port());
    }

    private Bootstrap bootstrap(Channel client, ChannelInitializer<Channel> init) {
        return new Bootstrap()
                .group(client.eventLoop())
                .channel(transport.socketChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.max(1, Math.min(Integer.MAX_VALUE, spec.connectTimeout().toMillis())))
                .handler(init);
    }

    @Override
    public ChannelFuture connectH2(Channel client, ChannelHandler... handlers) {
        if (tls == null) {
            return connect(client, handlers); // h2c with prior knowledge
        }
        SslHandler[] ssl = new SslHandler[1];
        ChannelFuture connected = bootstrap(client, new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel upstream) {
                ssl[0] = UpstreamTls.handler(tls, spec, upstream, TlsTermination.H2, TlsTermination.HTTP_1_1);
                upstream.pipeline().addLast("tls", ssl[0]);
            }
        }).connect(spec.upstream().address().host(), spec.upstream().address().port());
        Channel upstream = connected.channel();
        ChannelPromise ready = upstream.newPromise();
        connected.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                ready.tryFailure(f.cause());
                return;
            }
            ssl[0].handshakeFuture().addListener(h -> {
                if (!h.isSuccess()) {
                    ready.tryFailure(h.cause());
                    return;
                }
                String protocol = UpstreamTls.negotiated(ssl[0]);
                if (!protocol.equals(TlsTermination.H2)) {
                    upstream.close();
                    ready.tryFailure(new H2Refused(protocol));
                    return;
                }
                // Added while the handshake's last record is being handled: bytes behind it reach them.
                upstream.pipeline().addLast(handlers);
                ready.trySuccess();
            });
            upstream.read(); // AUTO_READ is off: the handshake needs reads
        });
        return ready;
    }

    @Override
    public void connectFailed(Throwable cause) {
        onFailure.accept(cause);
    }
}
