package io.faultline.sidecar.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
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

/**
 * Aggregates request bodies up to a limit; beyond it answers 413 in the API's error shape and closes
 * the connection (reads are manual here, so the rest of an oversized body is never waited for).
 */
final class BoundedRequestAggregator extends HttpObjectAggregator {
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
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    }
}
