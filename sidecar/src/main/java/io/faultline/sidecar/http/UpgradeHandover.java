package io.faultline.sidecar.http;

import io.faultline.sidecar.http.RequestExchange.RequestStage;
import io.faultline.sidecar.http.RequestExchange.ResponseStage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * The upstream answered an upgrade request with 101 Switching Protocols (WebSocket...): the 101 goes
 * to the client, HTTP ends on both connections and {@link UpgradeTunnels} takes them over as a byte
 * relay with the listener's tcp faults ({@link TunnelRules}). What the client sent behind its
 * upgrade request (held by {@link ClientIntake}) then goes to the upstream, in order.
 */
final class UpgradeHandover {
    private UpgradeHandover() {
    }

    /** Whether a request asks to switch protocols (Upgrade, named in Connection) to one we relay (not h2c). */
    static boolean asksToUpgrade(HttpRequest request) {
        return HopByHop.upgradeWithoutH2c(request.headers().get(HttpHeaderNames.UPGRADE)) != null
                && request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    static void run(HttpProxyConnection conn, RequestExchange ex, HttpResponse response) {
        if (ex.requestStage != RequestStage.DONE) {
            conn.upstream.failedDuring(ex, "upstream switched protocols before the request was complete");
            return;
        }
        ex.cancelTimers();
        HopByHop.stripKeepingUpgrade(response.headers());
        long now = conn.nanoTime();
        conn.observer.responseStarted(ex, response, now);
        // Past the response encoder, which would take the 101 for a response with a body to come.
        conn.client.pipeline().context(HttpProxyConnection.ENCODER)
                .writeAndFlush(RawHead.encode(conn.client.alloc(), response));
        ex.responseStage = ResponseStage.DONE;
        conn.observer.responseComplete(ex, now);
        conn.stats.upgraded.increment();
        conn.exchange = null;
        conn.closed = true; // HTTP handling ends here; the channels live on in the tunnel
        List<ByteBuf> fromClient = conn.intake.leaveHttp();
        List<ByteBuf> after101 = new ArrayList<>(1);
        Channel upstream = conn.upstream.detach(after101);
        if (fromClient == null) {
            after101.forEach(ByteBuf::release);
            conn.client.close();
            upstream.close();
            return;
        }
        conn.tunnels.start(conn.client, upstream, TunnelRules.forUpgrade(ex.view));
        // What either side sent right behind the upgrade goes first, through the faults now in place,
        // ahead of anything the relay reads from now on (its reads complete on a later turn of the loop).
        for (ByteBuf b : after101) {
            conn.client.write(b);
        }
        conn.client.flush();
        for (ByteBuf b : fromClient) {
            upstream.write(b);
        }
        upstream.flush();
    }
}
