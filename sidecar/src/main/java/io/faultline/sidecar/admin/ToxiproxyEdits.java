package io.faultline.sidecar.admin;

import io.faultline.sidecar.config.ListenerSpec;
import io.faultline.sidecar.config.ProxyConfig;
import io.faultline.sidecar.config.RuleSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Pure config edits behind the Toxiproxy API: a proxy is a listener, a toxic is a rule. */
final class ToxiproxyEdits {
    private ToxiproxyEdits() {
    }

    static Set<String> listenerNames(ProxyConfig c) {
        Set<String> names = new HashSet<>();
        c.listeners().forEach(l -> names.add(l.name()));
        return names;
    }

    static Set<String> ruleNames(ProxyConfig c) {
        Set<String> names = new HashSet<>();
        c.rules().forEach(r -> names.add(r.name()));
        return names;
    }

    static ProxyConfig addListener(ProxyConfig c, ListenerSpec spec) {
        List<ListenerSpec> ls = new ArrayList<>(c.listeners());
        ls.add(spec);
        return c.withListeners(ls);
    }

    static ProxyConfig replaceListener(ProxyConfig c, ListenerSpec old, ListenerSpec next) {
        return c.withListeners(c.listeners().stream().map(l -> l.name().equals(old.name()) ? next : l).toList());
    }

    static ProxyConfig addRule(ProxyConfig c, RuleSpec rule) {
        List<RuleSpec> rs = new ArrayList<>(c.rules());
        rs.add(rule);
        return c.withRules(rs);
    }

    static ProxyConfig replaceRule(ProxyConfig c, RuleSpec old, RuleSpec next) {
        return c.withRules(c.rules().stream().map(r -> r.name().equals(old.name()) ? next : r).toList());
    }

    /**
     * Removes a proxy and its toxics. A rule that also applies to other listeners only loses this one;
     * a rule for every listener (empty list) is not this proxy's own and stays.
     */
    static ProxyConfig removeListener(ProxyConfig c, ListenerSpec proxy) {
        List<RuleSpec> rules = new ArrayList<>();
        for (RuleSpec r : c.rules()) {
            if (r.listeners().isEmpty() || !r.listeners().contains(proxy.name())) {
                rules.add(r);
            } else if (r.listeners().size() > 1) {
                rules.add(withListeners(r, without(r.listeners(), proxy.name())));
            }
        }
        List<ListenerSpec> listeners = c.listeners().stream().filter(l -> !l.name().equals(proxy.name())).toList();
        return new ProxyConfig(c.version(), c.expiresAt(), listeners, rules);
    }

    /**
     * Removes a toxic from one proxy. A rule shared with other listeners keeps applying to them
     * (a rule for every listener becomes a rule for every other listener); otherwise it is deleted.
     */
    static ProxyConfig removeToxic(ProxyConfig c, ListenerSpec proxy, RuleSpec rule) {
        List<String> remaining = rule.listeners().isEmpty()
                ? without(c.listeners().stream().map(ListenerSpec::name).toList(), proxy.name())
                : without(rule.listeners(), proxy.name());
        if (remaining.isEmpty()) {
            return c.withRules(c.rules().stream().filter(r -> !r.name().equals(rule.name())).toList());
        }
        return replaceRule(c, rule, withListeners(rule, remaining));
    }

    static RuleSpec withListeners(RuleSpec r, List<String> listeners) {
        return new RuleSpec(r.name(), listeners, r.probability(), r.stream(), r.match(), r.fault());
    }

    private static List<String> without(List<String> names, String name) {
        return names.stream().filter(n -> !n.equals(name)).toList();
    }
}
