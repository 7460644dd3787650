package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.faultline.sidecar.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** rewrite: the request line the upstream receives; validation names the field. */
class RewriteFaultTest {
    private static String forwardedRequestLine(String rules, String requestLine) {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy(rules, 1)) {
            p.send(requestLine + "\r\nHost: s\r\n\r\n");
            String up = p.upstreamReceived();
            return up.substring(0, up.indexOf("\r\n"));
        }
    }

    @ParameterizedTest(name = "{1} -> {2}")
    @CsvSource(delimiter = '|', value = {
        "{pathRegex: '^/v1/(.*)', replacement: '/v2/$1'}|GET /v1/users/7?x=1 HTTP/1.1|GET /v2/users/7?x=1 HTTP/1.1",
        "{pathRegex: '^/v1/(.*)', replacement: '/v2/$1'}|GET /other HTTP/1.1|GET /other HTTP/1.1",
        "{path: /maintenance}|GET /a/b?q=2 HTTP/1.1|GET /maintenance?q=2 HTTP/1.1",
        "{method: put}|POST /a HTTP/1.1|PUT /a HTTP/1.1",
        "{method: DELETE, path: /gone}|GET /a HTTP/1.1|DELETE /gone HTTP/1.1",
        "{method: POST}|HEAD /a HTTP/1.1|HEAD /a HTTP/1.1",
        "{path: /x}|GET http://s/a/b?q=1 HTTP/1.1|GET http://s/x?q=1 HTTP/1.1",
        "{pathRegex: '/a', replacement: 'no-slash'}|GET /a HTTP/1.1|GET /a HTTP/1.1",
    })
    void theUpstreamGetsTheRewrittenRequestLine(String rewrite, String sent, String forwarded) {
        assertThat(forwardedRequestLine("[{name: r, rewrite: " + rewrite + "}]", sent)).isEqualTo(forwarded);
    }

    @Test
    void laterRulesMatchTheRewrittenRequest() {
        try (EmbeddedHttpProxy p = new EmbeddedHttpProxy("""
                [{name: r, rewrite: {pathRegex: '^/v1/', replacement: '/v2/'}},
                 {name: v2-errors, match: {path: "/v2/**"}, abort: {status: 418}}]""", 1)) {
            p.send("GET /v1/x HTTP/1.1\r\nHost: s\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 418");
            assertThat(p.rule("r").injected.sum()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{}|rules[0].rewrite: nothing to do",
        "{method: HEAD}|rules[0].rewrite.method",
        "{method: 'G T'}|rules[0].rewrite.method",
        "{path: 'no-slash'}|rules[0].rewrite.path",
        "{path: '/a', pathRegex: '/b', replacement: '/c'}|rules[0].rewrite.pathRegex",
        "{pathRegex: '('}|rules[0].rewrite.pathRegex",
        "{pathRegex: '/a'}|rules[0].rewrite.replacement",
        "{replacement: '/a'}|rules[0].rewrite.replacement",
        "{pathRegex: '/(a)', replacement: '/$2'}|rules[0].rewrite.replacement: refers to group $2",
        "{colour: red}|rules[0].rewrite.colour",
    })
    void badSettingsAreRefusedNamingTheField(String rewrite, String error) {
        assertThatThrownBy(() -> EmbeddedHttpProxy.activeRules("[{name: r, rewrite: " + rewrite + "}]"))
                .isInstanceOf(ConfigException.class).hasMessageContaining(error);
    }

    @Test
    void anUnchangedRuleStaysEqual() {
        String rule = "[{name: r, rewrite: {pathRegex: '^/v1/(.*)', replacement: '/v2/$1'}}]";
        assertThat(EmbeddedHttpProxy.activeRules(rule).get(0).spec())
                .isEqualTo(EmbeddedHttpProxy.activeRules(rule).get(0).spec());
    }
}
