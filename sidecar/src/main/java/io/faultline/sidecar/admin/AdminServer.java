package io.faultline.sidecar.admin;

import io.faultline.sidecar.config.HostPort;
import io.faultline.sidecar.engine.Engine;
import io.faultline.sidecar.proxy.Transport;
import io.faultline.sidecar.util.Log;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The admin API on its own port and its own event loop, so it answers even while traffic saturates
 * the proxy's loops. Requests are bounded (1 MiB body, 8 KiB headers).
 */
public final class AdminServer implements AutoCloseable {
    static final int MAX_BODY = 1 << 20;

    private final HostPort bindAddress;
    private final Router router;
    private final BearerAuth auth;
    private final EventLoopGroup group;
    private final Transport transport;
    private Channel serverChannel;

    public AdminServer(Engine engine, HostPort bindAddress, String token, Transport transport) {
        this.bindAddress = bindAddress;
        this.transport = transport;
        this.auth = new BearerAuth(token);
        this.router = AdminRoutes.build(engine);
        this.group = transport.newGroup(1, "faultline-admin");
    }

    /** Whether a bearer token must guard this address (anything beyond loopback). */
    public static boolean needsToken(HostPort address) {
        try {
            return !InetAddress.getByName(address.host()).isLoopbackAddress();
        } catch (Exception e) {
            return true;
        }
    }

    /** Binds and returns the actual address, e.g. 127.0.0.1:15000. */
    public String start() throws Exception {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast("http", new HttpServerCodec(4096, 8192, 65536))
                                .addLast("aggregate", new BoundedRequestAggregator(MAX_BODY))
                                .addLast("api", new AdminHandler(router, auth));
                    }
                });
        serverChannel = b.bind(bindAddress.host(), bindAddress.port()).sync().channel();
        InetSocketAddress a = (InetSocketAddress) serverChannel.localAddress();
        String host = a.getAddress().getHostAddress();
        String address = (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
        Log.info("admin_listening", "address", address, "auth", auth.enabled() ? "bearer" : "none");
        return address;
    }

    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
