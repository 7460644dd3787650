package io.faultline.sidecar.http;

import io.faultline.sidecar.config.ConfigException;
import io.faultline.sidecar.config.ListenerSpec;
import io.faultline.sidecar.config.Protocol;
import io.faultline.sidecar.config.ProxyConfig;
import io.faultline.sidecar.config.RuleSpec;
import io.faultline.sidecar.fault.FaultSpec;
import io.faultline.sidecar.fault.LatencyFault;

/**
 * Which faults work on which listener protocol: http listeners take every fault (http faults act per
 * request, tcp faults on the bytes of upgraded connections such as WebSocket); tcp listeners take
 * the tcp faults. A rule that names its listeners must fit every one of them (else the config is
 * refused, naming the field); a rule without {@code listeners} applies to the listeners it fits and
 * must fit at least one.
 */
public final class RuleCompatibility {
    private RuleCompatibility() {
    }

    public static boolean fits(Protocol protocol, RuleSpec rule) {
        FaultSpec fault = rule.fault();
        if (protocol == Protocol.HTTP) {
            // http faults act per request; tcp faults on the bytes of upgraded (WebSocket) connections.
            // A ClientHello fault has nothing to act on behind an HTTP request line.
            return fault instanceof HttpFault || (TunnelRules.hasTcpForm(fault) && !fault.actsOnClientHello());
        }
        return TunnelRules.hasTcpForm(fault) && rule.match() == null;
    }

    public static void check(ProxyConfig config) {
        for (int i = 0; i < config.rules().size(); i++) {
            RuleSpec rule = config.rules().get(i);
            String at = "rules[" + i + "]";
            if (rule.listeners().isEmpty()) {
                if (!config.listeners().isEmpty()
                        && config.listeners().stream().noneMatch(l -> fits(l.protocol(), rule))) {
                    throw mismatch(at, rule, config.listeners().get(0));
                }
                continue;
            }
            for (String name : rule.listeners()) {
                ListenerSpec l = config.listener(name).orElse(null);
                if (l != null && !fits(l.protocol(), rule)) {
                    throw mismatch(at, rule, l);
                }
            }
        }
    }

    private static ConfigException mismatch(String at, RuleSpec rule, ListenerSpec l) {
        String kind = rule.fault().kind().name();
        if (rule.fault().actsOnClientHello()) {
            return new ConfigException(at + "." + kind, "'" + kind + "' acts on a TLS handshake and needs a tcp listener;"
                    + " listener '" + l.name() + "' is http");
        }
        if (rule.match() != null) {
            return new ConfigException(at + ".match", "request matching needs an http listener; listener '"
                    + l.name() + "' is tcp (set protocol: http or an http:// upstream)");
        }
        if (rule.fault() instanceof LatencyFault lf && lf.phase() != null) {
            return new ConfigException(at + ".latency.phase", "phase applies to http listeners only; listener '"
                    + l.name() + "' is tcp");
        }
        return new ConfigException(at + "." + kind, "'" + kind + "' needs an http listener; listener '"
                + l.name() + "' is tcp (set protocol: http or an http:// upstream)");
    }

}
