package io.faultline.sidecar.http;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which of a listener's rules a request can match at all, found without visiting every rule. Built
 * once per configuration from what each match demands of a request: one of its methods, a literal
 * first path segment, a literal first host label, headers that must be present, a query string.
 * Per request a handful of lookups (one per method/segment/label, one per distinct required header
 * name) narrow a bit set of candidates; only the candidates run their full match, in rule order.
 *
 * <p>Candidates over-approximate: a candidate may still miss, but a rule left out could not have
 * matched (each demand is a necessary part of {@link RequestMatch#matches}, read from the same
 * {@link RequestView}), so evaluating the candidates decides exactly what evaluating every rule does.
 */
final class RuleIndex {
    private final int size;
    private final long[] all;
    private final KeyDemand methods;
    private final KeyDemand pathSegments;
    private final KeyDemand hostLabels;
    private final AsciiString[] headerNames;
    /** Per entry of {@link #headerNames}: the rules that need that header. */
    private final long[][] needHeader;
    /** The rules that need a query parameter present; null if none does. */
    private final long[] needQuery;

    private RuleIndex(int size, KeyDemand methods, KeyDemand pathSegments, KeyDemand hostLabels,
                      Map<AsciiString, long[]> headers, long[] needQuery) {
        this.size = size;
        this.all = new long[words(size)];
        for (int i = 0; i < size; i++) {
            set(all, i);
        }
        this.methods = methods;
        this.pathSegments = pathSegments;
        this.hostLabels = hostLabels;
        this.headerNames = headers.keySet().toArray(new AsciiString[0]);
        this.needHeader = headers.values().toArray(new long[0][]);
        this.needQuery = needQuery;
    }

    static RuleIndex of(List<HttpRules.Rule> rules) {
        int n = rules.size();
        KeyDemand.Builder methods = new KeyDemand.Builder(n);
        KeyDemand.Builder segments = new KeyDemand.Builder(n);
        KeyDemand.Builder labels = new KeyDemand.Builder(n);
        Map<AsciiString, long[]> headers = new LinkedHashMap<>(); // AsciiString.equals: the names are lower case
        long[] query = null;
        for (int i = 0; i < n; i++) {
            RequestMatch m = rules.get(i).match();
            if (!m.methods().isEmpty()) {
                methods.add(i, m.methods());
            }
            if (m.pathSegment() != null) {
                segments.add(i, List.of(m.pathSegment()));
            }
            if (m.hostLabel() != null) {
                labels.add(i, List.of(m.hostLabel()));
            }
            for (AsciiString name : m.requiredHeaders()) {
                set(headers.computeIfAbsent(name, k -> new long[words(n)]), i);
            }
            if (m.requiresQuery()) {
                if (query == null) {
                    query = new long[words(n)];
                }
                set(query, i);
            }
        }
        return new RuleIndex(n, methods.build(), segments.build(), labels.build(), headers, query);
    }

    int size() {
        return size;
    }

    /**
     * The rules {@code view} can match, as a bit set (bit i: rule i); read with {@link #next}. Call it
     * again after a rule edited the request (headers, rewrite): later rules see the edited request.
     */
    long[] candidates(RequestView view) {
        long[] c = all.clone();
        if (size == 0) {
            return c;
        }
        // Cheapest demands first; the path and the host are decoded only if some candidate still needs them.
        if (methods != null) {
            methods.restrict(c, view.method());
        }
        if (headerNames.length > 0) {
            HttpHeaders headers = view.request().headers();
            for (int h = 0; h < headerNames.length; h++) {
                if (!headers.contains(headerNames[h])) {
                    andNot(c, needHeader[h]);
                }
            }
        }
        if (needQuery != null && !view.hasQuery()) {
            andNot(c, needQuery);
        }
        if (pathSegments != null && pathSegments.concerns(c)) {
            pathSegments.restrict(c, view.firstPathSegment());
        }
        if (hostLabels != null && hostLabels.concerns(c)) {
            hostLabels.restrict(c, view.firstHostLabel());
        }
        return c;
    }

    /** The first rule at or after {@code from} in {@code bits}, or -1. */
    static int next(long[] bits, int from) {
        int w = from >>> 6;
        if (w >= bits.length) {
            return -1;
        }
        long word = bits[w] & (-1L << from); // the shift count is taken mod 64: the bit within the word
        while (word == 0) {
            if (++w == bits.length) {
                return -1;
            }
            word = bits[w];
        }
        return (w << 6) + Long.numberOfTrailingZeros(word);
    }

    private static int words(int n) {
        return (n + 63) >>> 6;
    }

    private static void set(long[] bits, int i) {
        bits[i >>> 6] |= 1L << i;
    }

    private static void andNot(long[] c, long[] out) {
        for (int w = 0; w < c.length; w++) {
            c[w] &= ~out[w];
        }
    }

    /**
     * One kind of demand with a key (a method, a first segment, a first label): the rules that have
     * it ({@code demanding}) and, per key, those whose demand that key satisfies.
     */
    private record KeyDemand(long[] demanding, Map<String, long[]> byKey) {
        /** Whether some rule still in {@code c} has this demand. */
        boolean concerns(long[] c) {
            for (int w = 0; w < c.length; w++) {
                if ((c[w] & demanding[w]) != 0) {
                    return true;
                }
            }
            return false;
        }

        /** Removes the demanding rules that {@code key} (null: no key at all) does not satisfy. */
        void restrict(long[] c, String key) {
            long[] ok = key == null ? null : byKey.get(key);
            for (int w = 0; w < c.length; w++) {
                c[w] &= ~demanding[w] | (ok == null ? 0L : ok[w]);
            }
        }

        static final class Builder {
            private final int n;
            private long[] demanding;
            private final Map<String, long[]> byKey = new HashMap<>();

            Builder(int n) {
                this.n = n;
            }

            void add(int rule, Collection<String> keys) {
                if (demanding == null) {
                    demanding = new long[words(n)];
                }
                set(demanding, rule);
                for (String k : keys) {
                    set(byKey.computeIfAbsent(k, x -> new long[words(n)]), rule);
                }
            }

            /** null when no rule has this demand: the per-request lookup is skipped. */
            KeyDemand build() {
                return demanding == null ? null : new KeyDemand(demanding, Map.copyOf(byKey));
            }
        }
    }
}
