package io.faultline.sidecar.http;

import io.faultline.sidecar.http.RequestExchange.RequestStage;
import io.faultline.sidecar.http.RequestExchange.ResponseStage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.function.Consumer;

/**
 * Writes responses to the client: the upstream's (head edited by faults and re-framed for the
 * client, body streamed or, for body faults, held and rewritten) and the proxy's local answers.
 * Remembers the last write so the upstream is read again only once the client took it.
 *
 * <p>Every piece of an upstream response body goes through {@link #writeBody}: the one place where
 * body pacing (slowBody) belongs.
 */
final class ResponseRelay {
    private final HttpProxyConnection conn;
    private ChannelFuture lastWrite;
    /** An informational head was skipped: the empty last part the decoder adds to it goes too. */
    private boolean skipEmptyLast;

    ResponseRelay(HttpProxyConnection conn) {
        this.conn = conn;
    }

    /** The last write to the client not yet waited for (null if none); forgotten once taken. */
    ChannelFuture takeLastWrite() {
        ChannelFuture written = lastWrite;
        lastWrite = null;
        return written;
    }

    /** The upstream connection was dropped: what was noted about its informational answers goes too. */
    void forgetInformational() {
        skipEmptyLast = false;
    }

    /** A local answer (fault, refusal, upstream error) as the whole response of {@code ex}. */
    void writeLocalAnswer(RequestExchange ex, FullHttpResponse response) {
        ex.responseStage = ResponseStage.DONE;
        conn.observer.responseStarted(ex, response, conn.nanoTime());
        conn.observer.responseBody(ex, response);
        lastWrite = conn.client.writeAndFlush(response);
        conn.observer.responseComplete(ex, conn.nanoTime());
    }

