package io.faultline.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** terminateTls.alpn: its default per listener protocol, its round trip, and every bad value named. */
class AlpnConfigTest {
    private static ProxyConfig parse(String terminateTls, String upstream) {
        return ConfigParser.parse("""
                listeners: [{name: l, listen: 127.0.0.1:0, upstream: "%s", terminateTls: {certFile: /c, keyFile: /k%s}}]
                """.formatted(upstream, terminateTls));
    }

    @Test
    void httpListenersOfferH2ThenHttp11UnlessToldTcpListenersNothing() {
        assertThat(parse("", "http://127.0.0.1:1").listeners().get(0).termination().alpn())
                .containsExactly("h2", "http/1.1");
        assertThat(parse("", "127.0.0.1:1").listeners().get(0).termination().alpn()).isEmpty();
        assertThat(parse(", alpn: [http/1.1, h2]", "http://127.0.0.1:1").listeners().get(0).termination().alpn())
                .containsExactly("http/1.1", "h2");
        assertThat(parse(", alpn: []", "http://127.0.0.1:1").listeners().get(0).termination().alpn()).isEmpty();
    }

    @Test
    void theRenderedConfigParsesBackToTheSame() {
        for (String alpn : List.of("", ", alpn: [http/1.1]", ", alpn: []")) {
            ProxyConfig c = parse(alpn, "http://127.0.0.1:1");
            var rendered = ConfigJson.render(c, l -> null);
            assertThat(ConfigParser.parse(rendered.toString())).isEqualTo(c);
        }
        ProxyConfig tcp = parse("", "127.0.0.1:1");
        var rendered = ConfigJson.render(tcp, l -> null);
        assertThat(rendered.at("/listeners/0/terminateTls").has("alpn")).isFalse();
        assertThat(ConfigParser.parse(rendered.toString())).isEqualTo(tcp);
    }

    @Test
    void badValuesNameTheFieldAndWhatIsAccepted() {
        assertThatThrownBy(() -> parse(", alpn: [h3]", "http://127.0.0.1:1")).isInstanceOf(ConfigException.class)
                .hasMessage("listeners[0].terminateTls.alpn[0]: 'h3' is not a protocol the sidecar serves; "
                        + "expected h2 or http/1.1");
        assertThatThrownBy(() -> parse(", alpn: [h2, h2]", "http://127.0.0.1:1")).isInstanceOf(ConfigException.class)
                .hasMessage("listeners[0].terminateTls.alpn[1]: 'h2' is listed twice");
        assertThatThrownBy(() -> parse(", alpn: h2", "http://127.0.0.1:1")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("listeners[0].terminateTls.alpn: expected a list of protocols from [h2, http/1.1]");
        assertThatThrownBy(() -> parse(", alpn: [1]", "http://127.0.0.1:1")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("listeners[0].terminateTls.alpn[0]: expected a string");
        assertThatThrownBy(() -> parse(", alpn: [h2]", "127.0.0.1:1")).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("listeners[0].terminateTls.alpn: applies to http listeners only");
    }
}
