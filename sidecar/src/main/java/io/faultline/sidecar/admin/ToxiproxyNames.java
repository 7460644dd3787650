package io.faultline.sidecar.admin;

import io.faultline.sidecar.config.ConfigParser;
import io.faultline.sidecar.config.ProxyConfig;
import io.faultline.sidecar.config.RuleSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Toxiproxy names versus config names. A proxy is a listener and a toxic is a rule, but Toxiproxy
 * accepts any name (Testcontainers uses {@code host:port} proxies and {@code CUT_CONNECTION_DOWNSTREAM}
 * toxics) and scopes toxic names per proxy, while config names are lower-case and rule names are
 * global. So:
 * <ul>
 *   <li>a proxy named with a valid config name is the listener of that name;</li>
 *   <li>a toxic {@code T} on proxy (listener) {@code P} is the rule {@code P.T}, so the same toxic
 *       name on two proxies gives two rules; a rule {@code P.T} shows on {@code P} as toxic {@code T},
 *       any other rule that applies to {@code P} (e.g. one written natively) shows under its own name;</li>
 *   <li>a name that is not a valid config name (or too long, or taken) becomes a readable, lower-cased
 *       name with a hash suffix, and the Toxiproxy name is remembered here to be shown back.</li>
 * </ul>
 * The table only ever holds names that could not be used verbatim; it is pruned to the config in force.
 */
final class ToxiproxyNames {
    private static final int MAX = 63;
    private final Map<String, String> proxyByListener = new ConcurrentHashMap<>();
    private final Map<String, String> toxicByRule = new ConcurrentHashMap<>();

    String proxyName(String listener) {
        return proxyByListener.getOrDefault(listener, listener);
    }

    String toxicName(RuleSpec rule, String listener) {
        String remembered = toxicByRule.get(rule.name());
        if (remembered != null) {
            return remembered;
        }
        String prefix = listener + ".";
        return rule.name().startsWith(prefix) && rule.name().length() > prefix.length()
                ? rule.name().substring(prefix.length()) : rule.name();
    }

    /** A free listener name for a new proxy; {@code taken} are the config's listener names. */
    String newListenerName(String proxyName, Set<String> taken) {
        String name = configName("", proxyName, taken);
        if (!name.equals(proxyName)) {
            proxyByListener.put(name, proxyName);
        }
        return name;
    }

    /** A free rule name for a new toxic on {@code listener}; {@code taken} are the config's rule names. */
    String newRuleName(String listener, String toxicName, Set<String> taken) {
        String name = configName(listener + ".", toxicName, taken);
        if (!name.equals(listener + "." + toxicName)) {
            toxicByRule.put(name, toxicName);
        }
        return name;
    }

    /** Forgets names that are gone from the config. */
    void retain(ProxyConfig config) {
        Set<String> listeners = new HashSet<>();
        config.listeners().forEach(l -> listeners.add(l.name()));
        proxyByListener.keySet().retainAll(listeners);
        Set<String> rules = new HashSet<>();
        config.rules().forEach(r -> rules.add(r.name()));
        toxicByRule.keySet().retainAll(rules);
    }

    private static String configName(String prefix, String display, Set<String> taken) {
        String verbatim = prefix + display;
        if (ConfigParser.NAME.matcher(verbatim).matches() && !taken.contains(verbatim)) {
            return verbatim;
        }
        String readable = display.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        String base = (prefix + readable).replaceFirst("^[^a-z0-9]+", "");
        if (base.isEmpty()) {
            base = "proxy";
        }
        for (int attempt = 0; ; attempt++) {
            String hash = shortHash(display + (attempt == 0 ? "" : "#" + attempt));
            String head = base.length() > MAX - 9 ? base.substring(0, MAX - 9) : base;
            String candidate = head + "-" + hash;
            if (!taken.contains(candidate)) {
                return candidate;
            }
        }
    }

    private static String shortHash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
