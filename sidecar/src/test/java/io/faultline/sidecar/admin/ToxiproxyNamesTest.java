package io.faultline.sidecar.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.config.ConfigParser;
import io.faultline.sidecar.config.ProxyConfig;
import io.faultline.sidecar.config.RuleSpec;
import io.faultline.sidecar.config.StreamDirection;
import io.faultline.sidecar.fault.LatencyFault;
import io.faultline.sidecar.fault.LatencyDistribution;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Toxiproxy names to config names and back. */
class ToxiproxyNamesTest {
    private final ToxiproxyNames names = new ToxiproxyNames();

    private static RuleSpec rule(String name) {
        return new RuleSpec(name, List.of(), 1.0, StreamDirection.DOWNSTREAM, null,
                new LatencyFault(Duration.ZERO, Duration.ZERO, LatencyDistribution.UNIFORM));
    }

    @Test
    void validNamesAreUsedVerbatim() {
        assertThat(names.newListenerName("redis", Set.of())).isEqualTo("redis");
        assertThat(names.proxyName("redis")).isEqualTo("redis");
        String rule = names.newRuleName("redis", "latency_downstream", Set.of());
        assertThat(rule).isEqualTo("redis.latency_downstream");
        assertThat(names.toxicName(rule(rule), "redis")).isEqualTo("latency_downstream");
        // A rule not named after the proxy shows under its own name.
        assertThat(names.toxicName(rule("slow"), "redis")).isEqualTo("slow");
        assertThat(names.toxicName(rule("redis.x"), "other")).isEqualTo("redis.x");
    }

    @Test
    void anyOtherNameGetsAValidConfigNameAndShowsBackAsGiven() {
        for (String proxy : new String[] {"Redis:6379", "__x__", "ÄÖÜ", "a".repeat(200), "-lead"}) {
            String listener = names.newListenerName(proxy, Set.of());
            assertThat(ConfigParser.NAME.matcher(listener).matches()).as(listener).isTrue();
            assertThat(names.proxyName(listener)).isEqualTo(proxy);
            String rule = names.newRuleName(listener, "CUT_CONNECTION_DOWNSTREAM", Set.of());
            assertThat(ConfigParser.NAME.matcher(rule).matches()).as(rule).isTrue();
            assertThat(names.toxicName(rule(rule), listener)).isEqualTo("CUT_CONNECTION_DOWNSTREAM");
        }
        assertThat(names.newListenerName("Redis:6379", Set.of())).isEqualTo(names.newListenerName("Redis:6379", Set.of()));
        assertThat(names.newListenerName("Redis:6379", Set.of())).isNotEqualTo(names.newListenerName("redis:6379", Set.of()));
    }

    @Test
    void takenNamesAreAvoided() {
        String first = names.newListenerName("redis", Set.of("redis"));
        assertThat(first).isNotEqualTo("redis").matches("redis-[0-9a-f]{8}");
        String second = names.newListenerName("redis", Set.of("redis", first));
        assertThat(second).isNotIn("redis", first).matches("redis-[0-9a-f]{8}");
        assertThat(names.proxyName(second)).isEqualTo("redis");
        String rule = names.newRuleName("a", "b", Set.of("a.b"));
        assertThat(rule).isNotEqualTo("a.b");
        assertThat(names.toxicName(rule(rule), "a")).isEqualTo("b");
    }

    @Test
    void retainForgetsNamesGoneFromTheConfig() {
        String listener = names.newListenerName("Gone", Set.of());
        names.retain(ProxyConfig.EMPTY);
        assertThat(names.proxyName(listener)).isEqualTo(listener);
    }
}
