package io.faultline.sidecar.admin;

import io.netty.handler.codec.http.HttpResponseStatus;

/** A client error with its HTTP status, answered as {"error": message, "status": code}. */
public final class ApiException extends RuntimeException {
    private final HttpResponseStatus status;

    public ApiException(HttpResponseStatus status, String message) {
        super(message);
        this.status = status;
    }

    public HttpResponseStatus status() {
        return status;
    }
}
