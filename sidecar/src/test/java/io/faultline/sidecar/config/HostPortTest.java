package io.faultline.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** HostPort's hand-written equals/hashCode keep value semantics (the config diff relies on them). */
class HostPortTest {
    @Test
    void equalByHostAndPort() {
        HostPort a = HostPort.parse("127.0.0.2:18080");
        assertThat(a).isEqualTo(new HostPort("127.0.0.2", 18080)).hasSameHashCodeAs(new HostPort("127.0.0.2", 18080));
        assertThat(a).isNotEqualTo(new HostPort("127.0.0.2", 18081)).isNotEqualTo(new HostPort("127.0.0.3", 18080))
                .isNotEqualTo(null).isNotEqualTo("127.0.0.2:18080");
        assertThat(HostPort.parse("[::1]:80")).isEqualTo(new HostPort("::1", 80));
    }

    @Test
    void aChangedListenAddressNeedsARebind() {
        ListenerSpec a = ConfigParser.parse("listeners: [{name: a, listen: \"127.0.0.1:15001\", upstream: \"127.0.0.1:1\"}]")
                .listeners().get(0);
        ListenerSpec same = ConfigParser.parse("listeners: [{name: a, listen: \"127.0.0.1:15001\", upstream: \"127.0.0.1:2\"}]")
                .listeners().get(0);
        ListenerSpec moved = ConfigParser.parse("listeners: [{name: a, listen: \"127.0.0.1:15002\", upstream: \"127.0.0.1:1\"}]")
                .listeners().get(0);
        assertThat(same.needsRebind(a)).isFalse();
        assertThat(moved.needsRebind(a)).isTrue();
    }
}