    void head(RequestExchange ex, HttpResponse response) {
        if (response.decoderResult().isFailure()) {
            ReferenceCountUtil.release(response);
            conn.upstream.failedDuring(ex, "upstream sent an invalid response");
            return;
        }
        int status = response.status().code();
        if (status == 101) {
            if (ex.upgradeRequested && ex.responseStage == ResponseStage.WAITING) {
                UpgradeHandover.run(conn, ex, response);
            } else {
                ReferenceCountUtil.release(response);
                conn.upstream.failedDuring(ex, "upstream switched protocols without being asked to");
            }
            return;
        }
        if (status >= 100 && status < 200) {
            skipEmptyLast = true; // the decoder follows every head with a last part, empty for these
            if (ex.responseStage == ResponseStage.WAITING) {
                relayInformational(ex, response);
                return;
            }
        }
        if (ex.responseStage != ResponseStage.WAITING) {
            ReferenceCountUtil.release(response);
            conn.upstream.failedDuring(ex, "upstream sent a second response head");
            return;
        }
        conn.upstream.cancelResponseTimer();
        ex.upstreamWillClose = !HttpUtil.isKeepAlive(response);
        HttpHeaders h = response.headers();
        HopByHop.strip(h);
        for (Consumer<HttpResponse> edit : ex.responseEdits) {
            edit.accept(response);
        }
        boolean clientHttp10 = ex.http10;
        int code = response.status().code();
        boolean bodyAllowed = !ex.request.method().equals(HttpMethod.HEAD) && code != 204 && code != 304
                && code >= 200;
        if (bodyAllowed && !HttpUtil.isContentLengthSet(response) && !HttpUtil.isTransferEncodingChunked(response)) {
            // Close-delimited upstream body: re-frame as chunked, or close after it for HTTP/1.0 clients.
            if (clientHttp10) {
                ex.closeAfter = true;
            } else {
                HttpUtil.setTransferEncodingChunked(response, true);
            }
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        ExchangeDecider.setConnectionHeader(ex, h);
        ex.responseStage = ResponseStage.STREAMING;
        if (!ex.bodyTransforms.isEmpty() && bodyAllowed
                && h.get(HttpHeaderNames.CONTENT_ENCODING, "identity").equalsIgnoreCase("identity")) {
            // The head waits for the rewritten body (its length changes).
            ex.heldHead = response;
            ex.heldBody = conn.client.alloc().compositeBuffer(64);
            return;
        }
        LastHttpContent whole = response instanceof LastHttpContent || ex.responsePacer != null || skipEmptyLast
                ? null : conn.upstream.takeWholeBody();
        if (whole != null) {
            writeWhole(ex, response, whole);
            return;
        }
        writeHead(ex, response);
        if (response instanceof LastHttpContent) {
            endOfResponse(ex);
        }
    }

    /** The head and the whole body came in one read: one write, one encoding pass (observer told as usual). */
    private void writeWhole(RequestExchange ex, HttpResponse head, LastHttpContent body) {
        conn.observer.responseStarted(ex, head, conn.nanoTime());
        conn.observer.responseBody(ex, body);
        lastWrite = conn.client.write(new DefaultFullHttpResponse(head.protocolVersion(), head.status(),
                body.content(), head.headers(), body.trailingHeaders()));
        endOfResponse(ex);
    }

    void content(RequestExchange ex, HttpContent content) {
        if (skipEmptyLast && content instanceof LastHttpContent && ex.responseStage == ResponseStage.WAITING) {
            skipEmptyLast = false;
            content.release();
            return;
        }
        if (content.decoderResult().isFailure() || ex.responseStage != ResponseStage.STREAMING) {
            content.release();
            conn.upstream.failedDuring(ex, "upstream sent an invalid response body");
            return;
        }
        if (ex.heldHead != null) {
            collectBody(ex, content);
            return;
        }
        emitBody(ex, content, content instanceof LastHttpContent);
    }

    /**
     * A body part goes to the client, then the response ends if it was the last. Paced (slowBody): the
     * pacer writes it slice by slice and the upstream is not drained meanwhile; it goes on from here.
     */
    private void emitBody(RequestExchange ex, HttpContent content, boolean last) {
        if (ex.responsePacer == null) {
            writeBody(ex, content);
            if (last) {
                endOfResponse(ex);
            }
            return;
        }
        conn.client.flush(); // the head (and what came before) goes at once: only the body is paced
        ex.responsePacer.send(content, part -> {
            writeBody(ex, part);
            conn.client.flush();
        }, () -> {
            if (last) {
                endOfResponse(ex);
            }
            conn.upstream.drain();
        });
    }

    /**
     * 100 Continue, 103 Early Hints...: passed on as they came (hop-by-hop headers removed), ahead of
     * the final answer; never to HTTP/1.0 clients (RFC 9110 §15.2). Encoded here, past the response
     * encoder, whose state machine expects one final head per response.
     */
    private void relayInformational(RequestExchange ex, HttpResponse response) {
        ReferenceCountUtil.release(response);
        if (ex.http10) {
            return;
        }
        HopByHop.strip(response.headers());
        lastWrite = conn.client.pipeline().context(HttpProxyConnection.ENCODER)
                .writeAndFlush(RawHead.encode(conn.client.alloc(), response));
        if (response.status().code() == HttpResponseStatus.CONTINUE.code()) {
            conn.intake.continueRelayed(ex);
        }
    }

    private void writeHead(RequestExchange ex, HttpResponse head) {
        conn.observer.responseStarted(ex, head, conn.nanoTime());
        lastWrite = conn.client.write(head);
    }

    /** Every part of an upstream response body passes here on its way to the client. */
    private void writeBody(RequestExchange ex, HttpContent content) {
        conn.observer.responseBody(ex, content);
        lastWrite = conn.client.write(content);
    }

    /** Holds a response body for body faults, up to {@link HttpProxyConnection#MAX_BODY_FOR_FAULTS}; then rewrites it. */
    private void collectBody(RequestExchange ex, HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        ex.heldBody.addComponent(true, content.content().retain());
        content.release();
        HttpResponse head = ex.heldHead;
        if (ex.heldBody.readableBytes() > HttpProxyConnection.MAX_BODY_FOR_FAULTS) {
            // Too large to hold: it goes on as the upstream framed it, unchanged.
            ByteBuf soFar = ex.heldBody;
            ex.heldBody = null;
            ex.heldHead = null;
            writeHead(ex, head);
            emitBody(ex, last ? new DefaultLastHttpContent(soFar) : new DefaultHttpContent(soFar), last);
            return;
        }
        if (!last) {
            return;
        }
        byte[] body = ByteBufUtil.getBytes(ex.heldBody);
        ex.releaseHeldBody();
        for (HttpExchange.BodyTransform transform : ex.bodyTransforms) {
            byte[] rewritten = transform.apply(head, body);
            if (rewritten != null) {
                body = rewritten;
            }
        }
        head.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
        head.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        writeHead(ex, head);
        emitBody(ex, new DefaultLastHttpContent(Unpooled.wrappedBuffer(body)), true);
    }

    private void endOfResponse(RequestExchange ex) {
        ex.responseStage = ResponseStage.DONE;
        conn.client.flush();
        conn.observer.responseComplete(ex, conn.nanoTime());
        if (ex.requestStage != RequestStage.DONE) {
            // The upstream answered before the request was complete: it will not read the rest; nor do we.
            ex.closeAfter = true;
            conn.upstream.drop();
            conn.closeAfterWrites();
            return;
        }
        conn.finishIfComplete(ex);
    }
}
