package io.faultline.sidecar.admin;

import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.util.Log;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** One admin connection: decodes, authorizes, dispatches, answers; reads the next request after answering. */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final Router router;
    private final BearerAuth auth;

    AdminHandler(Router router, BearerAuth auth) {
        this.router = router;
        this.auth = auth;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        if (!req.decoderResult().isSuccess()) {
            respond(ctx, AdminResponse.error(HttpResponseStatus.BAD_REQUEST, "malformed HTTP request"), false);
            return;
        }
        HttpMethod method = req.method();
        boolean mutating = !(method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD));
        if (mutating && !auth.permits(req.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            respond(ctx, AdminResponse.error(HttpResponseStatus.UNAUTHORIZED,
                    "this call changes the proxy and needs 'Authorization: Bearer <token>' with the admin token")
                    .withHeader("WWW-Authenticate", "Bearer"), keepAlive);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(req.uri());
        AdminRequest request = new AdminRequest(method, uri.path(), java.util.Map.of(), uri.parameters(),
                req.headers(), req.content().toString(StandardCharsets.UTF_8));
        CompletionStage<AdminResponse> answer;
        try {
            answer = router.dispatch(request);
        } catch (RuntimeException e) {
            answer = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((response, failure) -> ctx.executor().execute(() ->
                respond(ctx, response != null ? response : fromFailure(failure), keepAlive)));
    }

    private static AdminResponse fromFailure(Throwable failure) {
        Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (t instanceof ConfigException ce) {
            return AdminResponse.badConfig(ce);
        }
        if (t instanceof ApiException ae) {
            return AdminResponse.error(ae.status(), ae.getMessage());
        }
        Log.error("admin_internal_error", "cause", String.valueOf(t));
        return AdminResponse.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + t);
    }

    private void respond(ChannelHandlerContext ctx, AdminResponse r, boolean keepAlive) {
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, r.status(),
                Unpooled.wrappedBuffer(r.body()));
        if (r.contentType() != null) {
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
        }
        r.headers().forEach((k, v) -> res.headers().set(k, v));
        HttpUtil.setContentLength(res, r.body().length);
        if (keepAlive) {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            ctx.writeAndFlush(res).addListener(f -> {
                if (f.isSuccess()) {
                    ctx.read();
                } else {
                    ctx.close();
                }
            });
        } else {
            res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
