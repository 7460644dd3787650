package io.faultline.sidecar.http.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * First step of an http listener's pipeline: reads until the first bytes show whether the client
 * speaks HTTP/2 with prior knowledge (the connection preface {@code PRI * HTTP/2.0...}) or HTTP/1.x,
 * installs that protocol's handlers behind itself, and leaves; the bytes it read go on to them.
 * Decides at the first byte that differs from the preface (at once for every HTTP/1.x method), or
 * HTTP/1.x when the client stops sending before the preface is complete.
 */
public final class PrefaceSniffer extends ByteToMessageDecoder {
    public static final String NAME = "protocol-sniffer";
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final Runnable startHttp1;
    private final Runnable startH2;
    private boolean decided;

    /** Each starter adds its handlers at the end of the pipeline (after this one) and starts reading. */
    public PrefaceSniffer(Runnable startHttp1, Runnable startH2) {
        this.startHttp1 = startHttp1;
        this.startH2 = startH2;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (decided) {
            return;
        }
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        boolean prefix = ByteBufUtil.equals(in, in.readerIndex(), PREFACE, PREFACE.readerIndex(), n);
        if (!prefix) {
            hand(ctx, startHttp1);
        } else if (n == PREFACE.readableBytes()) {
            hand(ctx, startH2);
        }
        // else: a prefix of the preface so far; ByteToMessageDecoder reads more (AUTO_READ off).
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!decided) {
            hand(ctx, startHttp1); // closed or half-closed early: HTTP/1.x handles what there is
        }
    }

    private void hand(ChannelHandlerContext ctx, Runnable start) {
        decided = true;
        start.run();
        // Removal passes the bytes read so far to the handlers just added.
        ctx.pipeline().remove(this);
    }
}
