package io.faultline.sidecar.recording;

import java.util.List;

/**
 * One recorded request and its response, immutable. Times are nanoseconds from the request head's
 * arrival; -1 marks a phase that did not happen (no new upstream connection, a local answer, a
 * connection closed early). Strings and bodies are already cut to their bounds.
 *
 * @param outcome     {@code forwarded} (the upstream answered), {@code answered} (a fault or the
 *                    proxy answered), {@code aborted} (closed before the response was complete)
 * @param status      the status sent to the client; 0 when none was
 * @param rules       the rules that injected something into this request, in order
 * @param endNanos    the response's last byte, or the close that cut the exchange short
 */
public record RecordedExchange(
        long id,
        String listener,
        long startedAtEpochMillis,
        String method,
        String uri,
        String host,
        String httpVersion,
        int status,
        String statusText,
        String outcome,
        List<String> rules,
        List<Header> requestHeaders,
        List<Header> responseHeaders,
        String responseContentType,
        Body requestBody,
        Body responseBody,
        long connectStartNanos,
        long connectedNanos,
        long forwardStartNanos,
        long requestSentNanos,
        long firstByteNanos,
        long endNanos) {

    public record Header(String name, String value) {
    }

    /** {@code size}: bytes seen; {@code captured}: the first of them, at most the configured bound (null: none). */
    public record Body(long size, byte[] captured) {
        public static final Body NONE = new Body(0, null);

        public boolean truncated() {
            return captured != null && captured.length < size;
        }
    }

    public RecordedExchange withId(long newId) {
        return new RecordedExchange(newId, listener, startedAtEpochMillis, method, uri, host, httpVersion, status,
                statusText, outcome, rules, requestHeaders, responseHeaders, responseContentType, requestBody,
                responseBody, connectStartNanos, connectedNanos, forwardStartNanos, requestSentNanos, firstByteNanos,
                endNanos);
    }

    /** Opening the upstream connection, or -1 when a kept-alive one was used (or none). */
    public long connectNanos() {
        return connectStartNanos >= 0 && connectedNanos >= 0 ? connectedNanos - connectStartNanos : -1;
    }

    /** Request head in to response head out, or -1 when no response started. */
    public long timeToFirstByteNanos() {
        return firstByteNanos;
    }

    public long totalNanos() {
        return endNanos;
    }

    /**
     * HAR's split of {@link #totalNanos}: blocked (rules, request delays), connect, send, wait,
     * receive; -1 for blocked/connect when they do not apply. The parts add up to the total.
     */
    public long[] harPhasesNanos() {
        long end = Math.max(0, endNanos);
        long firstByte = firstByteNanos >= 0 ? Math.min(firstByteNanos, end) : end;
        if (connectStartNanos < 0 && forwardStartNanos < 0 && requestSentNanos < 0) {
            return new long[] {-1, -1, 0, firstByte, end - firstByte}; // answered here, or cut short before forwarding
        }
        long sendStart = connectStartNanos >= 0
                ? (connectedNanos >= 0 ? connectedNanos : firstByte)
                : (forwardStartNanos >= 0 ? forwardStartNanos : requestSentNanos >= 0 ? requestSentNanos : firstByte);
        sendStart = clamp(sendStart, 0, end);
        long blocked = connectStartNanos >= 0 ? clamp(connectStartNanos, 0, sendStart) : sendStart;
        long connect = connectStartNanos >= 0 ? sendStart - blocked : -1;
        // Without the "sent" mark (cut short while sending) sending lasts until the response or the end.
        long sent = clamp(requestSentNanos >= 0 ? requestSentNanos : firstByte, sendStart, end);
        long responseStart = clamp(firstByte, sent, end); // an early answer overlaps sending: no wait then
        return new long[] {blocked, connect, sent - sendStart, responseStart - sent, end - responseStart};
    }

    private static long clamp(long v, long min, long max) {
        return Math.max(min, Math.min(max, v));
    }
}
