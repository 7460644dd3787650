package io.faultline.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.re2j.Pattern;
import io.faultline.config.LinearRegex.InvalidRegexException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LinearRegexTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "^/api/v[0-9]+/users/[^/]+$", "/search/.*", "(?i)bearer .+", "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{12}",
            "\\d+", "\\bfoo\\b", "(?P<rest>.*)", "(?<rest>.*)", "\\Qa.b\\E", "[[:alpha:]]+", "\\pL+", "\\x{e9}",
            "(a+)+$", "(x+x+)+y", "(.*a){20}", "a{2,400}", "(?s).", "\\z", "\\A/api", "\\p{Greek}", "(?m)^a$", "(?U)a+", "a*?b", "\\x{e9}"})
    void acceptsRe2Syntax(String regex) {
        assertThat(LinearRegex.compile(regex).pattern()).isEqualTo(regex);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "(a)\\1          | backreferences such as \\1 are not supported",
            "(?=a)b          | lookahead (?=...) is not supported",
            "(?!a)b          | lookahead (?!...) is not supported",
            "(?<=a)b         | lookbehind (?<=...) is not supported",
            "(?<!a)b         | lookbehind (?<!...) is not supported",
            "(?>a)           | atomic groups (?>...) are not supported",
            "a++             | possessive quantifiers such as ++ are not supported",
            "a*+             | possessive quantifiers such as *+ are not supported",
            "\\p{Alpha}      | write [[:alpha:]]",
            "\\u00e9         | write a code point as \\x{e9}",
            "abc\\Z          | write \\z or $",
            "a{1001}         | repetition counts go up to 1000",
            "(?x) a          | invalid or unsupported Perl syntax `(?x`",
            "[a-             | missing closing ] `[a-`",
            "\\h             | invalid escape sequence `\\h`",
            "\\X             | invalid escape sequence `\\X`",
            "(?#note)a       | invalid or unsupported Perl syntax `(?#`"})
    void refusesWhatRe2DoesNotTakeAndSaysWhy(String regex, String why) {
        assertThatThrownBy(() -> LinearRegex.compile(regex.strip()))
                .isInstanceOf(InvalidRegexException.class)
                .hasMessageStartingWith("'" + regex.strip() + "' is not accepted: ")
                .hasMessageContaining(why.strip())
                .hasMessageEndingWith("(" + LinearRegex.ACCEPTED + ")");
    }

    @Test
    void refusesPatternsWhoseProgramIsTooLargeWithTheSize() {
        // Counted repetitions multiply; linear time times 1,860 instructions is no longer cheap.
        assertThatThrownBy(() -> LinearRegex.compile("(\\w{1,30}){1,30}"))
                .hasMessage("'(\\w{1,30}){1,30}' is too large: it compiles to 1861 instructions, at most 1000 are accepted"
                        + " (counted repetitions multiply: (a{10}){10} is about 100)");
        assertThat(LinearRegex.compile("(\\w{1,10}){1,10}").programSize()).isLessThanOrEqualTo(LinearRegex.MAX_PROGRAM_SIZE);
    }

    @Test
    @Timeout(60)
    void refusesNestedCountsBeforeCompilingThem() {
        // A million instructions: RE2/J would take seconds and hundreds of MiB to compile it.
        assertThatThrownBy(() -> LinearRegex.compile("((a{1000}){1000}){1000}"))
                .hasMessageContaining("is too large: it compiles to about 2002002000 instructions")
                .hasMessageContaining("at most 1000 are accepted");
        assertThatThrownBy(() -> LinearRegex.compile("((a{100}){100}){100}")).hasMessageContaining("about 20");
    }

    @Test
    void estimateFollowsTheCompiledSize() {
        for (String re : new String[] {"(\\w{1,30}){1,30}", "[a-z]{1,500}x", "(.*a){20}", "^/api/v[0-9]+/users/[^/]+$",
                "(a|b|c){3,}", "\\Qliteral text\\E+", "x{2}y{3,}z{4,5}"}) {
            long actual = Pattern.compile(re).programSize();
            assertThat(LinearRegex.estimatedSize(re)).as(re).isBetween(actual / 3, actual * 3 + 10);
        }
    }

    @Test
    void refusesOverlongPatterns() {
        String longest = "a".repeat(LinearRegex.MAX_LENGTH);
        assertThatThrownBy(() -> LinearRegex.compile(longest + "b"))
                .hasMessageEndingWith("is 1001 characters long; at most 1000 are accepted");
        assertThatThrownBy(() -> LinearRegex.compile(null)).hasMessageContaining("RE2 syntax");
    }

    /** What froze an event loop for minutes with java.util.regex: here it is a linear scan. */
    @Test
    @Timeout(60)
    void nestedQuantifiersMatchInLinearTime() {
        Pattern p = LinearRegex.compile("(a+)+$");
        String evil = "a".repeat(100_000) + "!";
        assertThat(p.matcher(evil).find()).isFalse();
        assertThat(LinearRegex.compile("^(a|a)*$").matcher(evil).matches()).isFalse();
        assertThat(LinearRegex.compile("^(a|a)*$").matcher("a".repeat(100_000)).matches()).isTrue();
    }

    @Test
    void fullMatchAndReplacementWorkAsForJavaPatterns() {
        assertThat(LinearRegex.compile("/v1/.*").matcher("/v1/users").matches()).isTrue();
        assertThat(LinearRegex.compile("/v1/.*").matcher("/api/v1/users").matches()).isFalse();
        assertThat(LinearRegex.compile("^/v1/(.*)").matcher("/v1/users").replaceFirst("/v2/$1")).isEqualTo("/v2/users");
        assertThat(LinearRegex.compile("^/v1/(?P<rest>.*)").matcher("/v1/a").replaceFirst("/v2/${rest}")).isEqualTo("/v2/a");
    }
}
