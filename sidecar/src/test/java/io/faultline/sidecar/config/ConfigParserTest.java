package io.faultline.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.fault.BandwidthFault;
import io.faultline.sidecar.fault.LatencyDistribution;
import io.faultline.sidecar.fault.LatencyFault;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The document, listener and rule level of a ProxyConfig (fault fields: FaultParsingTest). */
class ConfigParserTest {
    private static final String LISTENERS = """
            listeners:
              - {name: web, listen: "127.0.0.1:0", upstream: "127.0.0.1:8080"}
              - {name: db, listen: "127.0.0.1:0", upstream: "127.0.0.1:5432"}
            """;

    private static ConfigException error(String document) {
        try {
            ConfigParser.parse(document);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("accepted:\n" + document);
    }

    private static ConfigException ruleError(String rule) {
        return error(LISTENERS + "rules:\n  - " + rule + "\n");
    }

    @Test
    void fullDocumentWithDefaults() {
        ProxyConfig c = ConfigParser.parse(LISTENERS + """
                version: "42"
                expiresAt: "2026-11-23T10:15:00Z"
                rules:
                  - name: slow
                    latency: {fixed: 200ms}
                  - name: thin
                    listeners: [db]
                    probability: 0.3
                    stream: both
                    bandwidth: {rate: 1MB}
                """);
        assertThat(c.version()).isEqualTo("42");
        assertThat(c.expiresAt()).isEqualTo(Instant.parse("2026-11-23T10:15:00Z"));
        assertThat(c.listeners()).extracting(ListenerSpec::name).containsExactly("web", "db");
        ListenerSpec web = c.listeners().get(0);
        assertThat(web.protocol()).isEqualTo(Protocol.TCP);
        assertThat(web.enabled()).isTrue();
        assertThat(web.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(web.maxConnections()).isZero();

        RuleSpec slow = c.rules().get(0);
        assertThat(slow.listeners()).as("default: every listener").isEmpty();
        assertThat(slow.appliesTo("db")).isTrue();
        assertThat(slow.probability()).isEqualTo(1.0);
        assertThat(slow.stream()).isEqualTo(StreamDirection.DOWNSTREAM);
        assertThat(slow.fault()).isEqualTo(new LatencyFault(Duration.ofMillis(200), Duration.ZERO, LatencyDistribution.UNIFORM));

        RuleSpec thin = c.rules().get(1);
        assertThat(thin.listeners()).containsExactly("db");
        assertThat(thin.appliesTo("web")).isFalse();
        assertThat(thin.probability()).isEqualTo(0.3);
        assertThat(thin.stream()).isEqualTo(StreamDirection.BOTH);
        assertThat(thin.fault()).isEqualTo(new BandwidthFault(1_000_000));
    }

    @Test
    void renderedConfigParsesBackToTheSameConfig() {
        ProxyConfig c = ConfigParser.parse(LISTENERS + """
                rules:
                  - {name: a, stream: upstream, slicer: {averageSize: 100, sizeVariation: 10, delay: 1ms}}
                  - {name: b, listeners: [web], probability: 0.5, loss: {probability: 0.1}}
                  - {name: c, down: {}}
                """);
        String rendered = ConfigJson.render(c, name -> "127.0.0.1:1234").toString();
        assertThat(ConfigParser.parse(rendered)).isEqualTo(c);
    }

    @Test
    void httpListenerTimeoutsHaveDefaultsAndAreRefusedOnTcpListeners() {
        ProxyConfig c = ConfigParser.parse("""
                listeners: [{name: web, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:1", idleTimeout: 2s}]
                """);
        assertThat(c.listeners().get(0).idleTimeout()).isEqualTo(java.time.Duration.ofSeconds(2));
        assertThat(c.listeners().get(0).responseTimeout()).isEqualTo(ListenerSpec.DEFAULT_RESPONSE_TIMEOUT);
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> ConfigParser.parse("""
                        listeners: [{name: db, listen: "127.0.0.1:0", upstream: "127.0.0.1:1", idleTimeout: 2s}]
                        """));
        assertThat(e.field()).isEqualTo("listeners[0].idleTimeout");
        assertThat(e.getMessage()).contains("http listeners only");
    }

    @Test
    void clientRequestTimeoutsParseDefaultRenderAndNameTheFieldWhenWrong() {
        ProxyConfig c = ConfigParser.parse("""
                listeners:
                  - {name: web, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:1", requestHeadTimeout: 250ms}
                  - {name: api, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:1", requestBodyIdleTimeout: 0}
                """);
        ListenerSpec web = c.listeners().get(0);
        ListenerSpec api = c.listeners().get(1);
        assertThat(web.requestHeadTimeout()).isEqualTo(java.time.Duration.ofMillis(250));
        assertThat(web.requestBodyIdleTimeout()).isEqualTo(ListenerSpec.DEFAULT_REQUEST_BODY_IDLE_TIMEOUT);
        assertThat(api.requestHeadTimeout()).isEqualTo(java.time.Duration.ofSeconds(10));
        assertThat(api.requestBodyIdleTimeout()).isZero();
        String rendered = ConfigJson.render(c, name -> null).toString();
        assertThat(rendered).contains("\"requestHeadTimeout\":\"250ms\"", "\"requestBodyIdleTimeout\":\"0\"");
        assertThat(ConfigParser.parse(rendered)).isEqualTo(c);

        ConfigException bad = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> ConfigParser.parse("""
                        listeners: [{name: web, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:1", requestHeadTimeout: soon}]
                        """));
        assertThat(bad.field()).isEqualTo("listeners[0].requestHeadTimeout");
        assertThat(bad.getMessage()).contains("ms");
        ConfigException tcp = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class,
                () -> ConfigParser.parse("""
                        listeners: [{name: db, listen: "127.0.0.1:0", upstream: "127.0.0.1:1", requestBodyIdleTimeout: 5s}]
                        """));
        assertThat(tcp.field()).isEqualTo("listeners[0].requestBodyIdleTimeout");
        assertThat(tcp.getMessage()).contains("http listeners only");
    }

    @Test
    void unknownFaultKindNamesTheFieldAndListsTheKinds() {
        ConfigException e = ruleError("{name: r, explode: {}}");
        assertThat(e.field()).isEqualTo("rules[0].explode");
        assertThat(e.getMessage()).contains("latency", "bandwidth", "slicer", "limitData", "timeout",
                "resetPeer", "slowClose", "down", "loss");
    }

    @Test
    void twoFaultsInOneRuleAreRejected() {
        ConfigException e = ruleError("{name: r, latency: {fixed: 1s}, bandwidth: {rate: 1KB}}");
        assertThat(e.field()).isEqualTo("rules[0].bandwidth");
        assertThat(e.getMessage()).contains("exactly one fault", "latency");
    }

    @Test
    void aRuleWithoutFaultIsRejected() {
        ConfigException e = ruleError("{name: r, probability: 0.5}");
        assertThat(e.field()).isEqualTo("rules[0]");
        assertThat(e.getMessage()).contains("needs exactly one fault");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{latency: {fixed: 1s}}|rules[0].name",
        "{name: Slow, latency: {fixed: 1s}}|rules[0].name",
        "{name: 'a b', latency: {fixed: 1s}}|rules[0].name",
        "{name: -a, latency: {fixed: 1s}}|rules[0].name",
        "{name: r, listeners: [nope], latency: {fixed: 1s}}|rules[0].listeners[0]",
        "{name: r, listeners: [web, nope], latency: {fixed: 1s}}|rules[0].listeners[1]",
        "{name: r, listeners: web, latency: {fixed: 1s}}|rules[0].listeners",
        "{name: r, probability: 1.5, latency: {fixed: 1s}}|rules[0].probability",
        "{name: r, probability: often, latency: {fixed: 1s}}|rules[0].probability",
        "{name: r, stream: sideways, latency: {fixed: 1s}}|rules[0].stream",
        "{name: r, match: {path: /x}, latency: {fixed: 1s}}|rules[0].match",
    })
    void badRuleFieldsAreNamed(String rule, String field) {
        assertThat(ruleError(rule).field()).isEqualTo(field);
    }

    @Test
    void unknownListenerReferenceSaysWhichListenersExist() {
        ConfigException e = ruleError("{name: r, listeners: [nope], latency: {fixed: 1s}}");
        assertThat(e.getMessage()).contains("'nope'", "web", "db");
    }

    @Test
    void duplicateRuleNames() {
        ConfigException e = error(LISTENERS + """
                rules:
                  - {name: r, latency: {fixed: 1s}}
                  - {name: r, down: {}}
                """);
        assertThat(e.field()).isEqualTo("rules[1].name");
        assertThat(e.getMessage()).contains("duplicate");
    }

    @Test
    void duplicateListenerNames() {
        ConfigException e = error("""
                listeners:
                  - {name: web, listen: "127.0.0.1:0", upstream: "127.0.0.1:1"}
                  - {name: web, listen: "127.0.0.1:0", upstream: "127.0.0.1:2"}
                """);
        assertThat(e.field()).isEqualTo("listeners[1].name");
        assertThat(e.getMessage()).contains("duplicate");
    }

    @Test
    void twoListenersOnOneFixedAddress() {
        ConfigException e = error("""
                listeners:
                  - {name: a, listen: "127.0.0.1:15001", upstream: "127.0.0.1:1"}
                  - {name: b, listen: "127.0.0.1:15001", upstream: "127.0.0.1:2"}
                """);
        assertThat(e.field()).isEqualTo("listeners[1].listen");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{listen: '127.0.0.1:0', upstream: '127.0.0.1:1'}|listeners[0].name",
        "{name: Web, listen: '127.0.0.1:0', upstream: '127.0.0.1:1'}|listeners[0].name",
        "{name: web, upstream: '127.0.0.1:1'}|listeners[0].listen",
        "{name: web, listen: 'nowhere', upstream: '127.0.0.1:1'}|listeners[0].listen",
        "{name: web, listen: '127.0.0.1:0'}|listeners[0].upstream",
        "{name: web, listen: '127.0.0.1:0', upstream: 'ftp://x:1'}|listeners[0].upstream",
        "{name: web, listen: '127.0.0.1:0', upstream: '127.0.0.1:1', protocol: udp}|listeners[0].protocol",
        "{name: web, listen: '127.0.0.1:0', upstream: '127.0.0.1:1', port: 5}|listeners[0].port",
        "{name: web, listen: '127.0.0.1:0', upstream: '127.0.0.1:1', tls: {caFile: /x}}|listeners[0].tls",
        "{name: web, listen: '127.0.0.1:0', upstream: '127.0.0.1:1', maxConnections: -1}|listeners[0].maxConnections",
        "{name: web, listen: '127.0.0.1:0', upstream: '127.0.0.1:1', connectTimeout: soon}|listeners[0].connectTimeout",
    })
    void badListenerFieldsAreNamed(String listener, String field) {
        assertThat(error("listeners:\n  - " + listener + "\n").field()).isEqualTo(field);
    }

    @Test
    void documentLevelErrors() {
        assertThat(error("").field()).isEmpty();
        assertThat(error("listeners: [").getMessage()).contains("not valid YAML or JSON");
        assertThat(error("- a\n- b\n").getMessage()).contains("expected an object");
        assertThat(error("listners: []").field()).isEqualTo("listners");
        assertThat(error("expiresAt: tomorrow").field()).isEqualTo("expiresAt");
        assertThat(error("listeners: {name: web}").field()).isEqualTo("listeners");
    }

    @Test
    void jsonIsAcceptedToo() {
        ProxyConfig c = ConfigParser.parse("""
                {"listeners": [{"name": "web", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:8080"}],
                 "rules": [{"name": "r", "stream": "upstream", "timeout": {"after": "0"}}]}
                """);
        assertThat(c.rules().get(0).stream()).isEqualTo(StreamDirection.UPSTREAM);
    }

    /** JSON bodies take the JSON parser: the same config as the YAML parser makes of them; non-JSON still reads as YAML. */
    @Test
    void jsonDocumentsParseAsTheYamlParserWouldParseThem() throws Exception {
        String json = """
                {"version":"9f2c","expiresAt":"2026-11-23T10:15:00Z",
                 "listeners":[{"name":"app","listen":"127.0.0.2:18080","upstream":"127.0.0.1:9","protocol":"tcp","maxConnections":7},
                              {"name":"web","listen":"127.0.0.1:0","upstream":"http://127.0.0.1:8080","enabled":false}],
                 "rules":[{"name":"bench.slow","listeners":["app"],"probability":0.25,"stream":"downstream",
                           "latency":{"fixed":"101ms","jitter":"5ms","distribution":"normal"}},
                          {"name":"abort","listeners":["web"],"match":{"path":"/api/\u00e9"},"abort":{"status":503,"body":"x\ny"}}]}
                """;
        com.fasterxml.jackson.databind.ObjectMapper yaml = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        ProxyConfig viaJson = ConfigParser.parse(json);
        ProxyConfig viaYaml = ConfigParser.parse(yaml.readTree(json));
        assertThat(ConfigJson.render(viaJson, l -> null)).isEqualTo(ConfigJson.render(viaYaml, l -> null));

        // flow-style YAML starts with '{' too, but is not JSON
        assertThat(ConfigParser.parse("{version: \"7\", listeners: []}").version()).isEqualTo("7");
        // duplicate keys are refused with the YAML reader's message, as before
        assertThat(error("{\"version\":\"1\",\"version\":\"2\"}").getMessage()).contains("not valid YAML or JSON");
        // text after the object: the JSON reader refuses it, so the YAML reader decides, as before
        String trailing = "{\"version\":\"1\"} }";
        assertThat(ConfigParser.parse(trailing)).isEqualTo(ConfigParser.parse(yaml.readTree(trailing)));
    }
}
