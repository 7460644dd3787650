package io.faultline.operator.compiler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.faultline.crds.spec.Target;
import io.faultline.crds.spec.TargetProtocol;

/** Baseline listeners: what an injected pod keeps whatever its sessions say. */
class ProxyConfigCompilerBaselineTest {
    private static final Instant T0 = Instant.parse("2026-11-23T09:00:00Z");

    private static Target baselineInbound(String name, int port) {
        Target target = new Target();
        target.name = name;
        target.port = port;
        return target;
    }

    @Test
    void withoutSessionsTheBaselineListenersPassTrafficThroughWithoutRules() {
        PodConfig config = ProxyConfigCompiler.compile(List.of(), null,
                List.of(baselineInbound("http", 8080), Sessions.outbound("payments", "15001=http://payments:80")));

        assertThat(config.json().get("listeners").toString()).isEqualTo("[{\"name\":\"http\",\"listen\":\"0.0.0.0:18080\","
                + "\"upstream\":\"127.0.0.1:8080\",\"protocol\":\"tcp\"},{\"name\":\"payments\",\"listen\":\"127.0.0.1:15001\","
                + "\"upstream\":\"payments:80\",\"protocol\":\"http\"}]");
        assertThat(config.json().get("rules")).isEmpty();
        assertThat(config.version()).isNotEqualTo(ProxyConfigCompiler.compile(List.of(), null).version());
    }

    @Test
    void aSessionTargetOnTheSameAddressTakesTheListenerOver() {
        ResolvedSession session = Sessions.active("slow", T0, Sessions.spec(List.of(Sessions.inbound("web", 8080, TargetProtocol.HTTP)),
                Sessions.latency("lag", "100ms")), null);

        PodConfig config = ProxyConfigCompiler.compile(List.of(session), null, List.of(baselineInbound("http", 8080)));

        assertThat(config.json().get("listeners")).hasSize(1);
        assertThat(config.json().get("listeners").get(0).get("name").asText()).isEqualTo("web");
        assertThat(config.json().get("listeners").get(0).get("protocol").asText()).isEqualTo("http");
    }

    @Test
    void aBaselineNameTakenByASessionListenerGetsItsPortAppended() {
        ResolvedSession session = Sessions.active("s", T0, Sessions.spec(List.of(Sessions.inbound("http", 9090, TargetProtocol.TCP)),
                Sessions.latency("lag", "100ms")), null);

        PodConfig config = ProxyConfigCompiler.compile(List.of(session), null, List.of(baselineInbound("http", 8080)));

        assertThat(config.json().get("listeners").findValuesAsText("name")).containsExactly("http", "http-18080");
    }

    @Test
    void anEmptyBaselineCompilesExactlyAsBefore() {
        ResolvedSession session = Sessions.active("s", T0, Sessions.spec(List.of(Sessions.inbound("http", 8080, TargetProtocol.TCP)),
                Sessions.latency("lag", "100ms")), null);

        assertThat(ProxyConfigCompiler.compile(List.of(session), null, List.of()).json())
                .isEqualTo(ProxyConfigCompiler.compile(List.of(session), null).json());
    }
}
