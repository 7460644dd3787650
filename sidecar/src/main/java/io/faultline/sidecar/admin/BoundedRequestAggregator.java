package io.faultline.sidecar.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.TimeUnit;

/**
 * Aggregates request bodies up to a limit; beyond it answers 413 in the API's error shape. The rest of
 * the body is read and dropped (closing while the client still sends would reset the connection and
 * lose the 413), then the connection is closed: by the client after the answer, or by us after a grace period.
 */
final class BoundedRequestAggregator extends HttpObjectAggregator {
    private static final long DRAIN_GRACE_SECONDS = 5;
    private final int maxBody;

    BoundedRequestAggregator(int maxBody) {
        super(maxBody);
        this.maxBody = maxBody;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        AdminResponse error = AdminResponse.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                "request body too large; at most " + maxBody + " bytes are accepted");
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, error.status(),
                Unpooled.wrappedBuffer(error.body()));
        res.headers().set(HttpHeaderNames.CONTENT_TYPE, error.contentType());
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        HttpUtil.setContentLength(res, error.body().length);
        ctx.channel().config().setAutoRead(true);
        ctx.writeAndFlush(res).addListener(f -> {
            if (!f.isSuccess()) {
                ctx.close();
            }
        });
        ctx.executor().schedule(() -> ctx.close(), DRAIN_GRACE_SECONDS, TimeUnit.SECONDS);
    }
}
