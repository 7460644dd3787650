package io.faultline.sidecar.http;

import java.util.regex.Pattern;

/**
 * Path globs: {@code *} matches within one segment (no '/'), {@code **} matches anything (any
 * number of segments); a trailing {@code /**} also matches the bare prefix ({@code /api/**}
 * matches {@code /api}). Everything else is literal.
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
