package io.faultline.sidecar.http;

import io.faultline.sidecar.proxy.ActiveRule;
import io.netty.handler.codec.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The rules of one http listener, compiled (globs and regexes) once per configuration and shared
 * by its connections. Every request asks for the current list, so a new configuration applies
 * from the next request on, also on keep-alive connections that are already open.
 */
public final class HttpRules {
    private volatile Compiled last;

    /** A rule ready to evaluate: what it matches and what it does. */
    public record Rule(ActiveRule active, RequestMatch match, HttpFault fault) {
        public String name() {
            return active.spec().name();
        }

        double probability() {
            return active.spec().probability();
        }
    }

    private record Compiled(List<ActiveRule> source, List<Rule> rules) {
    }

    /**
     * Evaluates {@code rules} on one request, in order: a rule whose match holds counts as matched and
     * is drawn (its probability); a drawn rule that is {@code offered} acts on {@code exchange},
     * announced first to {@code acting}; evaluation ends once the exchange is decided. One loop for
     * HTTP/1.1 and h2, so both match, count and draw alike; the request is decoded once, not per rule.
     */
    public static void evaluate(List<Rule> rules, HttpRequest request, SplittableRandom random, HttpExchange exchange,
                                Predicate<Rule> offered, Consumer<Rule> acting) {
        evaluate(rules, new RequestView(request), random, exchange, offered, acting);
    }

    static void evaluate(List<Rule> rules, RequestView view, SplittableRandom random, HttpExchange exchange,
                         Predicate<Rule> offered, Consumer<Rule> acting) {
        for (Rule rule : rules) {
            if (!rule.match().matches(view)) {
                continue;
            }
            rule.active().stats().matched.increment();
            double p = rule.probability();
            if (p < 1.0 && !(random.nextDouble() < p)) {
                continue;
            }
            if (!offered.test(rule)) {
                continue;
            }
            acting.accept(rule);
            rule.fault().onRequest(exchange);
            if (exchange.decided()) {
                break;
            }
        }
    }

    /** Whether {@code rule} (the same spec) is among {@code rules}, e.g. still in force after a config change. */
    public static boolean inForce(List<Rule> rules, Rule rule) {
        for (Rule current : rules) {
            if (current == rule || current.active().spec().equals(rule.active().spec())) {
                return true;
            }
        }
        return false;
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
