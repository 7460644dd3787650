package io.faultline.sidecar.http.h2;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamEvent;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.ArrayList;

/**
 * The handler of one HTTP/2 (prior knowledge) connection to the upstream, behind its frame codec:
 * opens upstream streams and routes what comes back to the {@link H2Stream} each belongs to.
 */
final class H2UpstreamLink extends Http2ChannelDuplexHandler {
    private final H2ProxyConnection conn;
    private final IntObjectMap<H2Stream> streams = new IntObjectHashMap<>();
    private Channel channel;
    /** The upstream sent GOAWAY: streams already open finish, new ones go to a new connection. */
    boolean goingAway;

    H2UpstreamLink(H2ProxyConnection conn) {
        this.conn = conn;
    }

    Channel channel() {
        return channel;
    }

    boolean usable() {
        return channel != null && channel.isActive() && !goingAway;
    }

    /** A new stream for {@code s}; its id is set when its HEADERS frame is written. */
    Http2FrameStream open(H2Stream s) {
        s.link = this;
        return newStream();
    }

    void register(H2Stream s) {
        if (s.upstreamStream.id() > 0) {
            streams.put(s.upstreamStream.id(), s);
        }
    }

    void forget(H2Stream s) {
        if (s.upstreamStream != null && s.upstreamStream.id() > 0) {
            streams.remove(s.upstreamStream.id());
        }
    }

    @Override
    protected void handlerAdded0(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof Http2StreamFrame frame) || frame.stream() == null) {
            if (msg instanceof Http2GoAwayFrame) {
                goingAway = true;
            }
            ReferenceCountUtil.release(msg);
            return;
        }
        H2Stream s = streams.get(frame.stream().id());
        if (s == null) {
            ReferenceCountUtil.release(msg); // a stream we gave up on; closed streams give their window back
            return;
        }
        if (frame instanceof Http2ResetFrame reset) {
            streams.remove(frame.stream().id());
            conn.upstreamReset(s, reset.errorCode());
        } else if (frame instanceof Http2HeadersFrame || frame instanceof Http2DataFrame) {
            if (frame instanceof Http2DataFrame data) {
                conn.listenerStats.bytesDownstream.add(data.content().readableBytes());
            }
            conn.fromUpstream(s, frame);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        conn.client().flush();
        ctx.flush();
        ctx.read();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof Http2FrameStreamEvent e && e.type() == Http2FrameStreamEvent.Type.State
                && e.stream().state() == Http2Stream.State.CLOSED) {
            H2Stream s = streams.remove(e.stream().id());
            if (s != null) {
                conn.upstreamStreamClosed(s);
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        goingAway = true;
        for (H2Stream s : new ArrayList<>(streams.values())) {
            conn.upstreamStreamClosed(s);
        }
        streams.clear();
        conn.upstreamGone(this);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // channelInactive tells the streams
    }
}
