package io.faultline.sidecar.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.config.ConfigJson;
import io.faultline.sidecar.config.ConfigParser;
import io.faultline.sidecar.config.ProxyConfig;
import io.faultline.sidecar.config.TlsTermination;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The tlsHandshakeFailure handler on an EmbeddedChannel, and its config (with terminateTls's). */
class TlsHandshakeFailureFaultTest {
    /** A handshake record header announcing {@code body} bytes, then the body (content is not inspected). */
    private static byte[] clientHello(int body) {
        byte[] b = new byte[5 + body];
        b[0] = 22;
        b[1] = 3;
        b[2] = 1;
        b[3] = (byte) (body >> 8);
        b[4] = (byte) body;
        Arrays.fill(b, 5, b.length, (byte) 7);
        return b;
    }

    private static void read(FaultHarness h, byte[] bytes) {
        ByteBuf buf = h.channel.alloc().buffer(bytes.length).writeBytes(bytes);
        h.channel.writeInbound(buf);
        h.channel.runPendingTasks();
    }

    private static byte[] inbound(FaultHarness h) {
        List<Byte> all = new ArrayList<>();
        ByteBuf buf;
        while ((buf = h.channel.readInbound()) != null) {
            while (buf.isReadable()) {
                all.add(buf.readByte());
            }
            buf.release();
        }
        byte[] out = new byte[all.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = all.get(i);
        }
        return out;
    }

    @Test
    void aClientHelloInPiecesIsAnsweredWithTheAlertOnceWholeThenTheConnectionCloses() {
        try (FaultHarness h = new FaultHarness(new TlsHandshakeFailureFault("protocol_version"))) {
            byte[] hello = clientHello(300);
            read(h, Arrays.copyOfRange(hello, 0, 3)); // not even a whole header
            read(h, Arrays.copyOfRange(hello, 3, 200));
            assertThat(h.drain()).as("nothing answered before the record is whole").isEmpty();
            assertThat(h.closes).isZero();
            read(h, Arrays.copyOfRange(hello, 200, hello.length));
            assertThat(h.drainBytes()).containsExactly(21, 3, 3, 0, 2, 2, 70);
            assertThat(h.closes).isEqualTo(1);
            assertThat(h.injected).isEqualTo(1);
            assertThat(inbound(h)).as("the ClientHello never goes on").isEmpty();
        }
    }

    @Test
    void bytesThatAreNotATlsHandshakePassUntouched() {
        try (FaultHarness h = new FaultHarness(new TlsHandshakeFailureFault("handshake_failure"))) {
            read(h, "GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            read(h, "Host: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(inbound(h), StandardCharsets.US_ASCII)).isEqualTo("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(h.drain()).isEmpty();
            assertThat(h.injected).isZero();
            assertThat(h.closes).isZero();
        }
    }

    @Test
    void aRecordLongerThanTlsAllowsIsNotTls() {
        try (FaultHarness h = new FaultHarness(new TlsHandshakeFailureFault("handshake_failure"))) {
            read(h, new byte[] {22, 3, 1, (byte) 0xff, (byte) 0xff});
            assertThat(inbound(h)).hasSize(5);
            assertThat(h.injected).isZero();
        }
    }

    @Test
    void removedWhileReadingItHandsOnWhatItHeld() {
        try (FaultHarness h = new FaultHarness(new TlsHandshakeFailureFault("handshake_failure"))) {
            byte[] hello = clientHello(100);
            read(h, Arrays.copyOfRange(hello, 0, 40));
            h.removeFault();
            read(h, Arrays.copyOfRange(hello, 40, hello.length));
            assertThat(inbound(h)).isEqualTo(hello);
            assertThat(h.closes).isZero();
        }
    }

    private static ProxyConfig parse(String yaml) {
        return ConfigParser.parse(yaml);
    }

    @Test
    void configShapeAndErrors() {
        ProxyConfig c = parse("""
                listeners: [{name: t, listen: 127.0.0.1:0, upstream: 127.0.0.1:1,
                             terminateTls: {certFile: /etc/tls/tls.crt, keyFile: /etc/tls/tls.key}}]
                rules: [{name: a, tlsHandshakeFailure: {}}, {name: b, tlsHandshakeFailure: {alert: unknown_ca}}]
                """);
        assertThat(c.rules().get(0).fault()).isEqualTo(new TlsHandshakeFailureFault("handshake_failure"));
        assertThat(c.rules().get(1).fault()).isEqualTo(new TlsHandshakeFailureFault("unknown_ca"));
        assertThat(c.listeners().get(0).termination()).isEqualTo(new TlsTermination("/etc/tls/tls.crt", "/etc/tls/tls.key"));
        var rendered = ConfigJson.render(c, l -> null);
        assertThat(rendered.at("/listeners/0/terminateTls/certFile").asText()).isEqualTo("/etc/tls/tls.crt");
        assertThat(rendered.at("/rules/1/tlsHandshakeFailure/alert").asText()).isEqualTo("unknown_ca");
        assertThat(ConfigParser.revalidate(c)).isEqualTo(c);

        assertThatThrownBy(() -> parse("""
                listeners: [{name: t, listen: 127.0.0.1:0, upstream: 127.0.0.1:1}]
                rules: [{name: a, tlsHandshakeFailure: {alert: nope}}]
                """)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("rules[0].tlsHandshakeFailure.alert: unknown TLS alert 'nope'")
                .hasMessageContaining("protocol_version");
        assertThatThrownBy(() -> parse("""
                listeners: [{name: t, listen: 127.0.0.1:0, upstream: 127.0.0.1:1, terminateTls: {certFile: /a.crt}}]
                """)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("listeners[0].terminateTls.keyFile: required");
        assertThatThrownBy(() -> parse("""
                listeners: [{name: t, listen: 127.0.0.1:0, upstream: 127.0.0.1:1,
                             terminateTls: {certFile: /a.crt, keyFile: /a.key, password: x}}]
                """)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("listeners[0].terminateTls.password");
        assertThatThrownBy(() -> parse("""
                listeners: [{name: web, listen: 127.0.0.1:0, upstream: "http://127.0.0.1:1"}]
                rules: [{name: a, listeners: [web], tlsHandshakeFailure: {}}]
                """)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("rules[0].tlsHandshakeFailure: 'tlsHandshakeFailure' acts on a TLS handshake and needs a tcp listener");
    }
}
