package io.faultline.sidecar.config;

/** How a listener understands its traffic. */
public enum Protocol {
    TCP, HTTP;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
