package io.faultline.sidecar.fault;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.faultline.sidecar.config.ConfigNode;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * tlsHandshakeFailure: the client's TLS handshake fails with a fatal alert. The handler reads the
 * client's first TLS record (its ClientHello) ahead of everything else on the connection, also ahead
 * of TLS termination, answers with the alert and closes. The upstream connection is already open (the
 * sidecar connects before reading the client) but receives no byte; it is closed with the client.
 * Bytes that are not a TLS handshake record pass untouched. Rule {@code stream} does not apply; on a
 * connection that is already open when the rule arrives the handshake is over and nothing happens.
 */
public record TlsHandshakeFailureFault(String alert) implements FaultSpec {
    /** TLS alert descriptions (RFC 8446 6 and RFC 5246 7.2) that fail a handshake, by their RFC names. */
    static final Map<String, Integer> ALERTS = new LinkedHashMap<>();

    static {
        ALERTS.put("handshake_failure", 40);
        ALERTS.put("protocol_version", 70);
        ALERTS.put("insufficient_security", 71);
        ALERTS.put("unexpected_message", 10);
        ALERTS.put("bad_record_mac", 20);
        ALERTS.put("record_overflow", 22);
        ALERTS.put("bad_certificate", 42);
        ALERTS.put("unsupported_certificate", 43);
        ALERTS.put("certificate_revoked", 44);
        ALERTS.put("certificate_expired", 45);
        ALERTS.put("certificate_unknown", 46);
        ALERTS.put("illegal_parameter", 47);
        ALERTS.put("unknown_ca", 48);
        ALERTS.put("access_denied", 49);
        ALERTS.put("decode_error", 50);
        ALERTS.put("decrypt_error", 51);
        ALERTS.put("internal_error", 80);
        ALERTS.put("inappropriate_fallback", 86);
        ALERTS.put("missing_extension", 109);
        ALERTS.put("unsupported_extension", 110);
        ALERTS.put("unrecognized_name", 112);
        ALERTS.put("certificate_required", 116);
        ALERTS.put("no_application_protocol", 120);
    }

    public static final FaultKind KIND = new FaultKind() {
        @Override
        public String name() {
            return "tlsHandshakeFailure";
        }

        @Override
        public FaultSpec parse(ConfigNode node) {
            node.allowOnly(Set.of("alert"));
            String alert = node.string("alert", "handshake_failure");
            if (!ALERTS.containsKey(alert)) {
                throw node.error("alert", "unknown TLS alert '" + alert + "'; expected one of " + ALERTS.keySet());
            }
            return new TlsHandshakeFailureFault(alert);
        }
    };

    @Override
    public FaultKind kind() {
        return KIND;
    }

    @Override
    public ObjectNode toJson() {
        return JsonNodeFactory.instance.objectNode().put("alert", alert);
    }

    @Override
    public boolean actsOnClientHello() {
        return true;
    }

    @Override
    public ChannelHandler newHandler(FaultContext context) {
        return new Handler(ALERTS.get(alert), context);
    }

    /** Sits first in the client's pipeline; waits for one whole TLS record before it decides. */
    static final class Handler extends ChannelDuplexHandler {
        private static final int HANDSHAKE = 22;
        private static final int ALERT = 21;
        private static final int FATAL = 2;
        private static final int HEADER = 5;
        /** TLSCiphertext's limit (2^14 + 2048); a larger length is not TLS. */
        private static final int MAX_RECORD_BODY = 18_432;

        private enum State { READING_HELLO, PASSING, FAILED }

        private final int description;
        private final FaultContext context;
        private State state = State.READING_HELLO;
        private ByteBuf held;

        Handler(int description, FaultContext context) {
            this.description = description;
            this.context = context;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (state == State.PASSING || !(msg instanceof ByteBuf buf)) {
                ctx.fireChannelRead(msg);
                return;
            }
            if (state == State.FAILED) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (held == null) {
                held = buf;
            } else {
                ByteBuf joined = ctx.alloc().buffer(held.readableBytes() + buf.readableBytes());
                joined.writeBytes(held).writeBytes(buf);
                held.release();
                buf.release();
                held = joined;
            }
            decide(ctx);
        }

        private void decide(ChannelHandlerContext ctx) {
            if (held.readableBytes() < HEADER) {
                return;
            }
            int at = held.readerIndex();
            int length = held.getUnsignedShort(at + 3);
            if (held.getUnsignedByte(at) != HANDSHAKE || held.getUnsignedByte(at + 1) != 3
                    || length > MAX_RECORD_BODY) {
                passThrough(ctx);
                return;
            }
            if (held.readableBytes() >= HEADER + length) {
                fail(ctx);
            }
        }

        private void passThrough(ChannelHandlerContext ctx) {
            state = State.PASSING;
            ByteBuf bytes = held;
            held = null;
            ctx.fireChannelRead(bytes);
        }

        /** The whole ClientHello is read: nothing unread is left to turn our close into a reset. */
        private void fail(ChannelHandlerContext ctx) {
            state = State.FAILED;
            held.release();
            held = null;
            context.injected();
            ByteBuf alert = ctx.alloc().buffer(HEADER + 2)
                    .writeByte(ALERT).writeByte(3).writeByte(3).writeShort(2)
                    .writeByte(FATAL).writeByte(description);
            ctx.writeAndFlush(alert).addListener((ChannelFutureListener) f -> context.closeConnection());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (state == State.PASSING) {
                ctx.fireChannelReadComplete();
            } else if (state == State.READING_HELLO) {
                ctx.read(); // AUTO_READ is off and the next handler has seen nothing to ask for more
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent && state == State.READING_HELLO && held != null) {
                passThrough(ctx); // the client gave up mid-record: what it sent goes on, then its FIN
                ctx.fireChannelReadComplete();
            }
            ctx.fireUserEventTriggered(evt);
        }

        /** Removed by a config change while reading: what it held goes on, in order. */
        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            if (held != null) {
                ByteBuf bytes = held;
                held = null;
                ctx.fireChannelRead(bytes);
                ctx.fireChannelReadComplete();
            }
        }
    }
}
