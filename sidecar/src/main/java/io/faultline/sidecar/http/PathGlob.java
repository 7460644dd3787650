package io.faultline.sidecar.http;

import com.google.re2j.Pattern;

/**
 * Path globs: {@code *} matches within one segment (no '/'), {@code **} matches anything (any
 * number of segments); a trailing {@code /**} also matches the bare prefix ({@code /api/**}
 * matches {@code /api}). Everything else is literal. Compiled for RE2/J: matching is linear in the path,
 * whatever the glob ({@code /**a**a**a**b} included).
 */
public final class PathGlob {
    private PathGlob() {
    }

    public static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        int i = 0;
        while (i < glob.length()) {
            if (glob.startsWith("/**", i) && i + 3 == glob.length()) {
                re.append("(?:/.*)?");
                i += 3;
            } else if (glob.startsWith("**", i)) {
                re.append(".*");
                i += 2;
            } else if (glob.charAt(i) == '*') {
                re.append("[^/]*");
                i++;
            } else {
                int next = nextStar(glob, i);
                re.append(Pattern.quote(glob.substring(i, next)));
                i = next;
            }
        }
        return Pattern.compile(re.toString());
    }

    /**
     * The literal text every path matching {@code glob} starts with (a cheap pre-check that spares
     * the regex for most non-matching paths): the part before the first {@code *}, without the '/'
     * of a trailing {@code /**} (which also matches the bare prefix).
     */
    public static String literalPrefix(String glob) {
        int star = glob.indexOf('*');
        if (star < 0) {
            return glob;
        }
        if (glob.startsWith("/**", star - 1) && star + 2 == glob.length()) {
            return glob.substring(0, star - 1);
        }
        return glob.substring(0, star);
    }

    /**
     * The first segment (text between the first and the second '/') that every path matching
     * {@code glob} has, when the glob fixes it literally; null when a wildcard reaches into it
     * ({@code /**}, {@code /*}, {@code /api*}). {@code /api/**} and {@code /api} give {@code api}.
     */
    public static String literalFirstSegment(String glob) {
        String prefix = literalPrefix(glob);
        if (prefix.length() < 1 || prefix.charAt(0) != '/') {
            return null;
        }
        int slash = prefix.indexOf('/', 1);
        if (slash > 0) {
            return prefix.substring(1, slash);
        }
        // The prefix ends the segment only if nothing but the end or a trailing "/**" follows it.
        if (prefix.length() == glob.length() || glob.equals(prefix + "/**")) {
            return prefix.substring(1);
        }
        return null;
    }

    /** Whether {@code glob} has no wildcard, i.e. matches exactly one path. */
    public static boolean isLiteral(String glob) {
        return glob.indexOf('*') < 0;
    }

    private static int nextStar(String glob, int from) {
        int star = glob.indexOf('*', from);
        int slashStars = glob.indexOf("/**", from);
        int end = star < 0 ? glob.length() : star;
        if (slashStars >= 0 && slashStars + 3 == glob.length() && slashStars < end) {
            end = slashStars;
        }
        return end;
    }
}
