package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.config.RuleSpec;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The hand-over after a 101, in EmbeddedChannels: what each side gets, what is left in the pipelines, which rules apply. */
class UpgradeHandoverTest {
    private static final String UPGRADE = "GET /ws/chat HTTP/1.1\r\nHost: s\r\nUpgrade: websocket\r\n"
            + "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n";

    private record Started(Channel client, Channel upstream, Predicate<RuleSpec> applies) {
    }

    private final List<Started> started = new ArrayList<>();

    private EmbeddedHttpProxy proxy(String rules) {
        return new EmbeddedHttpProxy(EmbeddedHttpProxy.activeRules(rules), 1,
                HttpConnectionOptions.DEFAULTS.withTunnels((c, u, applies) -> started.add(new Started(c, u, applies))));
    }

    @Test
    void the101AndTheBytesBehindItReachTheClientAndHttpLeavesBothPipelines() {
        try (EmbeddedHttpProxy p = proxy("[]")) {
            p.send(UPGRADE);
            String sent = p.upstreamReceived();
            assertThat(sent).containsIgnoringCase("upgrade: websocket\r\n").containsIgnoringCase("connection: upgrade\r\n")
                    .containsIgnoringCase("sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==");
            p.upstreamSends("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Keep-Alive: timeout=5\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\u0081\u0002hi");
            assertThat(p.clientReceived()).isEqualTo("HTTP/1.1 101 Switching Protocols\r\n"
                    + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nupgrade: websocket\r\nconnection: upgrade\r\n"
                    + "\r\n\u0081\u0002hi");
            assertThat(started).hasSize(1);
            assertThat(started.get(0).client()).isSameAs(p.client);
            assertThat(started.get(0).upstream()).isSameAs(p.upstream());
            assertThat(p.client.pipeline().names()).doesNotContain(HttpProxyConnection.CODEC, HttpProxyConnection.ENCODER, HttpProxyConnection.HANDLER);
            assertThat(p.upstream().pipeline().toMap().values()).noneMatch(h -> h.getClass().getName().contains("Http")
                    || h.getClass().getName().contains("UpstreamLink"));
            assertThat(p.client.isOpen()).isTrue();
            assertThat(p.upstream().isOpen()).isTrue();
            assertThat(p.stats.http.upgraded.sum()).isEqualTo(1);
        }
    }

    @Test
    void rulesWithATcpFormWhoseMatchFitsTheUpgradeRequestApply() {
        try (EmbeddedHttpProxy p = proxy("""
                [{name: frames, latency: {fixed: 5ms}},
                 {name: response-only, latency: {fixed: 5ms, phase: response}},
                 {name: chat, match: {path: "/ws/chat"}, bandwidth: {rate: 1KB}},
                 {name: other, match: {path: "/ws/other"}, bandwidth: {rate: 1KB}},
                 {name: edit, headers: {request: {set: {x-a: b}}}}]""")) {
            p.send(UPGRADE);
            p.advance(5); // the latency rule delays the upgrade request itself too
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            p.advance(5);
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 101");
            Predicate<RuleSpec> applies = started.get(0).applies();
            List<String> applying = p.active.stream().map(a -> a.spec()).filter(applies).map(RuleSpec::name).toList();
            assertThat(applying).containsExactly("frames", "chat");
        }
    }

    @Test
    void withoutTunnelsTheUpgradeHeadersAreNotForwardedAndA101Gets502() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("[]", 1)) {
            p.send(UPGRADE);
            assertThat(p.upstreamReceived()).doesNotContainIgnoringCase("upgrade");
            p.upstreamSends("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 502");
        }
    }

    @Test
    void whatTheClientSentBehindItsUpgradeRequestReachesTheUpstreamAfterThe101InOrder() {
        try (EmbeddedHttpProxy p = proxy("[]")) {
            // One write: the request, then a first frame and more bytes that look like HTTP but are not.
            p.send(UPGRADE + "\u0081\u0085abcdHELLO" + "GET /not-http HTTP/1.1\r\n\r\n");
            assertThat(p.upstreamReceived()).startsWith("GET /ws/chat HTTP/1.1").doesNotContain("HELLO", "not-http");
            p.send("\u0081\u0001!"); // a later packet, still before the 101
            p.upstreamSends("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 101");
            assertThat(started).hasSize(1);
            assertThat(p.upstreamReceived())
                    .isEqualTo("\u0081\u0085abcdHELLO" + "GET /not-http HTTP/1.1\r\n\r\n" + "\u0081\u0001!");
            assertThat(p.client.isOpen()).isTrue();
            assertThat(p.stats.http.requests.sum()).isEqualTo(1);
        }
    }

    @Test
    void anUpgradeAnsweredWithoutASwitchGoesOnAsHttpWhenTheClientWaited() {
        try (EmbeddedHttpProxy p = proxy("[]")) {
            p.send(UPGRADE);
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 426 Upgrade Required\r\nContent-Length: 2\r\n\r\nno");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 426").endsWith("no");
            p.send("GET /next HTTP/1.1\r\nHost: s\r\n\r\n");
            assertThat(p.upstreamReceived()).startsWith("GET /next HTTP/1.1");
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 200").endsWith("ok");
            assertThat(p.client.isOpen()).isTrue();
            assertThat(started).isEmpty();
        }
    }

    @Test
    void anUpgradeAnsweredWithoutASwitchClosesAfterTheAnswerWhenTheClientSentMore() {
        try (EmbeddedHttpProxy p = proxy("[]")) {
            p.send(UPGRADE + "\u0081\u0085abcdHELLO");
            p.upstreamReceived();
            p.upstreamSends("HTTP/1.1 426 Upgrade Required\r\nContent-Length: 2\r\n\r\nno");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 426").endsWith("no");
            p.client.runPendingTasks();
            assertThat(p.client.isOpen()).isFalse();
            assertThat(started).isEmpty();
        }
    }
}
