package io.faultline.sidecar.recording;

import io.faultline.sidecar.engine.ListenerStats;
import io.faultline.sidecar.http.ExchangeObserver;
import io.faultline.sidecar.http.HttpExchange;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;

/** Hooks an {@link ExchangeRecorder} into one http client connection (one observer per connection). */
public final class RecordingObserver implements ExchangeObserver {
    private final ExchangeRecorder recorder;

    public RecordingObserver(String listener, ListenerStats stats) {
        this.recorder = new ExchangeRecorder(listener, stats);
    }

    @Override
    public void requestReceived(HttpExchange exchange, long nanos) {
        recorder.requestReceived(exchange.request(), nanos);
    }

    @Override
    public void forwardingStarted(HttpExchange exchange, boolean newConnection, long nanos) {
        recorder.forwardingStarted(newConnection, nanos);
    }

    @Override
    public void upstreamConnected(HttpExchange exchange, long nanos) {
        recorder.upstreamConnected(nanos);
    }

    @Override
    public void requestBody(HttpExchange exchange, HttpContent part) {
        recorder.requestBody(part.content());
    }

    @Override
    public void requestSent(HttpExchange exchange, long nanos) {
        recorder.requestSent(nanos);
    }

    @Override
    public void responseStarted(HttpExchange exchange, HttpResponse head, long nanos) {
        recorder.responseStarted(head, nanos);
    }

    @Override
    public void responseBody(HttpExchange exchange, HttpContent part) {
        recorder.responseBody(part.content());
    }

    @Override
    public void responseTrailers(HttpExchange exchange, io.netty.handler.codec.http.HttpHeaders trailers) {
        recorder.responseTrailers(trailers);
    }

    @Override
    public void responseComplete(HttpExchange exchange, long nanos) {
        recorder.responseComplete(recorder.recording() ? exchange.injectedRules() : java.util.List.of(), nanos);
    }

    @Override
    public void exchangeAborted(HttpExchange exchange, long nanos) {
        recorder.aborted(recorder.recording() ? exchange.injectedRules() : java.util.List.of(), nanos);
    }
}
