package io.faultline.sidecar.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code listeners[].recording}: parsed with bounds, refused on tcp listeners, rendered back. */
class RecordingConfigTest {
    private static ListenerSpec listener(String recording) {
        return ConfigParser.parse("listeners: [{name: web, listen: \"127.0.0.1:0\", upstream: \"http://127.0.0.1:1\""
                + (recording == null ? "" : ", recording: " + recording) + "}]").listeners().get(0);
    }

    private static ConfigException error(String recording) {
        return assertThrows(ConfigException.class, () -> listener(recording));
    }

    @Test
    void offUnlessGivenAndDefaultsWhenGiven() {
        assertThat(listener(null).recording()).isEqualTo(RecordingSpec.OFF);
        assertThat(listener(null).recording().enabled()).isFalse();
        RecordingSpec d = listener("{}").recording();
        assertThat(d.enabled()).isTrue();
        assertThat(d.capacity()).isEqualTo(RecordingSpec.DEFAULT_CAPACITY);
        assertThat(d.headers()).isEmpty();
        assertThat(d.bodyBytes()).isZero();
    }

    @Test
    void fieldsAreParsedAndHeaderNamesLowerCased() {
        RecordingSpec r = listener("{capacity: 50, headers: [Content-Type, x-request-id], bodyBytes: 1KiB}").recording();
        assertThat(r).isEqualTo(new RecordingSpec(50, List.of("content-type", "x-request-id"), 1024));
    }

    @Test
    void renderedConfigParsesBackToTheSameRecording() {
        ProxyConfig c = ConfigParser.parse("""
                listeners:
                  - {name: web, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:1",
                     recording: {capacity: 7, headers: [x-a], bodyBytes: 100}}
                  - {name: plain, listen: "127.0.0.1:0", upstream: "http://127.0.0.1:2"}
                """);
        var rendered = ConfigJson.render(c, n -> null);
        assertThat(rendered.at("/listeners/0/recording").toString())
                .isEqualTo("{\"capacity\":7,\"headers\":[\"x-a\"],\"bodyBytes\":100}");
        assertThat(rendered.at("/listeners/1").has("recording")).as("off is not rendered").isFalse();
        assertThat(ConfigParser.parse(rendered.toString())).isEqualTo(c);
    }

    @Test
    void refusedOnTcpListeners() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(
                "listeners: [{name: db, listen: \"127.0.0.1:0\", upstream: \"127.0.0.1:1\", recording: {}}]"));
        assertThat(e.field()).isEqualTo("listeners[0].recording");
        assertThat(e.getMessage()).contains("http listeners only");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{capacity: 0}|listeners[0].recording.capacity|between 1 and 10000",
        "{capacity: 10001}|listeners[0].recording.capacity|between 1 and 10000",
        "{capacity: lots}|listeners[0].recording.capacity|whole number",
        "{bodyBytes: 65537}|listeners[0].recording.bodyBytes|0 to 64KiB",
        "{bodyBytes: -1}|listeners[0].recording.bodyBytes|size",
        "{capacity: 10000, bodyBytes: 2KiB}|listeners[0].recording.bodyBytes|16MiB",
        "{headers: [content-type, 'bad name']}|listeners[0].recording.headers[1]|not a header name",
        "{headers: [x-a, X-A]}|listeners[0].recording.headers[1]|listed twice",
        "{headers: x-a}|listeners[0].recording.headers|expected a list",
        "{head: [x-a]}|listeners[0].recording.head|accepted here",
        "true|listeners[0].recording|expected an object",
    })
    void badFieldsAreNamedWithWhatIsAccepted(String recording, String field, String says) {
        ConfigException e = error(recording);
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.getMessage()).contains(says);
    }

    @Test
    void atMostSixteenHeaders() {
        StringBuilder names = new StringBuilder("[");
        for (int i = 0; i < 17; i++) {
            names.append(i == 0 ? "" : ", ").append("x-h").append(i);
        }
        ConfigException e = error("{headers: " + names + "]}");
        assertThat(e.field()).isEqualTo("listeners[0].recording.headers");
        assertThat(e.getMessage()).contains("at most 16");
    }
}
