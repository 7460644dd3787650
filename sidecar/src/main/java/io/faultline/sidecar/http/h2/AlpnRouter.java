package io.faultline.sidecar.http.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Behind TLS termination on an http listener: once the handshake is done, hands the connection to
 * the protocol the client and the sidecar agreed on by ALPN ({@code "h2"}, {@code "http/1.1"} or
 * {@code ""} for none), then leaves. Decrypted bytes that arrive before that wait here and go on to
 * the handlers the route added. A failed handshake routes nothing (the TLS handler closes).
 */
public final class AlpnRouter extends ChannelInboundHandlerAdapter {
    public static final String NAME = "alpn-router";

    private final Consumer<String> route;
    private final List<Object> early = new ArrayList<>();
    private boolean routed;

    /** {@code route} adds its handlers at the end of the pipeline (after this one) and starts reading. */
    public AlpnRouter(Consumer<String> route) {
        this.route = route;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        ctx.fireUserEventTriggered(evt);
        if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess() && !routed) {
            routed = true;
            SslHandler tls = ctx.pipeline().get(SslHandler.class);
            String protocol = tls == null ? null : tls.engine().getApplicationProtocol();
            route.accept(protocol == null ? "" : protocol);
            boolean any = !early.isEmpty();
            for (Object msg : early) {
                ctx.fireChannelRead(msg);
            }
            early.clear();
            if (any) {
                ctx.fireChannelReadComplete();
            }
            ctx.pipeline().remove(this);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (routed) {
            ctx.fireChannelRead(msg);
        } else {
            early.add(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (routed) {
            ctx.fireChannelReadComplete();
        } // before the route, the TLS handler reads what its handshake needs
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        early.forEach(ReferenceCountUtil::release);
        early.clear();
    }
}
