package io.faultline.operator.webhook;

/** Whether a pod gets the sidecar, and why (the reason is the Event reason detail and the metric tag). */
public record InjectionDecision(boolean inject, Reason reason, String message) {

    public enum Reason {
        Injected, SystemNamespace, AlreadyInjected, OptedOut, HostNetwork, NotOptedIn, PodSecurity, InvalidAnnotation, PortConflict,
        InternalError
    }

    public static InjectionDecision injected(String message) {
        return new InjectionDecision(true, Reason.Injected, message);
    }

    public static InjectionDecision skip(Reason reason, String message) {
        return new InjectionDecision(false, reason, message);
    }
}
