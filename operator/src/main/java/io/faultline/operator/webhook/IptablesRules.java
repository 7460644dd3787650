package io.faultline.operator.webhook;

import java.util.ArrayList;
import java.util.List;

/**
 * The iptables commands of transparent interception, as data (outbound: {@link #outbound}). Inbound TCP to an intercepted port is redirected
 * (nat PREROUTING → chain FAULTLINE_INBOUND → REDIRECT) to the sidecar's listener for it. Only PREROUTING is touched:
 * it sees packets arriving from outside the pod, never those the pod sends itself, so the sidecar's own connection to
 * the app on 127.0.0.1:&lt;port&gt; (nat OUTPUT) is not redirected again. The jump from PREROUTING is added last, so traffic
 * never meets a half-built chain.
 */
public final class IptablesRules {
    public static final String CHAIN = "FAULTLINE_INBOUND";
    public static final String OUTBOUND_CHAIN = "FAULTLINE_OUTBOUND";

    private IptablesRules() {
    }

    /** One argv per command, in order. Empty when there is nothing to redirect. */
    public static List<List<String>> inbound(List<InboundPort> ports) {
        List<List<String>> commands = new ArrayList<>();
        if (ports.isEmpty()) {
            return commands;
        }
        commands.add(List.of("iptables", "-t", "nat", "-N", CHAIN));
        for (InboundPort port : ports) {
            commands.add(List.of("iptables", "-t", "nat", "-A", CHAIN, "-p", "tcp", "--dport", String.valueOf(port.port()),
                    "-j", "REDIRECT", "--to-ports", String.valueOf(port.listenPort())));
        }
        commands.add(List.of("iptables", "-t", "nat", "-A", "PREROUTING", "-p", "tcp", "-j", CHAIN));
        return commands;
    }

    /**
     * Transparent outbound: the app's TCP connections to a redirected destination port go to the sidecar's outbound
     * listener (nat OUTPUT → chain FAULTLINE_OUTBOUND → REDIRECT, which rewrites the destination to 127.0.0.1:listener).
     * The sidecar's own connections (by owner UID, it runs as {@code sidecarUid}) and loopback destinations return
     * first: the sidecar must reach the real upstream, and the app's local traffic (including the explicit listeners)
     * stays as it is. The original destination address is not kept: the listener's mapping says where to go, which is
     * why one destination port maps to one listener.
     */
    public static List<List<String>> outbound(List<OutboundListener> listeners, long sidecarUid) {
        List<List<String>> commands = new ArrayList<>();
        List<OutboundListener> redirected = listeners.stream().filter(l -> l.redirectPort() != null).toList();
        if (redirected.isEmpty()) {
            return commands;
        }
        commands.add(List.of("iptables", "-t", "nat", "-N", OUTBOUND_CHAIN));
        commands.add(List.of("iptables", "-t", "nat", "-A", OUTBOUND_CHAIN, "-m", "owner", "--uid-owner", String.valueOf(sidecarUid),
                "-j", "RETURN"));
        commands.add(List.of("iptables", "-t", "nat", "-A", OUTBOUND_CHAIN, "-d", "127.0.0.0/8", "-j", "RETURN"));
        for (OutboundListener listener : redirected) {
            commands.add(List.of("iptables", "-t", "nat", "-A", OUTBOUND_CHAIN, "-p", "tcp", "--dport",
                    String.valueOf(listener.redirectPort()), "-j", "REDIRECT", "--to-ports", String.valueOf(listener.listenPort())));
        }
        commands.add(List.of("iptables", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "-j", OUTBOUND_CHAIN));
        return commands;
    }

    /** Everything the init container runs: inbound, then outbound. */
    public static List<List<String>> all(List<InboundPort> ports, List<OutboundListener> listeners, long sidecarUid) {
        List<List<String>> commands = new ArrayList<>(inbound(ports));
        commands.addAll(outbound(listeners, sidecarUid));
        return commands;
    }

    /** A POSIX shell script running the commands, stopping at the first failure (every argument is a plain token). */
    public static String script(List<List<String>> commands) {
        StringBuilder script = new StringBuilder("set -e");
        for (List<String> command : commands) {
            for (String arg : command) {
                if (!arg.matches("[A-Za-z0-9_./:-]+")) {
                    throw new IllegalArgumentException("iptables argument '" + arg + "' would need shell quoting");
                }
            }
            script.append('\n').append(String.join(" ", command));
        }
        return script.toString();
    }
}
