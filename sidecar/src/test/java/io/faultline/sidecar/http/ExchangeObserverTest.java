package io.faultline.sidecar.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The phase events an {@link ExchangeObserver} gets, in order, with the event loop's (virtual) time. */
class ExchangeObserverTest {
    private static final String GET = "GET /items HTTP/1.1\r\nHost: shop\r\n\r\n";
    private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    /** Records "phase path status @millis-since-start". */
    private static final class Recorder implements ExchangeObserver {
        final List<String> events = new ArrayList<>();
        long start = -1;

        private void add(String phase, HttpExchange ex, long nanos, String extra) {
            if (start < 0) {
                start = nanos;
            }
            String path = ex.request() == null ? "-" : ex.request().uri();
            events.add(phase + " " + path + extra + " @" + (nanos - start) / 1_000_000);
        }

        @Override
        public void requestReceived(HttpExchange ex, long nanos) {
            add("received", ex, nanos, "");
        }

        @Override
        public void upstreamConnected(HttpExchange ex, long nanos) {
            add("connected", ex, nanos, "");
        }

        @Override
        public void requestSent(HttpExchange ex, long nanos) {
            add("sent", ex, nanos, "");
        }

        @Override
        public void responseStarted(HttpExchange ex, HttpResponse head, long nanos) {
            add("started", ex, nanos, " " + head.status().code() + " " + ex.injectedRules());
        }

        @Override
        public void responseComplete(HttpExchange ex, long nanos) {
            add("complete", ex, nanos, "");
        }

        @Override
        public void exchangeAborted(HttpExchange ex, long nanos) {
            add("aborted", ex, nanos, "");
        }
    }

    private static EmbeddedHttpProxy proxy(String rules, Recorder r) {
        return new EmbeddedHttpProxy(EmbeddedHttpProxy.activeRules(rules), 1,
                HttpConnectionOptions.DEFAULTS.withObserver(r));
    }

    @Test
    void forwardedRequestsReportEveryPhaseAndTheConnectOnlyOnce() {
        Recorder r = new Recorder();
        try (EmbeddedHttpProxy p = proxy("[]", r)) {
            p.send(GET);
            p.advance(7);
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
            p.advance(3);
            p.upstreamSends("ok");
            assertThat(p.clientReceived()).endsWith("ok");
            p.send(GET.replace("/items", "/again"));
            p.upstreamSends(OK);
            assertThat(p.clientReceived()).endsWith("ok");
        }
        assertThat(r.events).containsExactly(
                "received /items @0", "connected /items @0", "sent /items @0",
                "started /items 200 [] @7", "complete /items @10",
                "received /again @10", "sent /again @10", "started /again 200 [] @10", "complete /again @10");
    }

    @Test
    void aLocalAnswerReportsItsStatusAndTheRuleThatInjectedIt() {
        Recorder r = new Recorder();
        try (EmbeddedHttpProxy p = proxy("[{name: slow, latency: {fixed: 20ms}}, {name: err, abort: {status: 503}}]", r)) {
            p.send(GET);
            p.advance(20);
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 503");
        }
        assertThat(r.events).containsExactly("received /items @0", "started /items 503 [slow, err] @20",
                "complete /items @20");
    }

    @Test
    void aMalformedRequestIsReportedWithoutARequest() {
        Recorder r = new Recorder();
        try (EmbeddedHttpProxy p = proxy("[]", r)) {
            p.send("GET /x HTTP/1.1\r\nHost: s\r\nbad header\r\n\r\n");
            assertThat(p.clientReceived()).startsWith("HTTP/1.1 400");
        }
        assertThat(r.events).containsExactly("received - @0", "started - 400 [] @0", "complete - @0");
    }

    @Test
    void aConnectionClosedMidResponseEndsTheExchangeAsAborted() {
        Recorder r = new Recorder();
        try (EmbeddedHttpProxy p = proxy("[]", r)) {
            p.send(GET);
            p.upstreamSends("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
            p.advance(4);
            p.client.close();
            p.client.runPendingTasks();
        }
        assertThat(r.events).containsExactly("received /items @0", "connected /items @0", "sent /items @0",
                "started /items 200 [] @0", "aborted /items @4");
    }
}
