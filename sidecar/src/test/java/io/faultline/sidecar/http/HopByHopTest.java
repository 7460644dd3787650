package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** Hop-by-hop headers end at the proxy, with or without a Connection header naming them. */
class HopByHopTest {
    @Test
    void theFixedHopByHopHeadersGoEvenWithoutAConnectionHeader() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Keep-Alive", "timeout=5").add("Proxy-Connection", "keep-alive").add("TE", "trailers")
                .add("Upgrade", "h2c").add("x-end", "1").add("Content-Length", "3");
        HopByHop.strip(h);
        assertThat(h.names()).containsExactlyInAnyOrder("x-end", "Content-Length");
    }

    @Test
    void headersNamedByConnectionGoButFramingAndHostStay() {
        HttpHeaders h = new DefaultHttpHeaders()
                .add("Connection", "close, X-Hop").add("connection", "content-length, Transfer-Encoding, host")
                .add("x-hop", "1").add("content-length", "3").add("transfer-encoding", "chunked")
                .add("host", "svc").add("x-end", "2");
        HopByHop.strip(h);
        assertThat(h.names()).containsExactlyInAnyOrder("content-length", "transfer-encoding", "host", "x-end");
    }

    @Test
    void anH2cUpgradeIsDeclinedOtherUpgradesStay() {
        assertThat(HopByHop.upgradeWithoutH2c("h2c")).isNull();
        assertThat(HopByHop.upgradeWithoutH2c(" H2C ")).isNull();
        assertThat(HopByHop.upgradeWithoutH2c("websocket")).isEqualTo("websocket");
        assertThat(HopByHop.upgradeWithoutH2c("h2c, websocket")).isEqualTo("websocket");
        assertThat(HopByHop.upgradeWithoutH2c(null)).isNull();
    }

    @Test
    void http2SettingsGoesEvenWhenConnectionDoesNotNameIt() {
        HttpHeaders h = new DefaultHttpHeaders().add("HTTP2-Settings", "AAMAAABkAAQCAAAAAAIAAAAA").add("x-end", "1");
        HopByHop.strip(h);
        assertThat(h.names()).containsExactly("x-end");
    }
}
