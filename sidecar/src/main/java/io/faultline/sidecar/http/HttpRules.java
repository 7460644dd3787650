package io.faultline.sidecar.http;

import io.faultline.sidecar.proxy.ActiveRule;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules of one http listener, compiled (globs and regexes) once per configuration and shared
 * by its connections. Every request asks for the current list, so a new configuration applies
 * from the next request on, also on keep-alive connections that are already open.
 */
public final class HttpRules {
    private volatile Compiled last;

    /** A rule ready to evaluate: what it matches and what it does. */
    public record Rule(ActiveRule active, RequestMatch match, HttpFault fault) {
        String name() {
            return active.spec().name();
        }

        double probability() {
            return active.spec().probability();
        }
    }

    private record Compiled(List<ActiveRule> source, List<Rule> rules) {
    }

    /** The compiled form of {@code active}; recompiled only when the list in force changes (identity). */
    public List<Rule> compiled(List<ActiveRule> active) {
        Compiled c = last;
        if (c != null && c.source == active) {
            return c.rules;
        }
        List<Rule> rules = new ArrayList<>(active.size());
        for (ActiveRule a : active) {
            if (a.spec().fault() instanceof HttpFault fault) {
                rules.add(new Rule(a, RequestMatch.fromJson(a.spec().match()), fault));
            }
        }
        c = new Compiled(active, List.copyOf(rules));
        last = c;
        return c.rules;
    }
}
