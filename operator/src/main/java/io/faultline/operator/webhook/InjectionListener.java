package io.faultline.operator.webhook;

import io.fabric8.kubernetes.api.model.Pod;

/** Told about every admission decision (Events and metrics). Must not throw or block for long. */
public interface InjectionListener {
    void decided(Pod pod, String namespace, InjectionDecision decision);

    InjectionListener NONE = (pod, namespace, decision) -> {
    };
}
