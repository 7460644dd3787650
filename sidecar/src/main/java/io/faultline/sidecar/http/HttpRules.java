package io.faultline.sidecar.http;

import io.faultline.sidecar.proxy.ActiveRule;
import io.netty.handler.codec.http.HttpRequest;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.RandomAccess;
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

    private record Compiled(List<ActiveRule> source, RuleList rules) {
    }

    /**
     * The compiled rules of one configuration with their {@link RuleIndex}: an ordinary immutable
     * list to its users, so that evaluating them needs no index built per request.
     */
    static final class RuleList extends AbstractList<Rule> implements RandomAccess {
        private final Rule[] rules;
        final RuleIndex index;

        RuleList(List<Rule> rules) {
            this.rules = rules.toArray(new Rule[0]);
            this.index = RuleIndex.of(rules);
        }

        @Override
        public Rule get(int i) {
            return rules[i];
        }

        @Override
        public int size() {
            return rules.length;
        }
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
        RuleIndex index = rules instanceof RuleList list ? list.index : RuleIndex.of(rules);
        // Only the rules the request can match at all are visited (a rule left out could not match,
        // so it would neither count nor draw): the cost hardly grows with rules that miss.
        long[] candidates = index.candidates(view);
        for (int i = RuleIndex.next(candidates, 0); i >= 0; i = RuleIndex.next(candidates, i + 1)) {
            Rule rule = rules.get(i);
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
            candidates = index.candidates(view); // the fault may have edited the request (headers, rewrite)
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
        c = new Compiled(active, new RuleList(rules));
        last = c;
        return c.rules;
    }
}
