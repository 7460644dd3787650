package io.faultline.sidecar.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.faultline.sidecar.config.RecordingSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ring: bounded, oldest overwritten, resized keeping the newest, cleared on demand. */
class RecordingBufferTest {
    static RecordedExchange entry(String uri) {
        return new RecordedExchange(0, "web", 1_000, "GET", uri, "h", "HTTP/1.1", 200, "OK", "forwarded", List.of(),
                List.of(), List.of(), null, RecordedExchange.Body.NONE, RecordedExchange.Body.NONE,
                -1, -1, 10, 20, 30, 40);
    }

    private static List<String> uris(List<RecordedExchange> entries) {
        return entries.stream().map(RecordedExchange::uri).toList();
    }

    private static RecordingBuffer buffer(int capacity) {
        return new RecordingBuffer(new RecordingSpec(capacity, List.of(), 0));
    }

    @Test
    void wrapsAtCapacityKeepingTheNewestInOrder() {
        RecordingBuffer b = buffer(3);
        for (int i = 1; i <= 7; i++) {
            assertThat(b.add(entry("/" + i)).id()).isEqualTo(i);
        }
        assertThat(b.size()).isEqualTo(3);
        assertThat(b.recorded()).isEqualTo(7);
        assertThat(uris(b.newest(100))).containsExactly("/5", "/6", "/7");
        assertThat(uris(b.newest(2))).containsExactly("/6", "/7");
        assertThat(b.newest(0)).isEmpty();
    }

    @Test
    void shrinkingKeepsTheNewestAndGrowingKeepsAll() {
        RecordingBuffer b = buffer(4);
        for (int i = 1; i <= 6; i++) {
            b.add(entry("/" + i));
        }
        b.reconfigure(new RecordingSpec(2, List.of("x-a"), 10));
        assertThat(uris(b.newest(10))).containsExactly("/5", "/6");
        assertThat(b.spec().headers()).containsExactly("x-a");
        b.reconfigure(new RecordingSpec(5, List.of(), 0));
        b.add(entry("/7"));
        assertThat(uris(b.newest(10))).containsExactly("/5", "/6", "/7");
        for (int i = 8; i <= 10; i++) {
            b.add(entry("/" + i));
        }
        assertThat(uris(b.newest(10))).containsExactly("/6", "/7", "/8", "/9", "/10");
        assertThat(b.capacity()).isEqualTo(5);
    }

    @Test
    void clearForgetsEntriesButIdsGoOn() {
        RecordingBuffer b = buffer(2);
        b.add(entry("/1"));
        b.add(entry("/2"));
        b.add(entry("/3"));
        assertThat(b.clear()).isEqualTo(2);
        assertThat(b.newest(10)).isEmpty();
        assertThat(b.add(entry("/4")).id()).isEqualTo(4);
        assertThat(uris(b.newest(10))).containsExactly("/4");
    }
}
