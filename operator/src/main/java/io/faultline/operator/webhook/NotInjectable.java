package io.faultline.operator.webhook;

import io.faultline.operator.webhook.InjectionDecision.Reason;

/** The pod asked for injection but cannot get it as asked (bad annotation, port clash): it is left unchanged. */
final class NotInjectable extends RuntimeException {
    private final Reason reason;

    NotInjectable(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    Reason reason() {
        return reason;
    }
}
