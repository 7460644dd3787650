package io.faultline.operator.webhook;

import java.util.Locale;

/**
 * How traffic reaches the sidecar.
 * <ul>
 * <li>{@code explicit}: no privileges. Inbound, the sidecar takes over the NAMES of the app's container ports (a
 * Service with {@code targetPort: http} then reaches the sidecar, which forwards to the app on 127.0.0.1); the app's
 * port is renamed {@code app-<port>} and its probes switched to the port number, so kubelet keeps probing the app
 * directly. Outbound, the app is pointed at localhost listeners through environment variables.</li>
 * <li>{@code transparent}: an init container with NET_ADMIN redirects inbound TCP to the intercepted ports to the
 * sidecar's listeners with iptables (nat PREROUTING); nothing in the pod spec needs renaming.</li>
 * </ul>
 */
public enum Interception {
    EXPLICIT, TRANSPARENT;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Interception parse(String text, String where) {
        for (Interception mode : values()) {
            if (mode.wireName().equals(text == null ? null : text.trim())) {
                return mode;
            }
        }
        throw new IllegalArgumentException(where + " '" + text + "' is not an interception mode; accepted: explicit, transparent");
    }
}
