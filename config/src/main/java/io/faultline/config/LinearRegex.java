package io.faultline.config;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The one gate every user-supplied regular expression passes, in the operator's validation and in the sidecar: RE2
 * syntax, compiled by RE2/J, which matches in time linear in the input (no backtracking, so {@code (a+)+$} costs
 * what {@code a+$} costs). Both sides call {@link #compile}, so a pattern the operator accepts is one the sidecar
 * accepts, with the same message when it is not.
 *
 * <p>Linear is not yet cheap: matching costs (input length) x (program size). A pattern is therefore refused when it
 * is longer than {@value #MAX_LENGTH} characters or compiles to more than {@value #MAX_PROGRAM_SIZE} instructions
 * (counted repetitions multiply: {@code (\w{1,30}){1,30}} is about 1,860). Over the sidecar's request limits (a
 * request line of 8 KiB, a header block of 16 KiB) one match then stays in the low milliseconds.
 *
 * <p>What RE2 refuses that Java's engine takes: backreferences ({@code \1}), lookahead and lookbehind
 * ({@code (?=}, {@code (?!}, {@code (?<=}, {@code (?<!}), possessive quantifiers and atomic groups ({@code a*+},
 * {@code (?>...)}; never needed, nothing backtracks), Java's named classes ({@code \p{Alpha}}: write
 * {@code [[:alpha:]]} or {@code \pL}), {@code \u00e9} (write {@code \x{e9}}), {@code \Z}, {@code \h}, {@code \R},
 * {@code \G}, comments and the {@code (?x)} flag; repetition counts above 1000.
 */
public final class LinearRegex {
    /** The longest pattern accepted, in characters. */
    public static final int MAX_LENGTH = 1000;
    /** The largest compiled program accepted, in RE2 instructions. */
    public static final int MAX_PROGRAM_SIZE = 1000;
    /** What every refusal says is accepted. */
    public static final String ACCEPTED = "RE2 syntax, matched in linear time: no backreferences or lookaround";
    /** Above this estimate the pattern is refused without being compiled (compiling it would cost seconds). */
    private static final long MAX_ESTIMATE = 20L * MAX_PROGRAM_SIZE;
    private static final long SATURATED = 1L << 40;

    private LinearRegex() {
    }

    /** A user-supplied pattern refused; the message says why and what is accepted, without the field (callers add it). */
    public static final class InvalidRegexException extends IllegalArgumentException {
        private InvalidRegexException(String message) {
            super(message);
        }
    }

    /**
     * Compiles {@code regex} for full or partial matching ({@code matcher(s).matches()} is a full match).
     *
     * @throws InvalidRegexException with a message that quotes the pattern, says what is wrong and what is accepted
     */
    public static Pattern compile(String regex) {
        if (regex == null) {
            throw new InvalidRegexException("a regular expression is required (" + ACCEPTED + ")");
        }
        if (regex.length() > MAX_LENGTH) {
            throw new InvalidRegexException("'" + abbreviate(regex) + "' is " + regex.length()
                    + " characters long; at most " + MAX_LENGTH + " are accepted");
        }
        long estimate = estimatedSize(regex);
        if (estimate > MAX_ESTIMATE) {
            throw tooLarge(regex, "about " + estimate);
        }
        Pattern pattern;
        try {
            pattern = Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new InvalidRegexException("'" + abbreviate(regex) + "' is not accepted: " + explain(e)
                    + " (" + ACCEPTED + ")");
        }
        if (pattern.programSize() > MAX_PROGRAM_SIZE) {
            throw tooLarge(regex, String.valueOf(pattern.programSize()));
        }
        return pattern;
    }

    private static InvalidRegexException tooLarge(String regex, String size) {
        return new InvalidRegexException("'" + abbreviate(regex) + "' is too large: it compiles to " + size
                + " instructions, at most " + MAX_PROGRAM_SIZE + " are accepted (counted repetitions multiply: "
                + "(a{10}){10} is about 100)");
    }

    /** RE2/J's description, and for what Java users commonly write, what to write instead. */
    static String explain(PatternSyntaxException e) {
        String part = e.getPattern() == null ? "" : e.getPattern();
        String what = e.getDescription() + (part.isEmpty() ? "" : " `" + part + "`");
        if (part.matches("\\\\[1-9]")) {
            return "backreferences such as " + part + " are not supported";
        }
        if (part.startsWith("(?=") || part.startsWith("(?!")) {
            return "lookahead " + part + "...) is not supported";
        }
        if (part.startsWith("(?<=") || part.startsWith("(?<!")) {
            return "lookbehind " + part.substring(0, 4) + "...) is not supported";
        }
        if (part.startsWith("(?>")) {
            return "atomic groups (?>...) are not supported (nor needed: matching never backtracks)";
        }
        if (part.length() == 2 && "*+?}".indexOf(part.charAt(0)) >= 0 && part.charAt(1) == '+') {
            return "possessive quantifiers such as " + part + " are not supported (nor needed: matching never backtracks)";
        }
        if (part.startsWith("\\p{") || part.startsWith("\\P{")) {
            return what + "; Java's named classes such as \\p{Alpha} are not supported, write [[:alpha:]], \\pL or \\p{Greek}";
        }
        if (part.equals("\\u")) {
            return what + "; write a code point as \\x{e9}";
        }
        if (part.equals("\\Z")) {
            return what + "; write \\z or $";
        }
        if (part.startsWith("{") && e.getDescription().contains("repeat count")) {
            return what + "; repetition counts go up to 1000";
        }
        return what;
    }

    private static String abbreviate(String regex) {
        return regex.length() <= 80 ? regex : regex.substring(0, 77) + "...";
    }

    /**
     * A cheap upper estimate of the compiled program's size, read from the pattern's text: every atom counts one,
     * a counted repetition multiplies what it repeats. It exists to refuse {@code ((a{100}){100}){100}} (a million
     * instructions, seconds and hundreds of MiB to compile) before compiling it; the exact size is checked after.
     */
    static long estimatedSize(String re) {
        Deque<long[]> groups = new ArrayDeque<>();
        long sum = 0;
        long last = 0;
        int n = re.length();
        for (int i = 0; i < n; i++) {
            char c = re.charAt(i);
            switch (c) {
                case '\\' -> {
                    if (i + 1 < n && re.charAt(i + 1) == 'Q') {
                        int end = re.indexOf("\\E", i + 2);
                        int literalEnd = end < 0 ? n : end;
                        sum = add(sum, literalEnd - (i + 2));
                        last = 1;
                        i = end < 0 ? n : end + 1;
                        continue;
                    }
                    if (i + 2 < n && "pPx".indexOf(re.charAt(i + 1)) >= 0 && re.charAt(i + 2) == '{') {
                        int close = re.indexOf('}', i + 3);
                        i = close < 0 ? n : close;
                    } else {
                        i++;
                    }
                    sum = add(sum, 1);
                    last = 1;
                }
                case '[' -> {
                    i = classEnd(re, i);
                    sum = add(sum, 1);
                    last = 1;
                }
                case '(' -> {
                    groups.push(new long[] {sum, last});
                    sum = 0;
                    last = 0;
                }
                case ')' -> {
                    long group = add(sum, 1);
                    long[] outer = groups.isEmpty() ? new long[] {0, 0} : groups.pop();
                    sum = add(outer[0], group);
                    last = group;
                }
                case '|' -> {
                    sum = add(sum, 1);
                    last = 0;
                }
                case '*', '+', '?' -> sum = add(sum, 1);
                case '{' -> {
                    int close = re.indexOf('}', i);
                    long max = close < 0 ? -1 : repeatMax(re.substring(i + 1, close));
                    if (max < 0) {
                        sum = add(sum, 1); // a literal '{'
                        last = 1;
                    } else {
                        sum = add(add(sum, times(last, max - 1)), max);
                        last = times(last, max);
                        i = close;
                    }
                }
                default -> {
                    sum = add(sum, 1);
                    last = 1;
                }
            }
        }
        while (!groups.isEmpty()) {
            sum = add(groups.pop()[0], add(sum, 1));
        }
        return sum;
    }

    /** The index of the ']' that closes the class opened at {@code open} (or the end). */
    private static int classEnd(String re, int open) {
        int j = open + 1;
        if (j < re.length() && re.charAt(j) == '^') {
            j++;
        }
        if (j < re.length() && re.charAt(j) == ']') {
            j++;
        }
        while (j < re.length() && re.charAt(j) != ']') {
            if (re.charAt(j) == '\\') {
                j += 2;
            } else if (re.startsWith("[:", j)) {
                int close = re.indexOf(":]", j + 2);
                j = close < 0 ? re.length() : close + 2;
            } else {
                j++;
            }
        }
        return Math.min(j, re.length() - 1);
    }

    /** {@code n}, {@code n,} or {@code n,m} between braces: the most repetitions (n+1 for "n or more"), or -1. */
    private static long repeatMax(String inside) {
        int comma = inside.indexOf(',');
        String min = comma < 0 ? inside : inside.substring(0, comma);
        String max = comma < 0 ? null : inside.substring(comma + 1);
        if (!digits(min) || (max != null && !max.isEmpty() && !digits(max))) {
            return -1;
        }
        long lower = Long.parseLong(min.length() > 6 ? "999999" : min);
        long upper = max == null ? lower : max.isEmpty() ? lower + 1 : Long.parseLong(max.length() > 6 ? "999999" : max);
        return Math.max(1, Math.max(lower, upper));
    }

    private static boolean digits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static long add(long a, long b) {
        return Math.min(SATURATED, a + b);
    }

    private static long times(long a, long b) {
        return a == 0 || b == 0 ? 0 : a > SATURATED / b ? SATURATED : Math.min(SATURATED, a * b);
    }
}
