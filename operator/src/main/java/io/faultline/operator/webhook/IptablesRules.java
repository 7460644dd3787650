package io.faultline.operator.webhook;

import java.util.ArrayList;
import java.util.List;

/**
 * The iptables commands of transparent interception, as data. Inbound TCP to an intercepted port is redirected
 * (nat PREROUTING → chain FAULTLINE_INBOUND → REDIRECT) to the sidecar's listener for it. Only PREROUTING is touched:
 * it sees packets arriving from outside the pod, never those the pod sends itself, so the sidecar's own connection to
 * the app on 127.0.0.1:&lt;port&gt; (nat OUTPUT) is not redirected again. The jump from PREROUTING is added last, so traffic
 * never meets a half-built chain.
 */
public final class IptablesRules {
    public static final String CHAIN = "FAULTLINE_INBOUND";

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
